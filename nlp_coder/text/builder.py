"""Clean text built piece by piece, with a map back to the raw characters it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TextBuilder:
    """Builds clean text piece by piece while remembering where each piece came from."""

    parts: list[str] = field(default_factory=list)
    anchors: list[tuple[int, int, bool]] = field(default_factory=list)  # (clean start, raw start, copied)
    length: int = 0

    def copy(self, piece: str, raw_start: int) -> None:
        """Append ``piece``, which is ``raw[raw_start:raw_start+len(piece)]`` unchanged."""
        self._add(piece, raw_start, True)

    def put(self, piece: str, raw_start: int) -> None:
        """Append ``piece`` standing in for raw text that starts at ``raw_start`` (an entity, a tag)."""
        self._add(piece, raw_start, False)

    def _add(self, piece: str, raw_start: int, copied: bool) -> None:
        if not piece:
            return
        self.parts.append(piece)
        self.anchors.append((self.length, raw_start, copied))
        self.length += len(piece)

    def text(self) -> str:
        return "".join(self.parts)

    def endswith(self, suffix: str) -> bool:
        tail = ""
        for piece in reversed(self.parts):
            tail = piece + tail
            if len(tail) >= len(suffix):
                break
        return tail.endswith(suffix)

"""A treaty as the drafter sees it: the text as read, its parts, its language and its sentences."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from nlp_coder.text.language import LanguageGuess, detect_language
from nlp_coder.text.reader import TreatyText, read_treaty
from nlp_coder.text.segment import Part, segment


@dataclass
class Treaty:
    source: TreatyText
    parts: list[Part]
    language: LanguageGuess
    _sentences: list[tuple[int, int]] | None = field(default=None, repr=False)
    cache: dict = field(default_factory=dict, repr=False)  # per-treaty results predictors share

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def sha256(self) -> str:
        return self.source.sha256

    @cached_property
    def title(self) -> str | None:
        for part in self.parts:
            if part.kind == "title":
                return " ".join(self.text[part.start : part.end].split())
        return None

    def parts_of(self, kind: str) -> list[Part]:
        return [p for p in self.parts if p.kind == kind]

    def part_at(self, offset: int) -> Part | None:
        """The innermost part that holds character ``offset``."""
        best: Part | None = None
        for part in self.parts:
            if part.start <= offset < part.end and (
                best is None or part.end - part.start <= best.end - best.start
            ):
                best = part
        return best

    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans over the whole text (spaCy blank English + sentencizer), cached."""
        if self._sentences is None:
            from nlp_coder.text.sentences import split_sentences

            cuts = sorted({p.start for p in self.parts if p.parent is None})
            self._sentences = _cut(split_sentences(self.text), cuts, self.text)
        return self._sentences

    @cached_property
    def _mender(self):
        from nlp_coder.text.mend import Mender

        return Mender(self.text)

    def reading(self, start: int, end: int) -> str:
        """The text of ``start:end`` as the cues and the encoder read it: white space collapsed, and words
        that text extraction broke in two mended (``text.mend``). Offsets stay those of ``text``."""
        return self._mender.mend(" ".join(self.text[start:end].split()))

    def sentences_in(self, start: int, end: int) -> list[tuple[int, int]]:
        spans = self.sentences()
        k = max(0, bisect_right([s for s, _ in spans], start) - 1)
        return [(max(s, start), min(e, end)) for s, e in spans[k:] if s < end and e > start]

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.source.format,
            "language": self.language.code,
            "title": self.title,
            "text": self.text,
            "text_sha256": self.sha256,
            "parts": [p.to_dict() for p in self.parts],
        }


def _cut(spans: list[tuple[int, int]], cuts: list[int], text: str) -> list[tuple[int, int]]:
    """Split sentences that run across the start of a part (a title run into its preamble)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        k = bisect_right(cuts, start)
        for cut in cuts[k:]:
            if cut >= end:
                break
            piece = text[start:cut].rstrip()
            if piece.strip():
                out.append((start, start + len(piece)))
            start = cut
        if text[start:end].strip():
            out.append((start, end))
    return out


def load_treaty(path: str | Path) -> Treaty:
    """Read and segment a treaty file."""
    source = read_treaty(path)
    return Treaty(source, segment(source.text, source.headings), detect_language(source.text))


def treaty_from_text(text: str, path: str = "<text>") -> Treaty:
    """A treaty from a string (tests, other tools)."""
    from nlp_coder.text.builder import TextBuilder

    builder = TextBuilder()
    builder.copy(text, 0)
    source = TreatyText(text, text, path, "txt", builder.anchors)
    return Treaty(source, segment(text), detect_language(text))

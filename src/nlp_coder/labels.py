"""Supervision at the level of text spans: which passage of a treaty evidences which question (and code).

Every kind of supervision becomes ``SpanLabel``s over the text as read (``Treaty.text``): the team's
annotations, the quotes of gold sheets located in the text, and weak labels from article headings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import InputError


@dataclass(frozen=True)
class SpanLabel:
    """``text[start:end]`` evidences ``question`` (with ``codes`` when known); ``positive=False`` marks a
    passage checked and found not to evidence it."""

    question: int
    start: int
    end: int
    codes: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    source: str = "annotation"
    positive: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


def read_annotations(path: str | Path, text_sha256: str | None = None) -> list[SpanLabel]:
    """Read a JSONL annotation file (one span per line, see corpora/GUIDELINES.md).

    A line may carry ``text_sha256``; if it differs from the treaty's, the offsets would point at the
    wrong characters, so the file is refused.
    """
    p = Path(path)
    labels: list[SpanLabel] = []
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{p}: cannot read annotations ({exc.strerror or exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
            if text_sha256 and row.get("text_sha256") not in (None, text_sha256):
                raise InputError(f"{p}:{n}: annotation made on a different text (text_sha256 differs)")
            labels.append(
                SpanLabel(
                    int(row["question"]),
                    int(row["start"]),
                    int(row["end"]),
                    {k: int(v) for k, v in (row.get("codes") or {}).items()},
                    str(row.get("source", "annotation")),
                    bool(row.get("positive", True)),
                )
            )
        except InputError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{p}:{n}: not a valid annotation ({type(exc).__name__}: {exc})") from exc
    return labels

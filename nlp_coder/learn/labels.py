"""Supervision at the level of text spans: which passage of a treaty evidences which question (and code).

Every kind of supervision becomes ``SpanLabel``s over the text as read (``Treaty.text``): the team's
annotations, the quotes of gold sheets located in the text, and weak labels from article headings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nlp_coder.configfile import first_problem, jsonl_objects
from nlp_coder.errors import InputError


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


class AnnotationLine(BaseModel):
    """The schema of one annotation line (corpora/GUIDELINES.md): JSON types only, no unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    question: int = Field(ge=1, le=61)
    start: int = Field(ge=0)
    end: int = Field(ge=1)
    codes: dict[str, int] = Field(default_factory=dict)
    text_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    positive: bool = True
    source: str = Field("annotation", min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _span(self) -> AnnotationLine:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be greater than start ({self.start})")
        return self


def read_annotations(path: str | Path, text_sha256: str | None = None) -> list[SpanLabel]:
    """Read a JSONL annotation file (one span per line, see corpora/GUIDELINES.md).

    A line may carry ``text_sha256``; if it differs from the treaty's, the offsets would point at the
    wrong characters, so the file is refused. A file that is not UTF-8 text, or a line that is not JSON
    or does not fit ``AnnotationLine``, raises InputError ``<file>:<line>: <field>: <problem>``.
    """
    p = Path(path)
    labels: list[SpanLabel] = []
    for n, row in jsonl_objects(p, "annotations", "one span"):
        try:
            item = AnnotationLine.model_validate(row)
        except ValidationError as exc:
            raise InputError(f"{p}:{n}: {first_problem(exc, AnnotationLine.model_fields)}") from exc
        if text_sha256 and item.text_sha256 not in (None, text_sha256):
            raise InputError(f"{p}:{n}: annotation made on a different text (text_sha256 differs)")
        labels.append(
            SpanLabel(item.question, item.start, item.end, dict(item.codes), item.source, item.positive)
        )
    return labels

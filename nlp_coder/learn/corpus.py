"""Corpora: a JSONL manifest of treaties with whatever gold each has (ATOP id, sheet, annotations).

One line per treaty::

    {"id": "nato-1949", "text": "treaties/nato.md", "atop_id": 3180, "phase": 2,
     "sheet": "sheets/nato.txt", "annotations": "annotations/nato.jsonl", "weak": false}

Paths are relative to ``--data-root`` when given, else to the manifest's folder. Treaty texts are
never copied into a corpus: manifests point at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nlp_coder.configfile import first_problem, jsonl_objects
from nlp_coder.errors import InputError, NlpCoderError


@dataclass
class Entry:
    """One treaty of a corpus and the paths of its gold."""

    id: str
    text: Path
    atop_id: int | None = None
    phase: int | None = None
    sheet: Path | None = None
    annotations: Path | None = None
    weak: bool = False
    line: int = 0


@dataclass
class Corpus:
    manifest: Path
    entries: list[Entry] = field(default_factory=list)


class ManifestLine(BaseModel):
    """The schema of one manifest line: JSON types only (an integer is never a float, a string or a
    boolean; a boolean is never a string), no unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    atop_id: int | None = None
    phase: int | None = Field(None, ge=0)
    sheet: str | None = Field(None, min_length=1)
    annotations: str | None = Field(None, min_length=1)
    weak: bool = False
    note: str = ""

    @field_validator("id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("text", "sheet", "annotations")
    @classmethod
    def _a_path(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must be a file path, not blank")
        if value is not None and "\x00" in value:
            raise ValueError("a file path cannot contain a NUL character")
        return value


def read_manifest(path: str | Path, data_root: str | Path | None = None) -> Corpus:
    """Parse a manifest; a malformed line raises InputError ``<manifest>:<line>: <field>: <problem>``."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such manifest file")
    root = Path(data_root) if data_root is not None else p.parent
    corpus = Corpus(p)
    seen: dict[str, int] = {}
    for n, row in jsonl_objects(p, "manifest", '{"id": ..., "text": ...}', bare=True):
        try:
            item = ManifestLine.model_validate(row)
        except ValidationError as exc:
            raise InputError(f"{p}:{n}: {first_problem(exc, ManifestLine.model_fields)}") from exc
        if item.id in seen:
            raise InputError(f"{p}:{n}: id: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = n
        corpus.entries.append(
            Entry(
                id=item.id,
                text=root / item.text,
                atop_id=item.atop_id,
                phase=item.phase,
                sheet=root / item.sheet if item.sheet is not None else None,
                annotations=root / item.annotations if item.annotations is not None else None,
                weak=item.weak,
                line=n,
            )
        )
    if not corpus.entries:
        raise InputError(f"{p}: the manifest lists no treaties")
    return corpus


@dataclass
class EntryCheck:
    entry: Entry
    chars: int = 0
    language: str = ""
    sheet_answers: int = 0
    annotations: int = 0
    problems: list[str] = field(default_factory=list)


def check_corpus(corpus: Corpus, atop_csv: Path | None = None) -> list[EntryCheck]:
    """Open every file a manifest names: texts read, ATOP ids exist, sheets parse, annotations fit."""
    from nlp_coder.codesheet.atop import load_atop
    from nlp_coder.codesheet.sheet import read_sheet
    from nlp_coder.learn.labels import read_annotations
    from nlp_coder.text.treaty import load_treaty

    rows = load_atop(atop_csv) if atop_csv is not None else None
    checks = []
    for entry in corpus.entries:
        check = EntryCheck(entry)
        treaty = None
        try:
            treaty = load_treaty(entry.text)
            check.chars, check.language = len(treaty.text), treaty.language.code
        except NlpCoderError as exc:
            check.problems.append(f"text: {exc}")
        if entry.atop_id is not None and rows is not None and entry.atop_id not in rows:
            check.problems.append(f"atop_id {entry.atop_id} is not in {atop_csv}")
        if entry.sheet is not None:
            try:
                check.sheet_answers = len(read_sheet(entry.sheet).answers)
            except NlpCoderError as exc:
                check.problems.append(f"sheet: {exc}")
        if entry.annotations is not None:
            try:
                labels = read_annotations(entry.annotations, treaty.sha256 if treaty else None)
                check.annotations = len(labels)
                if treaty is not None:
                    outside = [lab for lab in labels if not 0 <= lab.start < lab.end <= len(treaty.text)]
                    if outside:
                        check.problems.append(f"annotations: {len(outside)} span(s) outside the text")
            except NlpCoderError as exc:
                check.problems.append(f"annotations: {exc}")
        checks.append(check)
    return checks

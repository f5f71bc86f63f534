"""Corpora: a JSONL manifest of treaties with whatever gold each has (ATOP id, sheet, annotations).

One line per treaty::

    {"id": "nato-1949", "text": "treaties/nato.md", "atop_id": 3180, "phase": 2,
     "sheet": "sheets/nato.txt", "annotations": "annotations/nato.jsonl", "weak": false}

Paths are relative to ``--data-root`` when given, else to the manifest's folder. Treaty texts are
never copied into a corpus: manifests point at them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, NlpCoderError


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


_KEYS = {"id", "text", "atop_id", "phase", "sheet", "annotations", "weak", "note"}


def read_manifest(path: str | Path, data_root: str | Path | None = None) -> Corpus:
    """Parse a manifest; a malformed line raises InputError naming the file and line."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such manifest file")
    root = Path(data_root) if data_root is not None else p.parent
    corpus = Corpus(p)
    seen: set[str] = set()
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read manifest ({type(exc).__name__})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{p}:{n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "id" not in row or "text" not in row:
            raise InputError(f'{p}:{n}: each line needs at least "id" and "text"')
        unknown = sorted(set(row) - _KEYS)
        if unknown:
            raise InputError(f"{p}:{n}: unknown key(s) {', '.join(unknown)}")
        if row["id"] in seen:
            raise InputError(f"{p}:{n}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        try:
            corpus.entries.append(
                Entry(
                    id=str(row["id"]),
                    text=root / row["text"],
                    atop_id=int(row["atop_id"]) if row.get("atop_id") is not None else None,
                    phase=int(row["phase"]) if row.get("phase") is not None else None,
                    sheet=root / row["sheet"] if row.get("sheet") else None,
                    annotations=root / row["annotations"] if row.get("annotations") else None,
                    weak=bool(row.get("weak", False)),
                    line=n,
                )
            )
        except (TypeError, ValueError) as exc:
            raise InputError(f"{p}:{n}: {type(exc).__name__}: {exc}") from exc
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
    from .atop import load_atop
    from .labels import read_annotations
    from .sheet import read_sheet
    from .treaty import load_treaty

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

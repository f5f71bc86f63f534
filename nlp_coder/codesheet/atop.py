"""The bridge to the ATOP 5.1 dataset: read its rows, write what a row says as a coding sheet."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from nlp_coder.codesheet.answers import Sheet, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook, Question, load_codebook
from nlp_coder.codesheet.dates import Date
from nlp_coder.codesheet.implied import TYPE_COLUMNS
from nlp_coder.errors import InputError

_MEM = re.compile(r"mem(\d+)$")


def load_atop(path: str | Path) -> dict[int, dict[str, int | None]]:
    """ATOP alliance-level rows by ``atopid``; empty cells become None."""
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "atopid" not in reader.fieldnames:
                raise InputError(f"{p}: not an ATOP alliance-level CSV (no 'atopid' column)")
            rows: dict[int, dict[str, int | None]] = {}
            for line in reader:
                row = {k: _number(v) for k, v in line.items() if k}
                if row.get("atopid") is not None:
                    rows.setdefault(int(row["atopid"]), row)  # first phase of multi-phase alliances
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{p}: not a readable CSV file ({type(exc).__name__})") from exc
    return rows


def atop_row(path: str | Path, atopid: int) -> dict[str, int | None]:
    rows = load_atop(path)
    if atopid not in rows:
        raise InputError(f"{path}: no alliance with atopid {atopid}")
    return rows[atopid]


def _number(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def members_of(row: dict[str, int | None]) -> list[int]:
    return [v for k, v in sorted(row.items(), key=lambda kv: _mem_index(kv[0])) if _MEM.match(k) and v]


def _mem_index(name: str) -> int:
    m = _MEM.match(name)
    return int(m.group(1)) if m else 0


def row_codes(row: dict[str, int | None], cb: Codebook) -> dict[str, int]:
    """The codes of a row for the columns the codebook knows, members as mem1..memN."""
    codes = {k: v for k, v in row.items() if k in cb.columns and v is not None}
    codes.update({f"mem{i}": c for i, c in enumerate(members_of(row), 1)})
    return codes


def sheet_from_atop(row: dict[str, int | None], codebook: Codebook | None = None) -> Sheet:
    """A sheet whose answers state what the dataset row codes (answers for the coder to read)."""
    cb = codebook or load_codebook()
    answers = {}
    for q in cb.questions:
        text, codes = _answer_for(q, row, cb)
        yes_no = None
        if q.has_yes_no and text:
            yes_no = "yes" if text.startswith("Yes") else "no" if text.startswith("No") else None
        answers[q.number] = SheetAnswer(q.number, text, yes_no, codes, source="atop")
    header = f"ATOP 5.1 dataset row for alliance {row.get('atopid')} (rendered by nlp-coder)"
    return Sheet(answers, header=header)


def _answer_for(q: Question, row: dict[str, int | None], cb: Codebook) -> tuple[str, dict[str, int]]:
    cols = [c for c in q.columns if c != "mem"]
    codes = {c: row[c] for c in cols if row.get(c) is not None}
    if q.kind == "members":
        members = members_of(row)
        from nlp_coder.codesheet.countries import load_countries

        table = load_countries()
        codes.update({f"mem{i}": c for i, c in enumerate(members, 1)})
        return "\n".join(f"{c} {table.name(c)}" for c in members), codes
    if q.kind == "id":
        value = row.get(q.columns[0]) if q.columns else None
        return (str(value) if value is not None else "NA"), codes
    if q.kind == "date":
        return _date_answer(q, row), codes
    if q.kind == "types":
        chosen = [o.label for o in q.options if any(row.get(c) == 1 for c in o.codes if c in TYPE_COLUMNS)]
        return (", ".join(chosen) if chosen else "None"), codes
    if q.kind == "choice":
        for option in q.options:
            if option.codes and all(row.get(c) == v for c, v in option.codes.items()):
                return option.label, codes
        return _code_list(codes, cb), codes
    if q.kind == "conditions":
        if row.get("conditio") == 0:
            return "none", codes
        named = [c.upper() for c in ("defcon", "offcon", "neucon", "concon") if row.get(c) == 1]
        return ("Yes. Conditional obligations: " + ", ".join(named)) if named else "", codes
    if q.kind == "yes_no":
        if not codes:
            return "", codes
        if codes == q.implies.on_no or (not q.implies.on_no and all(v == 0 for v in codes.values())):
            return "No", codes
        if (
            q.implies.on_yes
            and codes == {**codes, **q.implies.on_yes}
            and not any(codes.get(c) for c in q.implies.yes_nonzero)
            and all(codes.get(c, 0) == 0 for c in codes if c not in q.implies.on_yes)
        ):
            return "Yes", codes
        return "Yes. " + _code_list(codes, cb), codes
    if codes:
        return _code_list(codes, cb), codes
    return "", codes


def _code_list(codes: dict[str, int], cb: Codebook) -> str:
    return "; ".join(f"{c.upper()}={v} ({cb.column(c).code_label(v)})" for c, v in codes.items())


def _date_answer(q: Question, row: dict[str, int | None]) -> str:
    cols = [c for c in q.columns if c != "ineffect"]
    if len(cols) < 3:
        return ""
    year, month, day = (row.get(c) for c in cols[:3])
    if row.get("ineffect") == 1:
        return "In effect (no termination date)"
    if not year:
        return ""
    return Date(year, month or None, day or None).long()

"""Gold codes of a corpus entry (its sheet, its ATOP row) and the baselines drawn from ATOP."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.errors import InputError
from nlp_coder.learn.corpus import Corpus, Entry

SKIP_COLUMNS = {"mem", "atopid", "cowid", "cow4id"}


def scored_columns(cb: Codebook) -> list[str]:
    """The text-derivable columns a draft is scored on (not the members, which are scored as a set)."""
    return [c for c in cb.text_columns() if c not in SKIP_COLUMNS]


@dataclass
class Scored:
    """One system's codes and answers for one treaty."""

    codes: dict[str, int]
    answers: list[dict] = field(default_factory=list)  # the draft JSON's answers


def gold_codes(entry: Entry, atop_csv: Path | None, cb: Codebook) -> dict[str, int]:
    """Gold codes of a manifest entry: its gold sheet's, then the ATOP row (phase-aware) on top."""
    from nlp_coder.codesheet.atop import load_atop, row_codes
    from nlp_coder.codesheet.sheet import read_sheet
    from nlp_coder.learn.dataset import _phase_rows

    codes: dict[str, int] = {}
    if entry.sheet is not None:
        codes.update(read_sheet(entry.sheet, cb).atop(cb))
    if entry.atop_id is not None and atop_csv is not None:
        rows = load_atop(atop_csv)
        if entry.atop_id not in rows:
            raise InputError(
                f"{atop_csv}: no alliance with atopid {entry.atop_id} (manifest line {entry.line})"
            )
        row = _phase_rows(atop_csv).get((entry.atop_id, entry.phase or 0)) or rows[entry.atop_id]
        if entry.phase:  # a later phase begins at its amendment; the text carries the alliance's signature
            row = {**row, **{c: rows[entry.atop_id].get(c) for c in ("begyr", "begmo", "begday")}}
        codes.update({k: v for k, v in row_codes(row, cb).items() if v is not None})
    return codes


def check_has_gold(corpus: Corpus, atop_csv: Path | None) -> None:
    """InputError unless some entry has gold: a sheet, or an atop_id with the ATOP csv to look it up in.
    (Drafts given with ``--drafts`` are what is scored, never gold.)"""
    if any(e.sheet is not None or (e.atop_id is not None and atop_csv is not None) for e in corpus.entries):
        return
    with_id = sum(e.atop_id is not None for e in corpus.entries)
    if with_id:
        why = f"no entry has a sheet, and no ATOP csv was given for the {with_id} with an atop_id"
    else:
        why = "no entry has an atop_id or a sheet"
    raise InputError(
        f"{corpus.manifest}: no gold to score against: give --atop-csv for entries with atop_id, "
        f"or sheets ({why})"
    )


def majority_prior(atop_csv: Path, columns: list[str]) -> dict[str, int]:
    from nlp_coder.codesheet.atop import load_atop

    rows = list(load_atop(atop_csv).values())
    prior = {}
    for c in columns:
        values = Counter(r.get(c) for r in rows if r.get(c) is not None)
        if values:
            prior[c] = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return prior


def code_priors(atop_csv: Path | None, cb: Codebook) -> dict[str, int]:
    """Most common non-default code of each column in ATOP: the code a bare "yes" most likely means."""
    if atop_csv is None:
        return {}
    from collections import Counter

    from nlp_coder.codesheet.atop import load_atop

    rows = load_atop(atop_csv).values()
    priors = {}
    for name, col in cb.columns.items():
        default = col.default if col.default is not None else 0
        values = Counter(r.get(name) for r in rows if r.get(name) not in (None, default))
        if values:
            priors[name] = int(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return priors

"""The clause bank (``corpora/clauses.jsonl``): short treaty clauses written by the team, each labelled with
the question, column and code it expresses (``positive``) or resembles without expressing (``near_miss``),
loaded as a ``datasets.DatasetDict`` with its ``train`` and held-out ``test`` splits."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.errors import InputError
from nlp_coder.paths import CORPORA_DIR

DEFAULT_CLAUSES = CORPORA_DIR / "clauses.jsonl"
COLUMNS = ("id", "text", "question", "column", "code", "label", "era", "split", "also", "conditional")


class Clause(BaseModel):
    """One line of the clause bank."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    text: str = Field(min_length=10)
    question: int = Field(ge=1, le=61)
    column: str
    code: int
    label: Literal["positive", "near_miss"]
    era: str
    split: Literal["train", "test"]
    style: str | None = None
    conditional: bool = False
    also: list[str] = Field(default_factory=list)
    near_miss_of: str | None = None
    kind: str | None = None
    note: str | None = None


def read_clauses(path: str | Path | None = None, codebook: Codebook | None = None) -> list[Clause]:
    """Every clause, checked: InputError names the file and line of the first bad one."""
    from nlp_coder.configfile import first_problem, jsonl_objects

    p = Path(path) if path is not None else DEFAULT_CLAUSES
    cb = codebook or load_codebook()
    known = set(cb.columns)
    clauses, seen = [], set()
    for n, row in jsonl_objects(p, "clause bank", '{"id", "text", "question", "column", "code", "label", ...}'):
        try:
            clause = Clause.model_validate(row)
        except ValidationError as exc:
            raise InputError(f"{p}:{n}: {first_problem(exc, Clause.model_fields)}") from None
        if clause.column not in known or any(c not in known for c in clause.also):
            raise InputError(f"{p}:{n}: column {clause.column!r} is not an ATOP column of the codebook")
        if clause.column not in cb.question(clause.question).columns:
            raise InputError(f"{p}:{n}: column {clause.column!r} does not belong to question {clause.question}")
        if clause.id in seen:
            raise InputError(f"{p}:{n}: id {clause.id!r} appears twice")
        seen.add(clause.id)
        clauses.append(clause)
    if not clauses:
        raise InputError(f"{p}: the clause bank has no clauses")
    return clauses


def load_clauses(path: str | Path | None = None):
    """The clause bank as a ``datasets.DatasetDict`` with ``train`` and ``test`` (file order kept)."""
    from datasets import Dataset, DatasetDict

    clauses = read_clauses(path)
    splits = {}
    for split in ("train", "test"):
        rows = [c.model_dump() for c in clauses if c.split == split]
        splits[split] = Dataset.from_dict({k: [r[k] for r in rows] for k in COLUMNS})
    return DatasetDict(splits)

"""The clause bank (``corpora/clauses.jsonl``): short treaty clauses written by the team, each labelled with
the question, column and code it expresses (``positive``) or resembles without expressing (``near_miss``),
loaded as a ``datasets.DatasetDict`` with its ``train`` and held-out ``test`` splits; and, beside it, the
team's span annotations of real treaties and the weak negatives of trade agreements as ``datasets.Dataset``s.

``datasets`` is imported inside the functions that build datasets, so drafting never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.errors import InputError
from nlp_coder.learn.corpus import Corpus, read_manifest
from nlp_coder.paths import CORPORA_DIR

DEFAULT_CLAUSES = CORPORA_DIR / "clauses.jsonl"
COLUMNS = ("id", "text", "question", "column", "code", "label", "era", "split", "also", "conditional")
EXTRA_COLUMNS = ("style", "near_miss_of", "kind", "note")
OBLIGATION_TYPES = ("defense", "offense", "neutral", "nonagg", "consul")
WEAK_LABEL = "none"  # a trade agreement's sentence expresses no obligation type


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
    for n, row in jsonl_objects(
        p, "clause bank", '{"id", "text", "question", "column", "code", "label", ...}'
    ):
        try:
            clause = Clause.model_validate(row)
        except ValidationError as exc:
            raise InputError(f"{p}:{n}: {first_problem(exc, Clause.model_fields)}") from None
        if clause.column not in known or any(c not in known for c in clause.also):
            raise InputError(f"{p}:{n}: column {clause.column!r} is not an ATOP column of the codebook")
        if clause.column not in cb.question(clause.question).columns:
            raise InputError(
                f"{p}:{n}: column {clause.column!r} does not belong to question {clause.question}"
            )
        if clause.id in seen:
            raise InputError(f"{p}:{n}: id {clause.id!r} appears twice")
        seen.add(clause.id)
        clauses.append(clause)
    if not clauses:
        raise InputError(f"{p}: the clause bank has no clauses")
    return clauses


def load_clauses(path: str | Path | None = None):
    """The clause bank as a ``datasets.DatasetDict`` with ``train`` and ``test`` (file order kept)."""
    from datasets import Dataset, DatasetDict, Features, Sequence, Value

    string, integer = Value("string"), Value("int64")
    features = Features(
        {
            "id": string, "text": string, "question": integer, "column": string, "code": integer,
            "label": string, "era": string, "split": string, "also": Sequence(string),
            "conditional": Value("bool"), **{k: string for k in EXTRA_COLUMNS},
        }
    )  # fmt: skip
    clauses = read_clauses(path)
    splits = {}
    for split in ("train", "test"):
        rows = [c.model_dump() for c in clauses if c.split == split]
        splits[split] = Dataset.from_dict({k: [r[k] for r in rows] for k in features}, features=features)
    return DatasetDict(splits)


def _corpus(corpus: Corpus | str | Path, data_root: str | Path | None) -> Corpus:
    return corpus if isinstance(corpus, Corpus) else read_manifest(corpus, data_root)


def span_dataset(corpus: Corpus | str | Path, data_root: str | Path | None = None):
    """The team's span annotations of a corpus's treaties as a ``datasets.Dataset``: one row per annotated
    span and ATOP column it settles (``column``/``code`` empty when the span settles no code), with the
    quoted ``text`` read from the treaty at run time; ``positive`` is false for a checked negative."""
    from nlp_coder.learn.labels import read_annotations
    from nlp_coder.text.treaty import load_treaty

    rows = []
    for entry in _corpus(corpus, data_root).entries:
        if entry.annotations is None:
            continue
        treaty = load_treaty(entry.text)
        for label in read_annotations(entry.annotations, treaty.sha256):
            if label.end > len(treaty.text):
                raise InputError(f"{entry.annotations}: span {label.start}-{label.end} is outside the text")
            span = {
                "treaty_id": entry.id,
                "question": label.question,
                "start": label.start,
                "end": label.end,
                "text": treaty.text[label.start : label.end],
                "positive": label.positive,
            }
            for column, code in sorted(label.codes.items()) or [(None, None)]:
                rows.append({**span, "column": column, "code": code})
    return _dataset(rows, SPAN_FEATURES)


def tota_weak_dataset(manifest: Corpus | str | Path, data_root: str | Path | None = None):
    """Every sentence of the weakly labelled treaties of a manifest (ToTA trade agreements, which make no
    alliance promise) as a ``datasets.Dataset`` of weak negatives for all five obligation types
    (``label`` is ``"none"``), with the kind of part it stands in and the text's language to filter on."""
    from nlp_coder.text.treaty import load_treaty

    rows = []
    for entry in _corpus(manifest, data_root).entries:
        if not entry.weak:
            continue
        treaty = load_treaty(entry.text)
        for start, end in treaty.sentences():
            part = treaty.part_at(start)
            rows.append(
                {
                    "treaty_id": entry.id,
                    "start": start,
                    "end": end,
                    "text": treaty.text[start:end],
                    "label": WEAK_LABEL,
                    "part": part.kind if part else "",
                    "language": treaty.language.code,
                }
            )
    return _dataset(rows, WEAK_FEATURES)


def _corpus(corpus: Corpus | str | Path, data_root: str | Path | None) -> Corpus:
    return corpus if isinstance(corpus, Corpus) else read_manifest(corpus, data_root)


def _dataset(rows: list[dict], types: dict[str, str]):
    from datasets import Dataset, Features, Value

    features = Features({k: Value(v) for k, v in types.items()})
    return Dataset.from_dict({k: [r[k] for r in rows] for k in types}, features=features)


SPAN_FEATURES = {
    "treaty_id": "string", "question": "int64", "start": "int64", "end": "int64", "text": "string",
    "column": "string", "code": "int64", "positive": "bool",
}  # fmt: skip
WEAK_FEATURES = {
    "treaty_id": "string", "start": "int64", "end": "int64", "text": "string", "label": "string",
    "part": "string", "language": "string",
}  # fmt: skip

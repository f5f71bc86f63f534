"""The predictor contract: scikit-learn style (``fit`` returns self), answers with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.text.treaty import Treaty


@runtime_checkable
class Predictor(Protocol):
    """Answers some questions of the codesheet for a treaty."""

    name: str
    questions: tuple[int, ...]

    def fit(self, corpus: object = None) -> Predictor: ...

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]: ...


@dataclass
class Candidate:
    """One predictor's proposed answer to a question; the reconciler combines a question's candidates."""

    by: str
    answer: SheetAnswer
    scores: dict[str, float] = field(default_factory=dict)  # per column, where the predictor scores them
    quotes: dict[str, Evidence] = field(default_factory=dict)  # per scored column, its best passage
    veto: float = 0.0  # another predictor's claim of a scored column stands only at this score or more
    claims: dict[str, float] = field(default_factory=dict)  # per column, the score at which it claims it
    read: tuple[tuple[int, int, dict[str, float]], ...] = ()  # (start, end, scores) of every passage it scored

    def read_within(self, start: int, end: int) -> dict[str, float] | None:
        """The highest score per column over the scored passages that overlap ``[start, end)``; None when
        this predictor scored none of them."""
        found = [scores for s, e, scores in self.read if s < end and start < e]
        if not found:
            return None
        return {column: max(f.get(column, 0.0) for f in found) for column in found[0]}


def evidence(treaty: Treaty, start: int, end: int) -> Evidence:
    """Evidence for ``text[start:end]``, labelled with the innermost part that holds it."""
    part = treaty.part_at(start)
    return Evidence(treaty.text[start:end], part.label if part else None, start, end)


class RulePredictor:
    """Base for predictors that need no training: ``fit`` only checks the codebook is there."""

    name = "rules.v1"
    questions: tuple[int, ...] = ()

    def __init__(self, codebook: Codebook):
        self.codebook = codebook

    def fit(self, corpus: object = None) -> RulePredictor:
        return self

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:  # pragma: no cover - abstract
        raise NotImplementedError

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
    # per column, the columns it yields to, and by how much one of them must outscore it on a passage (which
    # this predictor claims for that one but not for it) for the passage not to support it (``supports``)
    yields: dict[str, list[str] | dict[str, float]] = field(default_factory=dict)
    outrank: float = 1.0

    def supports(self, scores: dict[str, float], column: str) -> bool:
        """Whether a passage so scored can support ``column``: not when this predictor does not claim it there
        and claims there a column it yields to, by ``outrank`` or more (a sentence read 0.99 as a promise to
        stay out of a partner's war and 0.44 as one to defend it is a neutrality promise)."""
        own = scores.get(column, 0.0)
        if own >= self.claims.get(column, 1.0):
            return True
        return not any(
            scores.get(o, 0.0) >= self.claims.get(o, 1.0) and scores.get(o, 0.0) - own >= self.outrank
            for o in self.yields.get(column, ())
        )


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

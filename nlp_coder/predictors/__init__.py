"""Per-question predictors, registered under versioned names, and the drafter that runs them."""

from __future__ import annotations

from nlp_coder.codesheet.answers import SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.predictors.base import Candidate, Predictor
from nlp_coder.predictors.duration import DurationPredictor
from nlp_coder.predictors.external import ExternalPredictor
from nlp_coder.predictors.obligations import ObligationPredictor
from nlp_coder.predictors.parties import MembersPredictor, SignatureDatePredictor
from nlp_coder.predictors.provisions import ProvisionPredictor
from nlp_coder.predictors.structure import SecretPartsPredictor, SymmetryPredictor
from nlp_coder.text.treaty import Treaty

REGISTRY: dict[str, type] = {
    p.name: p
    for p in (
        ExternalPredictor,
        SignatureDatePredictor,
        MembersPredictor,
        ObligationPredictor,
        DurationPredictor,
        SecretPartsPredictor,
        SymmetryPredictor,
        ProvisionPredictor,
    )
}
# Every predictor proposes; the reconciler chooses (the order only breaks exact ties).
DEFAULT_PIPELINE = (
    "external.v1",
    "signature_date.v1",
    "members.v1",
    "obligations.v1",
    "duration.v1",
    "secret_parts.v1",
    "symmetry.v1",
    "provisions.v1",
)


class Drafter:
    """Runs every predictor and gathers their candidate answers by question."""

    def __init__(self, codebook: Codebook, predictors: list[Predictor]):
        self.codebook = codebook
        self.predictors = predictors

    def candidates(self, treaty: Treaty) -> dict[int, list[Candidate]]:
        """Every predictor's answers, by question, in pipeline order (a question no predictor answers gets
        an empty open answer)."""
        found: dict[int, list[Candidate]] = {q.number: [] for q in self.codebook.questions}
        for predictor in self.predictors:
            for number, answer in predictor.predict(treaty).items():
                found.setdefault(number, []).append(Candidate(predictor.name, answer))
        for number, candidates in found.items():
            if not candidates:
                empty = SheetAnswer(number, "", confidence=0.0, needs_review=True, source="text")
                candidates.append(Candidate("none", empty))
        return found


def build_predictor(name: str, codebook: Codebook) -> Predictor:
    if name not in REGISTRY:
        raise KeyError(f"unknown predictor {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name](codebook).fit()


_DRAFTERS: dict[int, Drafter] = {}


def rules_drafter(codebook: Codebook) -> Drafter:
    """The shipped pipeline, fitted once per codebook and reused (fitting compiles every pattern)."""
    key = id(codebook)
    if key not in _DRAFTERS:
        _DRAFTERS[key] = Drafter(codebook, [build_predictor(name, codebook) for name in DEFAULT_PIPELINE])
    return _DRAFTERS[key]

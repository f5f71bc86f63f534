"""The learned predictor (``tfidf_lr.v1``): passage classifiers from a trained model, applied where
they beat the rules in cross-validation; elsewhere the rules' answers stand."""

from __future__ import annotations

import numpy as np

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.predictors.base import Candidate
from nlp_coder.predictors.model import Model
from nlp_coder.text.treaty import Treaty

NAME = "tfidf_lr.v1"
TYPE_TARGETS = ("defense", "offense", "neutral", "nonagg", "consul")


def treaty_probabilities(
    treaty: Treaty, model: Model, only: list[str] | None = None
) -> dict[str, tuple[float, int, int]]:
    """For each target of the model (or those in ``only``): (probability of its best passage, its start, end).

    The passages are vectorised once; every classifier of a model shares the model's idf.
    """
    from nlp_coder.predictors.classifier import counts, tfidf
    from nlp_coder.text.passages import MAX_PASSAGE, passages

    wanted = sorted(only if only is not None else model.classifiers)
    if not wanted:
        return {}
    spans = passages(treaty)
    features = tfidf(counts([treaty.text[s:e][:MAX_PASSAGE] for s, e in spans]), model.idf)
    out = {}
    for target in wanted:
        proba = model.classifiers[target].predict_proba_features(features)[:, 1]
        k = int(np.argmax(proba))
        out[target] = (float(proba[k]), *spans[k])
    return out


class LearnedPredictor:
    """Overrides the rules' answer for the targets where the model won."""

    name = NAME

    def __init__(self, model: Model, codebook: Codebook):
        self.model = model
        self.codebook = codebook

    def apply(self, treaty: Treaty, answers: dict[int, SheetAnswer]) -> dict[int, SheetAnswer]:
        won = [t for t in self.model.classifiers if self.model.winner(t) == "model"]
        if not won:
            return answers
        probabilities = treaty_probabilities(treaty, self.model, won)
        for target in won:
            p, start, end = probabilities[target]
            if target in TYPE_TARGETS:
                self._type(treaty, answers[16], target, p, start, end)
            else:
                number = int(target[1:])
                answers[number] = self._yes_no(treaty, answers[number], p, start, end)
        return answers

    def _evidence(self, treaty: Treaty, start: int, end: int) -> Evidence:
        sentences = treaty.sentences_in(start, end) or [(start, end)]
        s, e = sentences[0]
        part = treaty.part_at(s)
        return Evidence(treaty.text[s:e], part.label if part else None, s, e)

    def _type(self, treaty: Treaty, q16: SheetAnswer, target: str, p: float, start: int, end: int) -> None:
        """Adds a type the classifier finds; it never removes one (the cues and the heads found those on
        evidence of their own, and the heads' veto is what drops a cue's type)."""
        if p < 0.5 or q16.codes.get(target):
            return
        q16.codes[target] = 1
        q16.needs_review = True
        q16.confidence = min(q16.confidence or 1.0, p)
        q16.evidence.append(self._evidence(treaty, start, end))
        labels = [o.label for o in self.codebook.question(16).options if any(q16.codes.get(c) for c in o.codes)]
        q16.answer = ", ".join(labels) if labels else "None"

    def _yes_no(self, treaty: Treaty, rules: SheetAnswer, p: float, start: int, end: int) -> SheetAnswer:
        q = self.codebook.question(rules.question)
        says_yes = p >= 0.5
        rules_yes = rules.yes_no == "yes" if q.has_yes_no else bool(any(rules.codes.values()))
        confidence = round(p if says_yes else 1 - p, 2)
        if says_yes == rules_yes:
            rules.confidence = round(max(rules.confidence or 0.0, confidence), 2)
            return rules
        if not says_yes:
            codes = dict(q.implies.on_no) if q.has_yes_no else {c: 0 for c in q.columns}
            return SheetAnswer(
                q.number,
                "No",
                "no" if q.has_yes_no else None,
                codes,
                confidence=confidence,
                needs_review=True,
                source="text",
            )
        priors = self.model.meta.get("code_priors", {})
        codes = dict(q.implies.on_yes)
        for column in q.implies.yes_nonzero or q.columns:
            if column not in codes and column in priors:
                codes[column] = int(priors[column])
        ev = self._evidence(treaty, start, end)
        text = f"Yes (learned model, p={p:.2f}; code to be checked) ({ev.part or 'text'}): “{' '.join(ev.quote.split())}”"
        return SheetAnswer(
            q.number,
            text,
            "yes" if q.has_yes_no else None,
            codes,
            evidence=[ev],
            confidence=confidence,
            needs_review=True,
            source="text",
        )


SEMANTIC = "semantic.v1"


class SemanticPredictor:
    """Q16 candidates from the semantic heads: each type's best sentence and its probability."""

    name = SEMANTIC

    def __init__(self, model: Model, codebook: Codebook, encoder: object = None):
        self.model = model
        self.codebook = codebook
        self.encoder = encoder

    def candidate(self, treaty: Treaty) -> Candidate | None:
        from nlp_coder.predictors.encoder import load_encoder
        from nlp_coder.predictors.semantic import claim_thresholds, score

        if self.model.heads is None:
            return None
        settings = self.model.extras.get("semantic", {})
        claims = claim_thresholds(settings.get("claim", 0.8), self.model.heads.targets)
        encoder = self.encoder or load_encoder(self.model.heads.encoder)
        yields, margin = settings.get("yields"), float(settings.get("yield_margin", 0.0))
        best, read = score(treaty, self.model.heads, encoder, yields, margin)
        codes, evidence, quotes = {}, [], {}
        for target, scored in best.items():
            codes[target] = int(scored.p >= claims[target])
            if scored.end > scored.start:
                part = treaty.part_at(scored.start)
                label = part.label if part else None
                quotes[target] = Evidence(treaty.text[scored.start : scored.end], label, scored.start, scored.end)
                if codes[target]:
                    evidence.append(quotes[target])
        answer = SheetAnswer(16, "", codes=codes, evidence=evidence, source="text")
        scores = {t: s.p for t, s in best.items()}
        veto = float(settings.get("veto", 0.0))
        outrank = float(settings.get("outrank", 1.0))
        return Candidate(self.name, answer, scores, quotes, veto, claims, read, dict(yields or {}), outrank)

"""Answers read from the treaty's structure: secret protocols (Q7) and the symmetry of obligations (Q24)."""

from __future__ import annotations

import re

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.predictors.base import RulePredictor
from nlp_coder.predictors.provisions import sentence_units
from nlp_coder.text.treaty import Treaty

_ASYMMETRIC = re.compile(
    r"\b(?:shall|will) not be (?:obliged|bound|required) to\b|\bunilateral(?:ly)? (?:guarantee|undertaking|obligation)\b"
    r"|\bguarantees? the (?:independence|integrity|territor\w*) of\b|\bwithout (?:any )?reciprocal obligation\b",
    re.I,
)


class SecretPartsPredictor(RulePredictor):
    """Q7: a protocol or article headed as secret makes the treaty public with secret articles."""

    name = "secret_parts.v1"
    questions = (7,)

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        for part in treaty.parts:
            if part.kind in ("protocol", "annex", "article") and re.search(r"\bsecret\b", part.label, re.I):
                head_end = min(part.end, part.start + len(part.label) + 200)
                ev = Evidence(treaty.text[part.start : head_end], part.label, part.start, head_end)
                text = f"Public with secret articles. {part.label} is to be kept secret."
                return {
                    7: SheetAnswer(
                        7,
                        text,
                        None,
                        {"pubsecr": 1},
                        evidence=[ev],
                        confidence=0.85,
                        needs_review=True,
                        source="text",
                    )
                }
        return {}


class SymmetryPredictor(RulePredictor):
    """Q24: obligations are symmetric unless the text binds one party differently from another."""

    name = "symmetry.v1"
    questions = (24,)

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        for start, end, sentence, kind in sentence_units(treaty):
            if kind != "preamble" and _ASYMMETRIC.search(sentence):
                part = treaty.part_at(start)
                ev = Evidence(treaty.text[start:end], part.label if part else None, start, end)
                quote = " ".join(sentence.split())
                return {
                    24: SheetAnswer(
                        24,
                        f"No. Obligations differ among the parties: “{quote}”",
                        "no",
                        {"asymm": 1},
                        evidence=[ev],
                        confidence=0.55,
                        needs_review=True,
                        source="text",
                    )
                }
        return {
            24: SheetAnswer(24, "Yes", "yes", {"asymm": 0}, confidence=0.85, needs_review=True, source="text")
        }

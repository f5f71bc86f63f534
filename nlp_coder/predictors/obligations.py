"""Q16/Q18 (obligation types and their description) and Q19/Q20 (the conditions that limit them).

The types come from the cues in ``configs/obligations.yaml``; the conditions are read from the very
sentences that carry each obligation, because a condition only limits the promise it is part of.
"""

from __future__ import annotations

import re

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.codesheet.countries import load_countries
from nlp_coder.codesheet.implied import CONDITION_COLUMNS, TYPE_COLUMNS
from nlp_coder.paths import CONFIG_DIR
from nlp_coder.predictors.base import RulePredictor
from nlp_coder.predictors.provisions import ProvisionPredictor, load_provisions
from nlp_coder.text.treaty import Treaty

DEFAULT_OBLIGATIONS = CONFIG_DIR / "obligations.yaml"
TYPE_NAMES = {
    "defense": "defense",
    "offense": "offense",
    "neutral": "neutrality",
    "nonagg": "nonaggression",
    "consul": "consultation",
}
# Conditions of Q19, each with the wording that signals it inside an obligation's sentence.
CONDITIONS: dict[str, list[str]] = {
    "specific location": [
        r"\bin (europe|asia|africa|north america|south america|latin america|the americas|the (far|middle|near) east|"
        r"the balkans|the pacific|the atlantic|the mediterranean|the baltic|the caribbean|the persian gulf)\b",
        r"\b(in|on|against) (its|their|his) (home|metropolitan) territor(y|ies)\b",
        r"\bin the (?-i:[A-Z][a-z]+) (area|region)\b",
        r"\b(north atlantic|pacific|treaty) area\b",
    ],
    "specific adversary": [
        r"\bby (a|any) (european|asiatic|asian|american|african|neighbo(u)?ring|foreign|non-member|communist) "
        r"(power|state|nation|country)\b",
    ],
    "number of adversaries": [
        r"\b(two|three|several) or more (powers|states|nations)\b",
        r"\bmore than one (power|state|nation)\b",
        r"\bby (a single|one single|only one) (power|state)\b",
    ],
    "specific ongoing conflict": [
        r"\b(the )?(present|current|existing|ongoing) (war|hostilities|conflict)\b"
    ],
    "nonprovocation of enemy": [
        r"\bunprovoked\b",
        r"\bwithout (any )?provocation\b",
        r"\bnot (having )?provoked\b",
        r"\bnotwithstanding (its|their|his) (peaceful|pacific|peaceable) (attitude|conduct|behaviou?r|policy)\b",
        r"\bwithout (any )?(aggressive|hostile) (act|action|conduct) on (its|their|his) part\b",
    ],
    "noncompliance with a specific demand": [
        r"\bif .{0,60}\b(refuses?|fails?) to (comply|accept|withdraw|evacuate)\b"
    ],
    "prior agreement among partners": [
        r"\b(by|after|upon|subject to) (mutual|common|prior|previous|joint) (agreement|consent|accord)\b.{0,40}"
        r"\b(action|assistance|measures|support|forces)\b",
    ],
}
# Conditions that only limit one kind of obligation: neutrality owed when the partner is attacked (NEUCOATT),
# consultation owed when a partner asks for it (CONCOREQ).
TYPE_CONDITIONS: dict[str, dict[str, list[str]]] = {
    "neutral": {
        "attack": [
            r"\b(is|be|been|being|are) (the )?(object of an? |victim of an? )?(armed )?(attack(ed)?|aggression|invaded)\b",
            r"\b(attack|aggression|invasion) (by|of|from) (a|any|one|another|some) (third )?(power|state|country)\b",
        ]
    },
    "consul": {
        "at the request of a party": [
            r"\bat the request of\b",
            r"\b(upon|on) (the )?request\b",
            r"\bif (either|one|any) (of the )?(high contracting |contracting )?(part(y|ies)|governments?|states?) "
            r"(so )?requests?\b",
        ]
    },
}
# A place limits a promise only as the place of the event that calls for it (an attack "in Europe"); a
# sentence naming a region as the subject of the talks ("exchange views on the problems of the Pacific area")
# sets no condition.
EVENT = re.compile(
    r"\b(attack\w*|aggression|aggressor|inva(sion|ded|de|des)|war|hostilities|armed conflict|threat\w*|menace\w*|"
    r"danger\w*|emergenc\w+|crisis|disturbances?|outbreak|breach of the peace)\b",
    re.I,
)
NEEDS_EVENT = {"specific location"}
_CONDITIONS = {name: [re.compile(p, re.I) for p in patterns] for name, patterns in CONDITIONS.items()}
_TYPE_CONDITIONS = {
    column: {name: [re.compile(p, re.I) for p in patterns] for name, patterns in conditions.items()}
    for column, conditions in TYPE_CONDITIONS.items()
}


class ObligationPredictor(RulePredictor):
    """Q16, Q18, Q19 and Q20 from the obligation cues and the conditions in their sentences."""

    name = "obligations.v1"
    questions = (16, 18, 19, 20)

    def __init__(self, codebook: Codebook):
        super().__init__(codebook)

    def fit(self, corpus: object = None) -> ObligationPredictor:
        self.types_ = ProvisionPredictor(self.codebook, load_provisions(DEFAULT_OBLIGATIONS)).fit()
        return self

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        if not hasattr(self, "types_"):
            raise RuntimeError("ObligationPredictor is not fitted; call fit() first")
        q16 = self.types_.predict(treaty)[16]
        matches = self.types_.matches(treaty, 16)
        by_type: dict[str, list[tuple[int, int]]] = {}
        for m in matches:
            for column, value in m.cue.codes.items():
                if column in TYPE_COLUMNS and value:
                    by_type.setdefault(column, []).append((m.start, m.end))
        return {16: q16, 18: _describe(treaty, q16, by_type), **self._conditions(treaty, by_type)}

    def _conditions(
        self, treaty: Treaty, by_type: dict[str, list[tuple[int, int]]]
    ) -> dict[int, SheetAnswer]:
        found: list[tuple[str, str, int, int]] = []  # (condition, obligation column, start, end)
        parties = _party_codes(treaty)
        table = load_countries()
        for column, spans in by_type.items():
            if column not in CONDITION_COLUMNS:
                continue
            for start, end in spans:
                sentence = treaty.text[start:end]
                for condition, patterns in (*_CONDITIONS.items(), *_TYPE_CONDITIONS.get(column, {}).items()):
                    if any(p.search(sentence) for p in patterns) and (
                        condition not in NEEDS_EVENT or EVENT.search(sentence)
                    ):
                        found.append((condition, column, start, end))
                others = [m for m in table.find(sentence) if m.code not in parties]
                if others and re.search(r"\b(attack|aggression|war)\b", sentence, re.I):
                    found.append(("specific adversary", column, start, end))
        codes = {"conditio": 0, **{c: 0 for c in CONDITION_COLUMNS.values()}}
        if not by_type:
            return {
                19: SheetAnswer(19, "none", codes=codes, confidence=0.7, needs_review=True, source="text"),
                20: SheetAnswer(20, "NA", confidence=0.7, needs_review=True, source="text"),
            }
        if not found:
            # most neutrality and offense promises in ATOP are conditional: "none" is then a weak answer
            confidence = 0.45 if {"neutral", "offense"} & set(by_type) else 0.75
            return {
                19: SheetAnswer(
                    19, "none", codes=codes, confidence=confidence, needs_review=True, source="text"
                ),
                20: SheetAnswer(20, "NA", confidence=confidence, needs_review=True, source="text"),
            }
        codes["conditio"] = 1
        lines, evidence = [], []
        for condition, column, start, end in found:
            codes[CONDITION_COLUMNS[column]] = 1
            lines.append(f"{condition[:1].upper()}{condition[1:]} ({TYPE_NAMES[column]})")
            part = treaty.part_at(start)
            evidence.append(Evidence(treaty.text[start:end], part.label if part else None, start, end))
        evidence = list({(e.start, e.end): e for e in evidence}.values())[:3]
        answer = "; ".join(dict.fromkeys(lines))
        where = ", ".join(dict.fromkeys(e.part for e in evidence if e.part))
        q20 = f"The obligation applies only under the condition(s) stated in {where}."
        return {
            19: SheetAnswer(
                19, answer, codes=codes, evidence=evidence, confidence=0.7, needs_review=True, source="text"
            ),
            20: SheetAnswer(20, q20, evidence=evidence, confidence=0.6, needs_review=True, source="text"),
        }


def _describe(treaty: Treaty, q16: SheetAnswer, by_type: dict[str, list[tuple[int, int]]]) -> SheetAnswer:
    if not by_type:
        return SheetAnswer(
            18,
            "No obligation of the five ATOP types was found in the text.",
            confidence=0.5,
            needs_review=True,
            source="text",
        )
    lines, evidence = [], []
    for column in TYPE_COLUMNS:
        if column not in by_type:
            continue
        start, end = by_type[column][0]
        part = treaty.part_at(start)
        quote = " ".join(treaty.text[start:end].split())
        lines.append(f"{TYPE_NAMES[column].capitalize()} ({part.label if part else 'text'}): “{quote}”")
        evidence.append(Evidence(treaty.text[start:end], part.label if part else None, start, end))
    return SheetAnswer(
        18, "\n".join(lines), evidence=evidence, confidence=q16.confidence, needs_review=True, source="text"
    )


def _party_codes(treaty: Treaty) -> set[int]:
    table = load_countries()
    codes: set[int] = set()
    for part in treaty.parts:
        if part.kind in ("title", "preamble", "signatures") and part.parent is None:
            codes.update(m.code for m in table.find(treaty.text[part.start : part.end]))
    return codes

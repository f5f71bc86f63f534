"""Q10 (how long the treaty lasts) and Q12 (renewal), with the terms in months that ATOP records."""

from __future__ import annotations

import re

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.predictors.base import RulePredictor
from nlp_coder.predictors.provisions import sentence_units
from nlp_coder.text.treaty import Treaty

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "ninety-nine": 99,
    "a": 1,
    "an": 1,
}
_AMOUNT = (
    r"(?P<n>\d{1,3}|"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
    + r")(?: \(\d{1,3}\))?[ -](?P<unit>years?|months?)"
)
_TERM = re.compile(
    r"\b(?:(?:remain|continue|be|stay) in (?:force|effect|operation)|(?:period|term|duration|validity) of|"
    r"(?:valid|concluded|effective|in force) for|has been in force for|shall (?:last|run) for|for (?:a|an|the) "
    r"(?:initial |first )?(?:period|term) of)\b[^.;]{0,40}?\b" + _AMOUNT,
    re.I,
)
_INDEFINITE = re.compile(
    r"\b(?:(?:for an?|of) (?:indefinite|unlimited) (?:period|duration|time)|indefinite(?:ly)?|without (?:any )?"
    r"(?:time )?limit|in perpetuity|perpetual(?:ly)?|for ever|forever|until (?:one|either|any) of the "
    r"(?:high )?(?:contracting )?part\w+ (?:denounce|terminate|withdraw|give)|unlimited period)\b",
    re.I,
)
_EVENT = re.compile(
    r"\b(?:remain in (?:force|effect)|be in force|last|continue)\b[^.;]{0,40}\buntil (?:the )?(?:end|termination|"
    r"conclusion|cessation) of (?:the )?(?:present |current )?(?:war|hostilities|conflict|occupation|emergency)",
    re.I,
)
_RENEW_AUTO = re.compile(
    r"\b(?:(?:automatically|tacitly) (?:renewed|extended|prolonged)|(?:renewed|extended|prolonged) "
    r"(?:automatically|tacitly)|shall (?:thereafter )?(?:remain|continue) in (?:force|effect) for (?:further|"
    r"successive|additional|another|consecutive|subsequent) (?:periods?|terms?)|(?:considered|deemed) (?:to be |as )?"
    r"(?:renewed|extended|prolonged)|(?:renewed|extended|prolonged) for (?:further|successive|additional|"
    r"another|consecutive|subsequent) (?:periods?|terms?)[^.;]{0,80}\bunless\b)",
    re.I,
)
_RENEW_ACTIVE = re.compile(
    r"\b(?:may|can|shall) be (?:renewed|extended|prolonged)\b[^.;]{0,60}\b(?:agreement|consent|decision|"
    r"negotiat\w*)|\b(?:agree|decide)\w* to (?:renew|extend|prolong)\b|\bnegotiat\w+ (?:on |for )?(?:the )?"
    r"(?:renewal|extension|prolongation)\b",
    re.I,
)
_RENEW_TERM = re.compile(
    r"\b(?:(?:further|successive|additional|another|consecutive|subsequent|each) (?:periods?|terms?) of|"
    r"for (?:further|successive|additional|another))\s+" + _AMOUNT,
    re.I,
)


_SELF = re.compile(
    r"\b(?:this|the present|the said|the above|the foregoing) (?:treaty|agreement|pact|convention|protocol|alliance|"
    r"declaration|accord|arrangement|exchange of notes)\b|\bit shall (?:be (?:automatically |tacitly )?(?:renewed|extended|prolonged)|(?:remain|continue) in (?:force|effect))\b",
    re.I,
)
_THE_TREATY = re.compile(
    r"\b[Tt]he (?:Treaty|Agreement|Pact|Convention|Protocol|Alliance|Accord|Declaration)\b"
)
_REVIEW = re.compile(r"\b(?:review\w*|revis\w+|amend\w*|reconsider\w*)\b", re.I)


def months(match: re.Match[str]) -> int:
    n = match.group("n").lower()
    value = int(n) if n.isdigit() else _NUMBER_WORDS[n]
    return value * 12 if match.group("unit").lower().startswith("year") else value


class DurationPredictor(RulePredictor):
    """Q10 and Q12 from duration and renewal clauses (final clauses, usually the last articles)."""

    name = "duration.v1"
    questions = (10, 12)

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        # duration and renewal clauses speak of the instrument itself ("this Treaty shall remain in force ...")
        units = [
            u
            for u in sentence_units(treaty)
            if u[3] != "preamble" and (_SELF.search(u[2]) or _THE_TREATY.search(u[2]))
        ]
        return {10: self._duration(treaty, units), 12: self._renewal(treaty, units)}

    def _duration(self, treaty: Treaty, units: list) -> SheetAnswer:
        for start, end, sentence, _ in units:
            if (m := _TERM.search(sentence)) and not _REVIEW.search(sentence):
                length = months(m)
                return _yes(
                    treaty,
                    10,
                    f"the treaty is concluded for {_term(length)}",
                    start,
                    end,
                    {"speclgth": 1, "length": length},
                    0.85,
                )
        for start, end, sentence, _ in units:
            if _EVENT.search(sentence):
                return _yes(
                    treaty,
                    10,
                    "the treaty lasts until a stated event",
                    start,
                    end,
                    {"speclgth": 2, "length": 0},
                    0.75,
                )
        for start, end, sentence, _ in units:
            if _INDEFINITE.search(sentence):
                return _yes(
                    treaty,
                    10,
                    "the treaty is of indefinite duration",
                    start,
                    end,
                    {"speclgth": 3, "length": 0},
                    0.75,
                )
        return SheetAnswer(
            10, "No", "no", {"speclgth": 0, "length": 0}, confidence=0.6, needs_review=True, source="text"
        )

    def _renewal(self, treaty: Treaty, units: list) -> SheetAnswer:
        for pattern, code, label in (
            (_RENEW_AUTO, 2, "automatically renewed unless notice is given"),
            (_RENEW_ACTIVE, 1, "renewed if the parties so decide"),
        ):
            for start, end, sentence, _ in units:
                if pattern.search(sentence):
                    term = _RENEW_TERM.search(sentence)
                    length = months(term) if term else 0
                    summary = f"the treaty is {label}" + (f", for terms of {_term(length)}" if length else "")
                    return _yes(treaty, 12, summary, start, end, {"proren": code, "renewlgt": length}, 0.8)
        return SheetAnswer(
            12, "No", "no", {"proren": 0, "renewlgt": 0}, confidence=0.75, needs_review=True, source="text"
        )


def _term(length: int) -> str:
    return f"{length // 12} years" if length % 12 == 0 else f"{length} months"


def _yes(
    treaty: Treaty, q: int, summary: str, start: int, end: int, codes: dict, confidence: float
) -> SheetAnswer:
    part = treaty.part_at(start)
    where = part.label if part else "the text"
    quote = " ".join(treaty.text[start:end].split())
    ev = Evidence(treaty.text[start:end], part.label if part else None, start, end)
    text = f"Yes. {where}: {summary}: “{quote}”"
    return SheetAnswer(
        q,
        text,
        "yes",
        codes,
        evidence=[ev],
        confidence=confidence,
        needs_review=confidence < 0.9,
        source="text",
    )

"""Q3 (signature date) and Q4 (members): who signed, and when."""

from __future__ import annotations

import re

from nlp_coder.codesheet.answers import SheetAnswer
from nlp_coder.codesheet.countries import load_countries
from nlp_coder.codesheet.dates import find_dates
from nlp_coder.codesheet.implied import member_codes
from nlp_coder.predictors.base import RulePredictor, evidence
from nlp_coder.text.treaty import Treaty


class SignatureDatePredictor(RulePredictor):
    """The signature date: a date in the signature block or final clause, else the last date of the text."""

    name = "signature_date.v1"
    questions = (3,)

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        text = treaty.text
        places = [(p.start, p.end, 0.9) for p in treaty.parts_of("signatures")]
        # a dateline above the title ("CANBERRA, 21 January 1944") or in the title itself
        first = next((p.start for p in treaty.parts if p.kind != "title"), len(text))
        places.append((0, min(first, 400), 0.6))
        for start, end, confidence in places:
            dates = find_dates(text[start:end])
            if dates:
                date = dates[0]
                ev = evidence(treaty, start + date.start, start + date.end)
                codes = {
                    "begyr": date.year,
                    **({"begmo": date.month} if date.month else {}),
                    **({"begday": date.day} if date.day else {}),
                }
                return {
                    3: SheetAnswer(
                        3,
                        date.long(),
                        codes=codes,
                        evidence=[ev],
                        confidence=confidence,
                        needs_review=confidence < 0.9,
                        source="text",
                    )
                }
        return {3: SheetAnswer(3, "", confidence=0.0, needs_review=True, source="text")}


_BILATERAL = re.compile(
    r"\b(?:the two (?:high contracting parties|contracting parties|parties|governments|states|countries|sides|"
    r"powers|nations)|both (?:high contracting |contracting )?(?:parties|governments|countries|sides)|"
    r"either (?:high contracting |contracting )?(?:party|government|state|side|country)|the other "
    r"(?:high contracting |contracting )?(?:party|government|side))\b",
    re.I,
)
_MULTILATERAL = re.compile(
    r"\b(?:any (?:other )?(?:of the |one of the )?(?:high contracting |contracting )?(?:parties|member states|"
    r"signatories|members)|all (?:the )?(?:other )?(?:parties|member states|signatories)|member states|"
    r"each of the (?:other )?(?:parties|signatories)|one or more of (?:them|the parties)|the other parties)\b",
    re.I,
)


def bilateral_from_wording(text: str) -> tuple[int, float] | None:
    """(bilat, confidence) from how the treaty speaks of its parties, when names alone do not tell."""
    two, many = len(_BILATERAL.findall(text)), len(_MULTILATERAL.findall(text))
    if two + many < 2:
        return None
    if two >= 3 * many:
        return 1, 0.75
    if many >= 3 * two:
        return 0, 0.75
    return None


def _signature_year(treaty: Treaty) -> int | None:
    for part in treaty.parts_of("signatures"):
        dates = find_dates(treaty.text[part.start : part.end])
        if dates:
            return dates[0].year
    return None


_MEMBERSHIP_HEADING = re.compile(
    r"\b(?:membership|members|member states|contracting parties|signatories)\b", re.I
)


def _lists_members(treaty: Treaty, article) -> bool:
    """An article headed as the treaty's membership clause ("Article 2. Membership")."""
    heading = treaty.text[article.start : min(article.end, article.start + 60)].split("\n")[0]
    return bool(_MEMBERSHIP_HEADING.search(heading))


class MembersPredictor(RulePredictor):
    """Members: states named in the title, preamble, signature block and a membership article, as COW codes."""

    name = "members.v1"
    questions = (4,)

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        table = load_countries()
        spans = [
            p
            for p in treaty.parts
            if p.parent is None
            and (
                p.kind in ("title", "preamble", "signatures")
                or (p.kind == "article" and _lists_members(treaty, p))
            )
        ]
        year = _signature_year(treaty)
        found: dict[int, tuple[int, int]] = {}
        for part in spans:
            for mention in table.find(treaty.text[part.start : part.end]):
                code = table.code_in(mention.code, year)
                found.setdefault(code, (part.start + mention.start, part.start + mention.end))
        if len(found) < 2:
            wording = bilateral_from_wording(treaty.text)
            codes = {"bilat": wording[0]} if wording else {}
            note = {
                1: "Two parties (bilateral wording); names not recognised.",
                0: "More than two parties (multilateral wording); names not recognised.",
            }
            text = note[wording[0]] if wording else ""
            return {
                4: SheetAnswer(
                    4,
                    text,
                    codes=codes,
                    confidence=wording[1] if wording else 0.0,
                    needs_review=True,
                    source="text",
                )
            }
        lines = [f"{code} {table.name(code)}" for code in sorted(found)]
        codes = member_codes("\n".join(lines))
        ev = [evidence(treaty, *found[code]) for code in sorted(found, key=lambda c: found[c])]
        return {
            4: SheetAnswer(
                4,
                "\n".join(lines),
                codes=codes,
                evidence=ev,
                confidence=0.6,
                needs_review=True,
                source="text",
            )
        }

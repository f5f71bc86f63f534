"""Dates as treaties and sheets write them: "October 21, 1993", "the fourth day of April, 1949"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp_coder.text.words import CARDINAL_VALUE, ORDINAL_VALUE, ORDINALS, TENS

MONTHS = {
    name: i + 1
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS.update({name[:3]: num for name, num in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY_WORDS = ORDINALS
_DAY_WORD_VALUE = ORDINAL_VALUE
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAYW = r"(?P<dayw>" + "|".join(sorted((re.escape(w) for w in _DAY_WORDS), key=len, reverse=True)) + r")"
_YEAR = r"(?P<year>1[6-9]\d\d|20\d\d)"
_PATTERNS = [
    re.compile(_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR, re.I),  # October 21, 1993
    re.compile(_DAY + r"(?:\s+day)?(?:\s+of)?\s+" + _MONTH + r",?\s+" + _YEAR, re.I),  # 21 January 1944
    re.compile(r"\b" + _DAYW + r"\s+day\s+of\s+" + _MONTH + r",?\s+(?:in\s+the\s+year\s+)?" + _YEAR, re.I),
    re.compile(r"\b" + _YEAR + r"-(?P<month_n>[01]?\d)-" + _DAY + r"\b"),  # 1993-10-21
]
_UNITS = {"zero": 0, **CARDINAL_VALUE}
_TENS = TENS
_YEAR_WORDS = (
    r"(?P<yearw>(?:one thousand|two thousand|eighteen hundred|nineteen hundred|seventeen hundred)"
    r"(?:[ ,]+(?:and[ ]+)?(?:(?:one|two|three|four|five|six|seven|eight|nine) hundred(?: and)?[ ]*)?"
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|"
    r"eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|one|two|"
    r"three|four|five|six|seven|eight|nine)?)?)"
)
_PATTERNS.append(
    re.compile(
        r"\b(?:"
        + _DAYW
        + r"|"
        + _DAY
        + r")\s+(?:day\s+)?of\s+"
        + _MONTH
        + r",?\s+(?:in\s+the\s+year\s+(?:of\s+our\s+lord\s+)?)?"
        + _YEAR_WORDS,
        re.I,
    )
)


def year_from_words(words: str) -> int | None:
    """1944 from "one thousand nine hundred and forty-four", 2007 from "two thousand and seven"."""
    total, current = 0, 0
    for word in re.findall(r"[a-z]+", words.lower()):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current *= 100
        elif word == "thousand":
            total += current * 1000
            current = 0
    value = total + current
    return value if 1500 <= value <= 2100 else None


_YEAR_ONLY = re.compile(r"\b" + _YEAR + r"\b")


@dataclass(frozen=True)
class Date:
    year: int
    month: int | None = None
    day: int | None = None
    start: int = 0
    end: int = 0

    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)

    def long(self) -> str:
        if not self.month:
            return str(self.year)
        month = list(MONTHS)[self.month - 1].capitalize()
        return f"{month} {self.day}, {self.year}" if self.day else f"{month} {self.year}"


def find_dates(text: str) -> list[Date]:
    """Every full date in ``text``, in order of appearance."""
    found: dict[int, Date] = {}
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = MONTHS.get((groups.get("month") or "").lower().rstrip(".")) or (
                int(groups["month_n"]) if groups.get("month_n") else None
            )
            if groups.get("day"):
                day = int(groups["day"])
            else:
                day = _DAY_WORD_VALUE.get((groups.get("dayw") or "").lower())
            if not month or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            year = int(groups["year"]) if groups.get("year") else year_from_words(groups.get("yearw") or "")
            if year is None:
                continue
            date = Date(year, month, day, m.start(), m.end())
            if not any(d.start <= date.start < d.end for d in found.values()):
                found[m.start()] = date
    return [found[k] for k in sorted(found)]


def parse_date(text: str) -> Date | None:
    """The first date in ``text``; a bare year if that is all there is."""
    dates = find_dates(text)
    if dates:
        return dates[0]
    m = _YEAR_ONLY.search(text)
    return Date(int(m.group("year")), start=m.start(), end=m.end()) if m else None

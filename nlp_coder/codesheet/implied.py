"""What a sheet's answers imply for the ATOP 5.1 columns, by the codebook's rules (its ``implies``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from nlp_coder.codesheet.answers import CONDITION_COLUMNS
from nlp_coder.codesheet.codebook import Codebook, Question
from nlp_coder.codesheet.dates import parse_date

if TYPE_CHECKING:
    from nlp_coder.codesheet.answers import SheetAnswer

TYPE_COLUMNS = ("defense", "offense", "neutral", "nonagg", "consul")
_OBLIGATION_WORDS = {
    "defense": r"defen[cs]e|defensive",
    "offense": r"offen[cs]e|offensive",
    "neutral": r"neutral",
    "consul": r"consult",
}
_NONE_ANSWER = re.compile(r"^\s*(?:none|no|nil|zero|n/?a)\b\.?", re.I)
_MEMBER_LINE = re.compile(r"(?<!\d)(\d{1,3})(?!\d)\s*(?:[-–:]\s*)?([A-Z][^\n;,]*)?")


def implied_codes(question: Question, answer: SheetAnswer, cb: Codebook) -> tuple[dict[str, int], list[str]]:
    """(exact codes, columns known to be non-zero) that one answer implies."""
    text = answer.answer.strip()
    kind = question.kind
    if kind == "yes_no":
        return _yes_no_codes(question, answer.yes_no, text)
    if not text or re.fullmatch(r"(?:n/?a|unknown|\?+)\.?", text, re.I):
        return {}, []
    if kind == "id":
        m = re.search(r"\d+", text)
        return ({question.columns[0]: int(m.group(0))} if m and question.columns else {}), []
    if kind == "date":
        return _date_codes(question, text), []
    if kind == "members":
        return member_codes(text), []
    if kind == "choice":
        option = match_options(question, text, first_only=True)
        return (dict(option[0].codes) if option else {}), []
    if kind == "types":
        return _type_codes(question, text), []
    if kind == "conditions":
        return _condition_codes(text), []
    return _rule_codes(question, text), []


def _yes_no_codes(question: Question, yes_no: str | None, text: str) -> tuple[dict[str, int], list[str]]:
    rules = question.implies
    if yes_no == "no":
        return dict(rules.on_no), []
    if yes_no != "yes":
        return {}, []
    codes = dict(rules.on_yes)
    codes.update({k: v for k, v in _rule_codes(question, text).items() if k not in rules.on_yes})
    nonzero = [c for c in rules.yes_nonzero if c not in codes]
    return codes, nonzero


def _rule_codes(question: Question, text: str) -> dict[str, int]:
    codes: dict[str, int] = {}
    for rule in question.implies.rules:
        if re.search(rule.pattern, text, re.I):
            for column, value in rule.codes.items():
                codes.setdefault(column, value)
    return codes


def _date_codes(question: Question, text: str) -> dict[str, int]:
    cols = [c for c in question.columns if c != "ineffect"]
    date = parse_date(text)
    codes: dict[str, int] = {}
    if date is not None and len(cols) >= 3:
        codes[cols[0]] = date.year
        if date.month:
            codes[cols[1]] = date.month
        if date.day:
            codes[cols[2]] = date.day
    if "ineffect" in question.columns:
        if date is not None:
            codes["ineffect"] = 0
        elif re.search(r"\b(?:in effect|in force|none|ongoing)\b", text, re.I):
            codes.update({c: 0 for c in cols})
            codes["ineffect"] = 1
    return codes


def member_codes(text: str) -> dict[str, int]:
    """mem1..memN (ascending COW codes, as ATOP orders them) and bilat from a members answer."""
    from nlp_coder.codesheet.countries import load_countries

    codes: set[int] = set()
    table = load_countries()
    for line in text.split("\n"):
        numbered = [int(m.group(1)) for m in _MEMBER_LINE.finditer(line) if int(m.group(1)) in table.by_code]
        codes.update(numbered or (mention.code for mention in table.find(line)))
    out = {f"mem{i}": code for i, code in enumerate(sorted(codes), 1)}
    if codes:
        out["bilat"] = 1 if len(codes) <= 2 else 0
    return out


def match_options(question: Question, text: str, first_only: bool = False) -> list:
    """Options of a choice/types/conditions question named in ``text`` (label or alias), in text order."""
    hits = []
    lowered = text.lower()
    for option in question.options:
        names = sorted({option.label.lower(), *(a.lower() for a in option.aliases)}, key=len, reverse=True)
        positions = [
            m.start()
            for name in names
            for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", lowered)
        ]
        if positions:
            hits.append((min(positions), -max(len(n) for n in names if n in lowered), option))
    hits.sort(key=lambda h: (h[0], h[1]))
    options = [h[2] for h in hits]
    return options[:1] if first_only else options


def _type_codes(question: Question, text: str) -> dict[str, int]:
    if _NONE_ANSWER.match(text):
        return {c: 0 for c in (*TYPE_COLUMNS, "active")}
    chosen = match_options(question, text)
    if not chosen:
        return {}
    codes = {c: 0 for c in TYPE_COLUMNS}
    for option in chosen:
        codes.update(option.codes)
    codes["active"] = int(bool(codes["defense"] or codes["offense"]))
    return codes


def _condition_codes(text: str) -> dict[str, int]:
    if _NONE_ANSWER.match(text):
        return {"conditio": 0, **{c: 0 for c in CONDITION_COLUMNS.values()}}
    codes = {"conditio": 1}
    for obligation, pattern in _OBLIGATION_WORDS.items():
        if re.search(pattern, text, re.I):
            codes[CONDITION_COLUMNS[obligation]] = 1
    return codes

"""A coding sheet's content: answers by question, with their evidence and confidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp_coder.codesheet.codebook import Codebook, load_codebook

CONDITION_COLUMNS = {"defense": "defcon", "offense": "offcon", "neutral": "neucon", "consul": "concon"}

YES_NO = ("yes", "no")


@dataclass
class Evidence:
    """A passage that supports an answer; offsets refer to the treaty text as read, when known."""

    quote: str
    part: str | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict:
        out: dict = {}
        if self.part is not None:
            out["part"] = self.part
        if self.start is not None:
            out["start"], out["end"] = self.start, self.end
        out["quote"] = self.quote
        return out


@dataclass
class SheetAnswer:
    """One question's answer as it stands on a sheet, with the ATOP codes it implies."""

    question: int
    answer: str
    yes_no: str | None = None
    codes: dict[str, int] = field(default_factory=dict)
    nonzero: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float | None = None
    needs_review: bool | None = None
    source: str | None = None

    def to_dict(self) -> dict:
        out: dict = {
            "question": self.question,
            "answer": self.answer,
            "yes_no": self.yes_no,
            "codes": dict(sorted(self.codes.items())),
        }
        if self.nonzero:
            out["nonzero"] = sorted(self.nonzero)
        if self.confidence is not None:
            out["confidence"] = self.confidence
            out["needs_review"] = bool(self.needs_review)
        if self.source is not None:
            out["source"] = self.source
        out["evidence"] = [e.to_dict() for e in self.evidence]
        return out


@dataclass
class Sheet:
    """A coding sheet: answers by question number, plus any text before Q1 and after the last answer."""

    answers: dict[int, SheetAnswer]
    header: str = ""
    trailer: str = ""

    def atop(self, codebook: Codebook | None = None) -> dict[str, int]:
        """The ATOP 5.1 codes the answers imply, with derived columns (active, conditio, bilat) filled in."""
        return gather_codes(self, codebook or load_codebook())

    def to_dict(self, codebook: Codebook | None = None) -> dict:
        return {
            "answers": [self.answers[n].to_dict() for n in sorted(self.answers)],
            "atop": self.atop(codebook),
        }


def gather_codes(sheet: Sheet, cb: Codebook) -> dict[str, int]:
    """One value per ATOP column from all answers; non-zero wins where two questions share a column."""
    merged: dict[str, int] = {}
    for number in sorted(sheet.answers):
        for column, value in sheet.answers[number].codes.items():
            if column not in merged or (merged[column] == 0 and value != 0):
                merged[column] = value
    if all(c in merged for c in ("defense", "offense")):
        merged["active"] = int(bool(merged["defense"] or merged["offense"]))
    if merged.get("conditio") == 1 and not any(merged.get(c) for c in CONDITION_COLUMNS.values()):
        # the conditions do not say which obligation they limit: all the treaty's obligations
        for obligation, column in CONDITION_COLUMNS.items():
            if obligation in merged:
                merged[column] = merged[obligation]
    elif merged.get("conditio") == 1:
        for column in CONDITION_COLUMNS.values():
            merged.setdefault(column, 0)
    members = sorted(k for k in merged if re.fullmatch(r"mem\d+", k))
    if members and "bilat" not in merged:
        merged["bilat"] = int(len(members) <= 2)
    return _ordered(merged, cb)


def _ordered(codes: dict[str, int], cb: Codebook) -> dict[str, int]:
    order = {name: i for i, name in enumerate(cb.columns)}

    def key(name: str) -> tuple[int, int]:
        m = re.fullmatch(r"mem(\d+)", name)
        if m:
            return (order.get("mem", len(order)), int(m.group(1)))
        return (order.get(name, len(order) + 1), 0)

    return {k: codes[k] for k in sorted(codes, key=key)}

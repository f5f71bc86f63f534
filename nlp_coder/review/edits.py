"""What a coder may write into an answer: text that the codesheet layout keeps as written, ATOP codes the
codebook knows for the question, and evidence whose offsets slice the treaty's text.

Each check raises :class:`BadEdit` with a message for the coder (the API answers it with 400).
"""

from __future__ import annotations

import re

from nlp_coder.codesheet.codebook import Codebook, Column
from nlp_coder.review.store import Change, ReviewError

MAX_ANSWER = 20_000  # characters of an answer's text
MAX_COMMENT = 5_000
MAX_CODER = 80
MAX_EVIDENCE = 100  # passages per answer
MEMBER = re.compile(r"mem([1-9]\d?)")  # mem1 .. mem99: the members' COW codes
RESERVED_LINE = re.compile(r"^[ \t]*\[(?:nlp-coder|evidence)\]", re.M)
YEARS = (1500, 2100)
RANGES = {"month": (0, 12), "day": (0, 31)}  # 0: "still in force" for end dates


class BadEdit(ReviewError):
    """An answer, its codes or its evidence cannot be stored as given."""


def check_change(
    cb: Codebook,
    question: int,
    text: str,
    parts: list[dict],
    *,
    answer: str,
    codes: object,
    evidence: object,
    comment: str,
    coder: str,
) -> Change:
    """A coder's answer to ``question`` of the treaty with ``text`` and ``parts``, checked and normalised."""
    coder = " ".join(coder.split())
    if not coder:
        raise BadEdit("coder: give the coder's name")
    if len(coder) > MAX_CODER:
        raise BadEdit(f"coder: at most {MAX_CODER} characters")
    if len(comment) > MAX_COMMENT:
        raise BadEdit(f"comment: at most {MAX_COMMENT} characters")
    answer = canonical_answer(cb, question, answer)
    codes = check_codes(cb, question, codes)
    if not codes:
        check_no_codes(cb, question, answer)
    return Change(
        answer=answer,
        codes=codes,
        evidence=check_evidence(text, parts, evidence),
        comment=comment.strip(),
        coder=coder,
    )


# --- answer text ----------------------------------------------------------------------------------


def canonical_answer(cb: Codebook, question: int, text: str) -> str:
    """The answer as the codesheet layout reads it back (``nlp-coder sheet``): lines unwrapped as the sheet
    parser unwraps them. An answer the layout would change in its words (a line that reads as another
    question, or as a marker line) is refused, so that an exported sheet reads back with the same answers."""
    from nlp_coder.codesheet.answers import Sheet, SheetAnswer
    from nlp_coder.codesheet.sheet import parse_sheet, render_sheet

    if len(text) > MAX_ANSWER:
        raise BadEdit(f"answer: at most {MAX_ANSWER} characters")
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    text = text.strip()
    if not text:
        return ""
    if RESERVED_LINE.search(text):
        raise BadEdit(
            "answer: a line may not start with [nlp-coder] or [evidence] (the sheet's marker lines)"
        )
    parsed = parse_sheet(render_sheet(Sheet({question: SheetAnswer(question, text)}), cb, markers=False), cb)
    others = sorted(set(parsed.answers) - {question})
    if others:
        raise BadEdit(f"answer: a line of it reads as the start of question {others[0]}; reword that line")
    read_back = parsed.answers[question].answer if question in parsed.answers else ""
    if read_back.split() != text.split():
        raise BadEdit(
            f"answer: the codesheet layout would not keep it as written (it reads back as “{read_back[:80]}”)"
        )
    return read_back


# --- codes ----------------------------------------------------------------------------------------


def question_columns(cb: Codebook, question: int) -> list[str]:
    """The ATOP columns an answer to ``question`` may set, in the codebook's order: its own, those its
    answers imply, those its options code (``mem`` stands for mem1, mem2, ...)."""
    q = cb.question(question)
    names = set(q.columns) | q.implies.columns()
    for option in q.options:
        names |= set(option.codes)
    return [name for name in cb.columns if name in names]


def check_no_codes(cb: Codebook, question: int, answer: str) -> None:
    """An answer without codes must not imply any: a sheet states its codes only when there are some, and
    ``nlp-coder sheet`` reads an answer without them by what its words imply."""
    from nlp_coder.codesheet.answers import SheetAnswer
    from nlp_coder.codesheet.implied import implied_codes
    from nlp_coder.codesheet.sheet import yes_no_of

    q = cb.question(question)
    implied, _ = implied_codes(q, SheetAnswer(question, answer, yes_no_of(q, answer)), cb)
    if implied:
        codes = ", ".join(f"{k} = {v}" for k, v in sorted(implied.items()))
        raise BadEdit(f"codes: the answer implies {codes}; give those codes (or the ones that hold)")


def column_of(cb: Codebook, name: str) -> Column | None:
    """The codebook's column for a code's name (``mem3`` is a ``mem`` column); None when unknown."""
    if MEMBER.fullmatch(name):
        return cb.columns.get("mem")
    return cb.columns.get(name)


def check_codes(cb: Codebook, question: int, codes: object) -> dict[str, int]:
    """Codes as ``{column: value}``: columns of the question, values the codebook allows for them."""
    if not isinstance(codes, dict):
        raise BadEdit('codes: give an object of ATOP columns and their values, e.g. {"defense": 1}')
    allowed = question_columns(cb, question)
    out: dict[str, int] = {}
    for name, value in codes.items():
        column = column_of(cb, name) if isinstance(name, str) else None
        if column is None or column.name not in allowed:
            where = ", ".join(n + ("1, mem2, ..." if n == "mem" else "") for n in allowed) or "none"
            raise BadEdit(
                f"codes: {name!r} is not an ATOP column of question {question} (its columns: {where})"
            )
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadEdit(f"codes: {name} must be a whole number, not {value!r}")
        problem = value_problem(column, value)
        if problem:
            raise BadEdit(f"codes: {name} = {value} {problem}")
        out[name] = value
    return dict(sorted(out.items()))


def value_problem(column: Column, value: int) -> str | None:
    """Why ``value`` is not a value of ``column`` (None when it is)."""
    if column.kind == "cow":
        from nlp_coder.codesheet.countries import load_countries

        if value in column.codes or value in load_countries().by_code:
            return None
        return f"is not a Correlates of War state code ({column.label})"
    if column.codes:
        if value in column.codes:
            return None
        valid = ", ".join(f"{k} = {v}" for k, v in sorted(column.codes.items()))
        return f"is not a code of {column.name} ({column.label}): {valid}"
    if column.kind == "year":
        low, high = YEARS
    elif column.kind in RANGES:
        low, high = RANGES[column.kind]
    elif column.kind == "id":
        low, high = 1, None
    else:  # months and plain numbers
        low, high = 0, None
    if value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"{low} or more"
        return f"is out of range for {column.name} ({column.label}): {span}"
    return None


# --- evidence -------------------------------------------------------------------------------------


def check_evidence(text: str, parts: list[dict], evidence: object) -> list[dict]:
    """Evidence as ``[{part, start, end, quote}]``: offsets into the text as read, ``quote`` exactly
    ``text[start:end]`` (checked when given, filled in when not) and ``part`` the innermost part holding it."""
    if not isinstance(evidence, list):
        raise BadEdit('evidence: give a list of passages, each {"start": ..., "end": ...}')
    if len(evidence) > MAX_EVIDENCE:
        raise BadEdit(f"evidence: at most {MAX_EVIDENCE} passages")
    out: list[dict] = []
    for n, item in enumerate(evidence, 1):
        if not isinstance(item, dict):
            raise BadEdit(f'evidence {n}: give an object {{"start": ..., "end": ...}}')
        start, end, quote = item.get("start"), item.get("end"), item.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise BadEdit(f"evidence {n}: quote must be text")
        if start is None and end is None and quote:  # a passage quoted without offsets: find it
            start = text.find(quote)
            end = start + len(quote) if start >= 0 else None
            if start < 0:
                raise BadEdit(f"evidence {n}: the quote is not in the treaty's text; select the passage")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise BadEdit(f"evidence {n}: start and end must be whole numbers (offsets into the text)")
        if not 0 <= start < end <= len(text):
            raise BadEdit(f"evidence {n}: {start}-{end} is not a passage of the text (0 to {len(text)})")
        if quote is not None and text[start:end] != quote:
            raise BadEdit(f"evidence {n}: the text at {start}-{end} is not the quote given")
        found = {"part": part_label(parts, start), "start": start, "end": end, "quote": text[start:end]}
        if found["part"] is None:
            del found["part"]
        if found not in out:
            out.append(found)
    return out


def part_label(parts: list[dict], offset: int) -> str | None:
    """The label of the innermost part that holds ``offset`` ("Article 3(1)"), or None."""
    holding = [p for p in parts if p["start"] <= offset < p["end"]]
    if not holding:
        return None
    return min(holding, key=lambda p: p["end"] - p["start"])["label"]

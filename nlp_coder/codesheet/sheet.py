"""ATOP coding sheets: parse a filled sheet, say which ATOP codes its answers imply, render it back.

A sheet is laid out like the ATOP codesheet: numbered questions (wrapped over lines), each followed
by its answer. Drafts written by nlp-coder add marker lines under an answer, which this parser reads
back::

    [nlp-coder] confidence 0.82; needs review; source text; codes speclgth=1 length=240
    [evidence] Article 12 @5012-5190: “The present Treaty shall remain in force for twenty years”
"""

from __future__ import annotations

import re
from pathlib import Path

from nlp_coder.codesheet.answers import Evidence, Sheet, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook, Question, load_codebook
from nlp_coder.errors import SheetError

_QUESTION_LINE = re.compile(r"^[ \t]*(\d{1,2})\.[ \t]+(\S.*)$")
_SECTION_LINE = re.compile(r"^[ \t]*SECTION[ \t]+[IVX]+[ \t]*:.*$", re.I)
_PAGE_LINE = re.compile(r"^[ \t]*(?:page[ \t]+)?\d{1,3}(?:[ \t]+of[ \t]+\d{1,3})?[ \t]*$", re.I)
_MARKER_LINE = re.compile(r"^[ \t]*\[nlp-coder\](.*)$")
_EVIDENCE_LINE = re.compile(
    r"^[ \t]*\[evidence\][ \t]*(?P<part>.*?)(?:[ \t]*@(?P<start>\d+)-(?P<end>\d+))?:[ \t]*(?P<quote>.*)$"
)
_TOKEN = re.compile(r"[a-z0-9]+")
_QUOTES = re.compile(r"“([^”]{12,})”|\"([^\"]{12,})\"")
_NA = re.compile(r"^(?:n/?a|not applicable|unknown|\?+)\.?$", re.I)
_NONE = re.compile(r"^(?:none|zero|nil|no\b.*)$", re.I)
_YES = re.compile(r"^yes\b", re.I)
_NO = re.compile(r"^(?:no|none)\b(?![-\w])", re.I)


# --- parsing ---------------------------------------------------------------------------------


def read_sheet(path: str | Path, codebook: Codebook | None = None) -> Sheet:
    """Read and parse a sheet file; unusable input raises SheetError or InputError."""
    from nlp_coder.errors import InputError
    from nlp_coder.text.reader import decode_text

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a coding sheet")
    data = p.read_bytes()
    if not data.strip():
        raise InputError(f"{p}: file is empty")
    if data.startswith(b"%PDF-"):
        raise InputError(f"{p}: is a PDF; extract its text first (e.g. pdftotext -layout)")
    try:
        return parse_sheet(decode_text(p, data), codebook)
    except SheetError as exc:
        raise SheetError(f"{p}: {exc}") from exc


def parse_sheet(text: str, codebook: Codebook | None = None) -> Sheet:
    """Parse the text of a filled sheet."""
    from nlp_coder.codesheet.implied import implied_codes

    cb = codebook or load_codebook()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    starts = _question_starts(lines, cb)
    if not starts:
        raise SheetError("no recognisable ATOP questions (expected lines like '8. Are there provisions ...')")
    answers: dict[int, SheetAnswer] = {}
    header = _clean_block(lines[: starts[0][0]])
    trailer = ""
    for k, (line_no, number) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        block_lines = [
            ln for ln in lines[line_no:end] if not _SECTION_LINE.match(ln) and not _PAGE_LINE.match(ln)
        ]
        first = _QUESTION_LINE.match(block_lines[0])
        block_lines[0] = first.group(2) if first else block_lines[0]
        question = cb.question(number)
        body, markers = _split_markers(block_lines)
        raw_answer = _strip_question("\n".join(body), question.text)
        if k + 1 == len(starts) and number == len(cb.questions):
            raw_answer, trailer = _split_trailer(raw_answer)
        answer_text = (
            "\n".join(ln.strip() for ln in raw_answer.split("\n") if ln.strip())
            if question.kind == "members"
            else _join_lines(raw_answer)
        )
        answer, written_codes = _make_answer(question, answer_text, markers)
        answer.codes, answer.nonzero = implied_codes(question, answer, cb)
        if written_codes is not None:  # a draft states its codes: they win over re-deriving them
            answer.codes, answer.nonzero = written_codes, []
        answers[number] = answer
    return Sheet(answers, header, trailer)


def _question_starts(lines: list[str], cb: Codebook) -> list[tuple[int, int]]:
    """(line index, question number) of each question, in increasing order of number."""
    from rapidfuzz import fuzz

    starts: list[tuple[int, int]] = []
    last = 0
    for i, line in enumerate(lines):
        m = _QUESTION_LINE.match(line)
        if not m:
            continue
        number = int(m.group(1))
        if not last < number <= len(cb.questions):
            continue
        q_head = _norm(cb.question(number).text)[:60]
        line_head = _norm(m.group(2))[: len(q_head)]
        if fuzz.ratio(q_head, line_head) >= 60 or fuzz.partial_ratio(q_head[:30], line_head) >= 80:
            starts.append((i, number))
            last = number
    return starts


def _norm(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _strip_question(block: str, question_text: str) -> str:
    """Remove the question's own words (wrapped over lines) from the start of its block."""
    q_tokens = _TOKEN.findall(question_text.lower())
    tokens = [(m.group(0), m.end()) for m in _TOKEN.finditer(block.lower())]
    i = j = 0
    answer_start = 0
    misses = 0
    while i < len(q_tokens) and j < len(tokens):
        if tokens[j][0] == q_tokens[i]:
            answer_start = tokens[j][1]
            i += 1
            j += 1
            misses = 0
            continue
        ahead = [t for t, _ in tokens[j : j + 4]]
        if q_tokens[i] in ahead:  # extra words on the sheet
            j += ahead.index(q_tokens[i])
            continue
        if tokens[j][0] in q_tokens[i + 1 : i + 4]:  # words missing on the sheet
            i += q_tokens[i + 1 : i + 4].index(tokens[j][0]) + 1
            continue
        misses += 1
        if misses > 3:
            break
        i += 1
        j += 1
    if i < len(q_tokens) * 0.6:  # the question is not written out: take what follows its first line
        first_break = block.find("\n")
        colon = max(
            block.rfind("?", 0, first_break if first_break > 0 else None),
            block.rfind(":", 0, first_break if first_break > 0 else None),
        )
        answer_start = colon + 1 if colon >= 0 else (first_break if first_break > 0 else len(block))
    return re.sub(r"\A[ \t]*[.:?)\]]+", "", block[answer_start:])


def _join_lines(text: str) -> str:
    """Unwrap lines into paragraphs: a new paragraph only where a sentence ends and a new one starts."""
    lines = [ln.strip() for ln in text.split("\n")]
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            continue
        if not current:
            current = line
        elif current.endswith((".", ":", "”", '"', "!", "?")) and re.match(r"[A-Z“\"(\[]", line):
            paragraphs.append(current)
            current = line
        else:
            current = f"{current} {line}"
    if current:
        paragraphs.append(current)
    return "\n".join(paragraphs)


def _clean_block(lines: list[str]) -> str:
    return "\n".join(ln.strip() for ln in lines if ln.strip())


def _split_trailer(answer: str) -> tuple[str, str]:
    """After the last question, its first line answers it; revision notes and the like follow."""
    lines = [ln.strip() for ln in answer.split("\n") if ln.strip()]
    return (lines[0] if lines else ""), "\n".join(lines[1:])


def _split_markers(lines: list[str]) -> tuple[list[str], list[str]]:
    body, markers = [], []
    for line in lines:
        (markers if _MARKER_LINE.match(line) or _EVIDENCE_LINE.match(line) else body).append(line)
    return body, markers


def _make_answer(
    question: Question, text: str, markers: list[str]
) -> tuple[SheetAnswer, dict[str, int] | None]:
    answer = SheetAnswer(question.number, text)
    written_codes: dict[str, int] | None = None
    answer.yes_no = yes_no_of(question, text)
    answer.evidence = [Evidence(m.group(1) or m.group(2)) for m in _QUOTES.finditer(text)]
    evidence_markers: list[Evidence] = []
    for line in markers:
        ev = _EVIDENCE_LINE.match(line)
        if ev:
            start = int(ev.group("start")) if ev.group("start") else None
            end = int(ev.group("end")) if ev.group("end") else None
            evidence_markers.append(
                Evidence(_unquote(ev.group("quote")), ev.group("part") or None, start, end)
            )
            continue
        marker = _MARKER_LINE.match(line)
        if marker:
            written_codes = _read_marker(answer, marker.group(1)) or written_codes
    if evidence_markers:
        answer.evidence = evidence_markers
    return answer, written_codes


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == "“" and text[-1] == "”":
        return text[1:-1]
    return text


def _read_marker(answer: SheetAnswer, body: str) -> dict[str, int] | None:
    """Read confidence, review flag and source into ``answer``; return the codes the marker states."""
    codes = None
    for item in (s.strip() for s in body.split(";")):
        if m := re.fullmatch(r"confidence\s+([01](?:\.\d+)?)", item):
            answer.confidence = float(m.group(1))
        elif item in ("needs review", "reviewed", "ok"):
            answer.needs_review = item == "needs review"
        elif m := re.fullmatch(r"source\s+(\w+)", item):
            answer.source = m.group(1)
            if answer.source == "external":
                answer.confidence, answer.needs_review = 0.0, True
        elif item.startswith("codes"):
            codes = {k: int(v) for k, v in re.findall(r"([a-z][a-z0-9]*)=(-?\d+)", item)}
    return codes


def yes_no_of(question: Question, text: str) -> str | None:
    """Yes or no for a yes/no question: stated, or implied by a description or a quote."""
    if not question.has_yes_no:
        return None
    t = text.strip()
    if not t or _NA.match(t):
        return None
    if _YES.match(t):
        return "yes"
    if _NO.match(t) or _NONE.match(t):
        return "no"
    return "yes"  # a description or a quote without "Yes" answers yes


# --- rendering -------------------------------------------------------------------------------


def render_sheet(sheet: Sheet, codebook: Codebook | None = None, markers: bool = True) -> str:
    """Write a sheet in the codesheet's layout; ``parse_sheet`` reads it back to the same answers."""
    cb = codebook or load_codebook()
    out: list[str] = []
    if sheet.header:
        out += [sheet.header, ""]
    section = None
    for q in cb.questions:
        if q.number not in sheet.answers:
            continue
        if q.section != section:
            section = q.section
            out += [f"SECTION {section}:  {cb.section_title(section)}", ""]
        answer = sheet.answers[q.number]
        out += [f"{q.number}. {q.text}", ""]
        if answer.answer:
            out.append(answer.answer)
        if markers:
            out += _marker_lines(answer)
        out.append("")
    if sheet.trailer:
        out += [sheet.trailer, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _marker_lines(answer: SheetAnswer) -> list[str]:
    if answer.confidence is None and answer.source is None:
        return []
    if answer.source == "external" and not answer.answer:
        return ["[nlp-coder] source external; left for the coder (the treaty text cannot tell)"]
    items = []
    if answer.confidence is not None:
        items.append(f"confidence {answer.confidence:.2f}")
        items.append("needs review" if answer.needs_review else "ok")
    if answer.source is not None:
        items.append(f"source {answer.source}")
    codes = " ".join(f"{k}={v}" for k, v in sorted(answer.codes.items()))
    items.append(f"codes {codes}".rstrip())
    lines = ["[nlp-coder] " + "; ".join(items)]
    for ev in answer.evidence:
        where = ev.part or ""
        if ev.start is not None:
            where += f" @{ev.start}-{ev.end}"
        quote = " ".join(ev.quote.split())
        lines.append(f"[evidence] {where.strip()}: “{quote}”")
    return lines

"""Segment a treaty's text into parts: title, preamble, articles, paragraphs, annexes, protocols, signatures.

Every part is a character span ``[start, end)`` of the text as read. Top-level parts are ordered and do not
overlap; children (articles of a protocol, paragraphs of an article) lie inside their parent.

The segmenter looks for headings the way treaties write them (``Article 1``, ``ARTICLE I.``, ``Art. 1``,
``Article First``, markdown or HTML headings, numbered paragraphs under section headings), accepts a
heading inside a run-on line only where the numbering continues, and tells cross-references
("in accordance with Article 5") from headings by what surrounds them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise

from nlp_coder.text.words import CARDINALS, ORDINAL_VALUE, ORDINALS, strip_span

PART_KINDS = ("title", "preamble", "article", "paragraph", "annex", "protocol", "signatures")

_ORDINALS = ORDINALS[:20]  # "Article First" ... "Article Twentieth"
_ORDINAL_VALUE = ORDINAL_VALUE
_CARDINALS = CARDINALS
_CARDINAL_VALUE = {w: i + 1 for i, w in enumerate(_CARDINALS)}
_CARDINAL_VALUE.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50})
_CARD_RE = (
    "(?:TWENTY|THIRTY|FORTY|FIFTY)(?:-(?:"
    + "|".join(w.upper() for w in _CARDINALS[:9])
    + "))?|"
    + "|".join(w.upper() for w in sorted(_CARDINALS, key=len, reverse=True))
    + "|"
)
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_NUM = (
    r"(?P<num>\d{1,4}(?:[.\-]\d{1,3}){0,2}+(?:\s?(?i:bis|ter)\b|\s?\([A-Z]\)|[A-Za-z](?![A-Za-z]))?|"
    r"[IVXLC]{1,7}[.\-]\d{1,3}+|[A-Z]-\d{1,3}+|[IVXLC]{1,7}(?![A-Za-z])|"
    + _CARD_RE
    + ("|".join(w.capitalize() for w in _ORDINALS) + "|" + "|".join(w.upper() for w in _ORDINALS))
    + r")"
)
_KEYWORD = r"(?P<kw>ARTICLE|Article|ARTICLES|ART\.|Art\.|ARTIKEL|Artikel)"
# What may follow a heading's number: end of line, heading punctuation, or a capitalised word.
_AFTER = r"(?=[ \t]*(?:$|[.:\-–—)\]]|\n)|[ \t]+(?:[A-Z“\"'‘(\[]|\d+\.\s|\d+[ \t]+[A-Z]))"
_LINE_ARTICLE = re.compile(r"^[ \t>*]*" + _KEYWORD + r"[ \t]*(?:[:\-–—][ \t]*)?" + _NUM + _AFTER, re.M)
# Inside a long run-on line: after a sentence end or an upper-case heading word.
_INLINE_ARTICLE = re.compile(
    r"(?:(?<=[.:;”\"’')\]])|(?<=[A-Z]{2}))[ \t]+"
    + r"(?P<kw>ARTICLE|Article|ART\.|Art\.)[ \t]*"
    + _NUM
    + r"(?=[ \t]*[.:\-–—][ \t]|[ \t]+[A-Z“\"(])"
)
_NUMBERED_LINE = re.compile(r"^[ \t]*(?P<head>(?P<num>\d{1,3})[.)]|\((?P<pnum>\d{1,3})\))[ \t]+(?=[A-Z“\"(‘'])", re.M)
# The words that open the operative part of an instrument without numbered articles (a declaration, a
# memorandum): "... have agreed as follows:", "... declare:", "... reached the following understanding:".
_OPERATIVE = re.compile(
    r"\b(?:(?:agree[sd]?|declare[sd]?|decide[sd]?|resolve[sd]?|undertake|record|affirm|proclaim)\b[^.:;\n]{0,60}|"
    r"as follows|the following\b[^.:;\n]{0,40}):[ \t]*\n\s*(?=\S)",
    re.I,
)
_NUMBERED_INLINE = re.compile(r"(?:(?<=[A-Z]{2})|(?<=[.:;]))[ \t]+(?P<num>\d{1,3})\.[ \t]*(?=[A-Z“\"(])")
_PARA_LINE = re.compile(r"^[ \t]*(?:(?P<num>\d{1,2})[.)]|\((?P<pnum>\d{1,2})\))[ \t]+(?=\S)", re.M)
_PARA_INLINE = re.compile(r"(?:(?<=[.;:])|(?<=[A-Z]{2}))[ \t]+(?P<num>\d{1,2})\.[ \t]+(?=[A-Z“\"(])")
_ANNEX_LINE = re.compile(
    r"^[ \t>*]*(?P<head>(?:(?:SEPARATE|Separate|AND|and|SECRET|Secret|ADDITIONAL|Additional|"
    r"OPTIONAL|Optional|SUPPLEMENTARY|Supplementary|CONFIDENTIAL|Confidential|FINAL|Final)[ \t]+)*"
    r"(?P<word>PROTOCOLS?|Protocols?|ANNEX(?:ES)?|Annex(?:es)?|APPENDIX|Appendix|SCHEDULE|Schedule|"
    r"EXCHANGE OF NOTES|Exchange of Notes|MILITARY CONVENTION|Military Convention|"
    r"SECRET ARTICLES?|Secret Articles?|SECRET CONVENTION|Secret Convention)\b[^\n]{0,160})$",
    re.M,
)
_SIGNATURE = re.compile(
    r"(?:^|(?<=[.:;”\"])[ \t]+)[ \t>*]*(?P<sig>IN WITNESS WHEREOF|In [Ww]itness [Ww]hereof|IN FAITH WHEREOF|"
    r"In [Ff]aith [Ww]hereof|IN TESTIMONY WHEREOF|In [Tt]estimony [Ww]hereof|"
    r"(?:DONE|Done|SIGNED|Signed|MADE|Made)[ \t]+(?:at|in|AT|IN)\b|"
    r"(?:DATED|Dated)[ \t]+(?:at|in|this|the)\b|(?:SIGNED|Signed)[ \t]+on[ \t]+behalf\b|"
    r"(?:DONE|Done)[ \t]*,|(?:FOR|For)[ \t]+THE GOVERNMENT OF|For the Government of)",
    re.M,
)
_BOUNDARY_LINE = re.compile(
    r"^[ \t>*]*(?:CHAPTER|Chapter|PART|Part|TITLE|Title|SECTION|Section)[ \t]+"
    r"(?:[IVXLC]{1,6}|\d{1,3}|[A-Z][a-z]+)\b[^\n]{0,120}$",
    re.M,
)
_CHAPTER_LINE = re.compile(
    r"^[ \t>*]*(?:CHAPTER|Chapter|PART|Part|TITLE|Title)[ \t]+(?:[IVXLC]{1,6}|\d{1,3}|[A-Z][a-z]+)\b[^\n]{0,120}$",
    re.M,
)
_CAPS_LINE = re.compile(r"^[ \t]*[A-Z][A-Z ,;:'’&\-]{3,}[A-Z][ \t]*$", re.M)
_LONG_LINE = 1500


@dataclass(frozen=True)
class Part:
    """A span of the treaty text with its role, label and (for children) parent index."""

    kind: str
    label: str
    number: str | None
    start: int
    end: int
    parent: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Marker:
    pos: int
    head_end: int
    kind: str  # article | protocol | annex | signatures | boundary
    label: str
    number: str | None = None
    value: int | None = None
    inline: bool = False


def number_value(token: str) -> int | None:
    """The integer a heading number stands for: 5, V, Fifth all give 5."""
    t = token.strip()
    if t.isdigit():
        return int(t)
    m = re.match(r"(\d+)", t)
    if m:
        return int(m.group(1))
    if t.lower() in _ORDINAL_VALUE:
        return _ORDINAL_VALUE[t.lower()]
    words = t.lower().split("-")
    if all(w in _CARDINAL_VALUE for w in words):
        return sum(_CARDINAL_VALUE[w] for w in words)
    if t and all(ch in _ROMAN for ch in t.upper()):
        total, prev = 0, 0
        for ch in reversed(t.upper()):
            v = _ROMAN[ch]
            total = total - v if v < prev else total + v
            prev = max(prev, v)
        return total
    return None


def segment(text: str, headings: Sequence[tuple[int, int, int]] = ()) -> list[Part]:
    """Split ``text`` into parts. ``headings`` are (start, end, level) of markup headings, if any."""
    run_on = any(len(line) > _LONG_LINE for line in text.split("\n"))
    candidates = _article_candidates(text, run_on)
    first = candidates[0].pos if candidates else len(text)
    containers = _annex_markers(text, after=first)
    markers = _best_chains(candidates, containers, text)
    if not markers:
        markers = _numbered_markers(text)
        first = markers[0].pos if markers else len(text)
        containers = _annex_markers(text, after=first)
    if not markers and headings:
        markers = _heading_markers(text, headings)
    if not markers:
        markers = _operative_marker(text)
    if markers:
        markers += _boundary_markers(text, markers[0].pos, max(m.pos for m in markers))
    markers += containers
    markers.sort(key=lambda m: (m.pos, m.kind == "boundary"))
    markers = _dedupe(markers)
    markers += _signature_markers(text, markers)
    markers.sort(key=lambda m: m.pos)
    return _build(text, markers, run_on)


# --- finding headings ------------------------------------------------------------------------


def _article_candidates(text: str, run_on: bool) -> list[_Marker]:
    found = [_article(m, inline=False) for m in _LINE_ARTICLE.finditer(text)]
    if run_on:
        line_starts = {mk.pos for mk in found}
        found += [
            mk for m in _INLINE_ARTICLE.finditer(text) if (mk := _article(m, True)).pos not in line_starts
        ]
        found.sort(key=lambda mk: mk.pos)
    return found


def _article(m: re.Match[str], inline: bool) -> _Marker:
    num = m.group("num").replace(" ", "")
    value = number_value(num)
    plain = (
        num.isdigit()
        or num.lower() in _ORDINAL_VALUE
        or all(w in _CARDINAL_VALUE for w in num.lower().split("-"))
        or re.fullmatch(r"[IVXLC]+", num) is not None
    )
    number = str(value) if plain and value is not None else num
    return _Marker(m.start("kw"), m.end("num"), "article", f"Article {num}", number, value, inline)


def _key(mk: _Marker, alpha_prefix: bool = False) -> tuple[int, ...] | None:
    """The sortable number of a heading: (5,), (3, 12) for "3.12", (1, 2) for "A-02" or "I.2".

    ``alpha_prefix``: the document numbers articles with letter prefixes (A-01, B-01, ...), so a
    prefix such as "I" is a letter, not a Roman numeral.
    """
    if mk.number and re.fullmatch(r"\d+(?:[.\-]\d+)+", mk.number):
        return tuple(int(x) for x in re.split(r"[.\-]", mk.number))
    m = re.fullmatch(r"([A-Z]+)[.\-](\d+)", mk.number or "")
    if m:
        roman = re.fullmatch(r"[IVX]|[IVXLC]{2,}", m.group(1)) and not alpha_prefix
        head = number_value(m.group(1)) if roman else None
        return (head if head is not None else ord(m.group(1)) - 64, int(m.group(2)))
    return None if mk.value is None else (mk.value,)


def _follows(prev: tuple[int, ...], nxt: tuple[int, ...], inline: bool) -> bool:
    """Can heading number ``nxt`` come right after ``prev`` (allowing a gap or two in the text)?"""
    span = 1 if inline else 3
    if len(prev) == 1 and len(nxt) == 1:
        if not inline and prev[0] >= 100 and nxt[0] >= 100 and 1 <= nxt[0] // 100 - prev[0] // 100 <= 2:
            return nxt[0] % 100 <= 1
        return 1 <= nxt[0] - prev[0] <= span
    if len(prev) == len(nxt):
        if prev[:-1] == nxt[:-1]:
            return 1 <= nxt[-1] - prev[-1] <= span
        return 1 <= nxt[0] - prev[0] <= 2 and nxt[-1] <= 1
    return nxt[0] >= prev[0] and not inline


def _best_chains(candidates: list[_Marker], containers: list[_Marker], text: str = "") -> list[_Marker]:
    """In the main text and in each protocol, keep the longest run of headings whose numbers continue.

    Headings that break the run (the articles an amending treaty inserts, a stray line that starts
    with "Article 51 ...") stay inside the article that quotes them.
    """
    edges = [0, *[c.pos for c in containers], 1 << 62]
    chapters = [m.start() for m in _CHAPTER_LINE.finditer(text)]
    alpha = any(re.fullmatch(r"[ABD-HJKMNO-UWYZ]-\d+", c.number or "") for c in candidates)
    kept: list[_Marker] = []
    for lo, hi in pairwise(edges):
        block = [c for c in candidates if lo <= c.pos < hi and _key(c, alpha) is not None]
        kept += _chain(block, [bisect.bisect(chapters, c.pos) for c in block], alpha)
    return kept


def _gap(prev: tuple[int, ...], nxt: tuple[int, ...]) -> int:
    if len(prev) != len(nxt) or (len(nxt) == 1 and prev[0] >= 100 and nxt[0] // 100 != prev[0] // 100):
        return 0
    return max(nxt[-1] - prev[-1] - 1, 0)


def _chain(block: list[_Marker], sections: list[int] | None = None, alpha: bool = False) -> list[_Marker]:
    if not block:
        return []
    n = len(block)
    keys = [_key(mk, alpha) or (0,) for mk in block]
    score = [0.0] * n
    back = [-1] * n
    for j in range(n):
        score[j] = 10.0 + (0.5 if keys[j][-1] <= 1 else 0.0) - (1.0 if block[j].inline else 0.0)
        for i in range(max(0, j - 80), j):
            restart = keys[j] == (1,) and len(keys[i]) == 1 and keys[i][0] > 1 and not block[j].inline
            free = restart and sections is not None and sections[j] > sections[i]
            suffixed = keys[j] == keys[i] and re.search(r"[A-Za-z)]$", block[j].number or "") is not None
            if restart or suffixed or _follows(keys[i], keys[j], block[j].inline):
                gap = 0 if restart or suffixed else _gap(keys[i], keys[j])
                cand = score[i] + 10.0 - 4.0 * gap - (12.0 if restart and not free else 0.0)
                if cand > score[j]:
                    score[j], back[j] = cand, i
    j = max(range(n), key=lambda k: (score[k], -k))
    chain = []
    while j != -1:
        chain.append(block[j])
        j = back[j]
    return chain[::-1]


def _numbered_markers(text: str) -> list[_Marker]:
    """Numbered paragraphs (``1.``, ``2.``...) that run in sequence serve as articles."""
    found = [(m.start("head"), m.end(), int(m.group("num") or m.group("pnum"))) for m in _NUMBERED_LINE.finditer(text)]
    found += [(m.start("num"), m.end(), int(m.group("num"))) for m in _NUMBERED_INLINE.finditer(text)]
    chain: list[_Marker] = []
    for pos, head_end, value in sorted(set(found)):
        last = chain[-1].value if chain else 0
        if value == last + 1 or (
            chain and last + 1 < value <= last + 3 and text[pos - 1 : pos] in ("", "\n")
        ):
            chain.append(_Marker(pos, head_end, "article", f"Clause {value}", str(value), value))
    return chain if len(chain) >= 2 else []


def _operative_marker(text: str) -> list[_Marker]:
    """With no headings at all, the text after the words that open the operative part (the first "...
    declare:" or "... agreed as follows:" ending a line) is one article: what the instrument provides is not
    its preamble."""
    m = _OPERATIVE.search(text)
    if m is None or m.end() >= len(text):
        return []
    return [_Marker(m.end(), m.end(), "article", "Operative part", None)]


def _heading_markers(text: str, headings: Sequence[tuple[int, int, int]]) -> list[_Marker]:
    """Markup headings below the top level stand for articles when nothing else does."""
    top = min(level for _, _, level in headings)
    below = [h for h in headings if h[2] > top] or list(headings[1:])
    markers = []
    for i, (start, end, _) in enumerate(below, 1):
        label = " ".join(text[start:end].split())[:80]
        if label:
            markers.append(_Marker(start, end, "article", label, str(i), i))
    return markers


def _annex_markers(text: str, after: int) -> list[_Marker]:
    markers = []
    for m in _ANNEX_LINE.finditer(text, after):
        head = " ".join(m.group("head").split())
        words = head.split()
        if (
            len(words) > 14
            or head.endswith((",", ";"))
            or (head.endswith(".") and len(words) > 3)
            or re.search(
                r"\b(?:shall|may|will|is|are|applies|apply|contains?|lays|sets|provides?|referred|refers|to this)\b",
                head,
            )
        ):
            continue
        word = m.group("word").lower()
        kind = "annex" if word.startswith(("annex", "appendix", "schedule")) else "protocol"
        markers.append(_Marker(m.start("head"), m.end("head"), kind, _title_case(head[:100]), None))
    return markers


def _boundary_markers(text: str, start: int, end: int) -> list[_Marker]:
    """Chapter and section headings, and short lines in capitals: they end the part before them."""
    markers = []
    for m in _BOUNDARY_LINE.finditer(text, start, end):
        line = m.group(0)
        if len(line.split()) <= 14 and not re.search(r"\b(?:shall|may|will)\b", line):
            markers.append(_Marker(m.start(), m.end(), "boundary", line.strip()))
    for m in _CAPS_LINE.finditer(text, start, end):
        markers.append(_Marker(m.start(), m.end(), "boundary", m.group(0).strip()))
    return markers


def _signature_markers(text: str, markers: list[_Marker]) -> list[_Marker]:
    """The signature block of each block (main text, each protocol) starts after its last article."""
    blocks: list[tuple[int, int, int]] = []  # (block start, search from, block end)
    containers = [mk for mk in markers if mk.kind in ("protocol", "annex")]
    edges = [0, *[c.pos for c in containers], len(text)]
    for i in range(len(edges) - 1):
        start, end = edges[i], edges[i + 1]
        inside = [mk for mk in markers if start <= mk.pos < end and mk.kind == "article"]
        if inside:
            search_from = inside[-1].head_end
        elif i == 0:
            continue  # no articles in the main text: no way to tell the final clause
        else:
            search_from = containers[i - 1].head_end
        m = _SIGNATURE.search(text, search_from, end)
        if m:
            blocks.append((start, m.start("sig"), end))
    return [_Marker(pos, pos, "signatures", "Signatures") for _, pos, _ in blocks]


def _dedupe(markers: list[_Marker]) -> list[_Marker]:
    out: list[_Marker] = []
    for mk in markers:
        if out and mk.pos < out[-1].head_end:
            continue
        out.append(mk)
    return out


def _title_case(head: str) -> str:
    return head.title() if head.isupper() else head


# --- building parts --------------------------------------------------------------------------


_trim = strip_span


def _build(text: str, markers: list[_Marker], run_on: bool) -> list[Part]:
    parts: list[Part] = []
    first = markers[0].pos if markers else len(text)
    title_span = _find_title(text, first)
    body_start = 0
    if title_span:
        parts.append(Part("title", "Title", None, *title_span))
        body_start = title_span[1]
    p_start, p_end = _trim(text, body_start, first)
    if p_end > p_start:
        parts.append(Part("preamble", "Preamble", None, p_start, p_end))
    container: int | None = None
    container_end = len(text)
    for i, mk in enumerate(markers):
        nxt = markers[i + 1].pos if i + 1 < len(markers) else len(text)
        if container is not None and mk.pos >= container_end:
            container = None
        if mk.kind == "boundary":
            continue
        if mk.kind in ("protocol", "annex"):
            later = [m.pos for m in markers[i + 1 :] if m.kind in ("protocol", "annex")]
            container_end = later[0] if later else len(text)
            start, end = _trim(text, mk.pos, container_end)
            parts.append(Part(mk.kind, mk.label, None, start, end))
            container = len(parts) - 1
            continue
        start, end = _trim(text, mk.pos, min(nxt, container_end) if container is not None else nxt)
        if end <= start:
            continue
        parts.append(Part(mk.kind, mk.label, mk.number, start, end, container))
        if mk.kind == "article":
            parts.extend(_paragraphs(text, parts[-1], len(parts) - 1, mk.head_end, run_on))
    return parts


def _find_title(text: str, limit: int) -> tuple[int, int] | None:
    """The title: an early short line that names the instrument or is set in capitals."""
    head = text[: min(limit, 3000)]
    if "\n" not in head.strip() and len(head) > 200:
        m = re.match(r"\s*((?:[A-Z0-9][A-Z0-9'’,.()&\-/]*[ \t]+){1,25}?)(?=PREAMBLE\b|[A-Z][a-z])", head)
        if m and len(m.group(1).split()) >= 2:
            return _trim(text, m.start(1), m.end(1))
        return None
    pos = 0
    seen = 0
    for line in head.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > 4:
            break
        if len(stripped) > 200 or stripped.endswith((",", ";")):
            continue
        letters = [c for c in stripped if c.isalpha()]
        upper = letters and sum(c.isupper() for c in letters) / len(letters) > 0.8
        names_instrument = re.search(
            r"\b(?:treaty|agreement|pact|convention|protocol|declaration|charter|accord|alliance|"
            r"exchange of notes|memorandum|arrangement)\b",
            stripped,
            re.I,
        )
        if (upper and len(letters) >= 6 and not re.match(r"(?:PREAMBLE|ARTICLE)\b", stripped)) or (
            names_instrument and not stripped.endswith(".")
        ):
            return _trim(text, start, end)
    return None


def _paragraphs(text: str, article: Part, index: int, head_end: int, run_on: bool) -> list[Part]:
    """Numbered paragraphs of an article, or its blank-line separated blocks."""
    body_start = max(head_end, article.start)
    body = text[body_start : article.end]
    matches = list(_PARA_LINE.finditer(body))
    if run_on:
        matches = sorted(matches + list(_PARA_INLINE.finditer(body)), key=lambda m: m.start())
    chain: list[tuple[int, int]] = []
    for m in matches:
        value = int(m.group("num") or m.groupdict().get("pnum") or 0)
        expected = chain[-1][1] + 1 if chain else 1
        if value == expected:
            num_start = m.start("num") if m.group("num") else m.start("pnum") - 1
            chain.append((body_start + num_start, value))
    out: list[Part] = []
    if len(chain) >= 2:
        for k, (start, value) in enumerate(chain):
            end = chain[k + 1][0] if k + 1 < len(chain) else article.end
            s, e = _trim(text, start, end)
            out.append(Part("paragraph", f"{article.label}({value})", str(value), s, e, index))
        return out
    blocks = [
        (m.start(), m.end()) for m in re.finditer(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", body, re.S)
    ]
    first_line_end = body.find("\n")
    if (
        blocks
        and first_line_end != -1
        and blocks[0][1] <= first_line_end
        and blocks[0][1] - blocks[0][0] < 80
    ):
        blocks = blocks[1:]  # the heading's own title line
    if len(blocks) >= 2:
        for k, (s, e) in enumerate(blocks, 1):
            out.append(
                Part("paragraph", f"{article.label}, ¶{k}", str(k), body_start + s, body_start + e, index)
            )
    return out


def check_parts(text: str, parts: Sequence[Part]) -> None:
    """Raise AssertionError if parts break the contract (used by tests and as a self-check)."""
    last_end = 0
    for i, part in enumerate(parts):
        assert part.kind in PART_KINDS, part.kind
        assert 0 <= part.start < part.end <= len(text), (i, part)
        if part.parent is None:
            assert part.start >= last_end, ("overlap", i, part)
            last_end = part.end
        else:
            parent = parts[part.parent]
            assert part.parent < i and parent.start <= part.start and part.end <= parent.end, (i, part)

"""Read a treaty file (txt, md, html, pdf, ToTA xml) into clean text, with a map back to what was read.

The clean ``text`` is what every later stage (segments, evidence offsets) refers to. ``raw`` is the
file as decoded (for PDFs: the text pypdf extracted, pages joined); ``to_raw(i)`` maps a character
of ``text`` back to ``raw``.

XML files are read when they have the shape of the ToTA trade-agreement corpus (``<treaty>`` with
``<meta><name>`` and ``<body><chapter><article number=.. name=..>``); the printed text is rebuilt
from the elements (see :func:`read_tota_xml`).
"""

from __future__ import annotations

import hashlib
import html
import re
import xml.parsers.expat
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .words import strip_span

FORMATS = ("txt", "md", "html", "pdf", "xml")
_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".xml": "xml",
}
# Wrapper lines some treaty collections put around a text (e.g. ``MainText:`` / ``AppendixText: NA``).
_WRAPPER_LINE = re.compile(r"^(?:MainText|AppendixText|Text|BodyText):[ \t]*(?:NA|N/A)?[ \t]*$", re.M)


@dataclass
class TextBuilder:
    """Builds clean text piece by piece while remembering where each piece came from."""

    parts: list[str] = field(default_factory=list)
    anchors: list[tuple[int, int, bool]] = field(default_factory=list)  # (clean start, raw start, copied)
    length: int = 0

    def copy(self, piece: str, raw_start: int) -> None:
        """Append ``piece``, which is ``raw[raw_start:raw_start+len(piece)]`` unchanged."""
        self._add(piece, raw_start, True)

    def put(self, piece: str, raw_start: int) -> None:
        """Append ``piece`` standing in for raw text that starts at ``raw_start`` (an entity, a tag)."""
        self._add(piece, raw_start, False)

    def _add(self, piece: str, raw_start: int, copied: bool) -> None:
        if not piece:
            return
        self.parts.append(piece)
        self.anchors.append((self.length, raw_start, copied))
        self.length += len(piece)

    def text(self) -> str:
        return "".join(self.parts)

    def endswith(self, suffix: str) -> bool:
        tail = ""
        for piece in reversed(self.parts):
            tail = piece + tail
            if len(tail) >= len(suffix):
                break
        return tail.endswith(suffix)


@dataclass
class TreatyText:
    """A treaty as read: clean text, the raw text it came from and the map between them."""

    text: str
    raw: str
    path: str
    format: str
    anchors: list[tuple[int, int, bool]]
    pages: list[tuple[int, int]] = field(default_factory=list)
    headings: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, level) in text

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_raw(self, index: int) -> int:
        """The offset in ``raw`` of character ``index`` of ``text``."""
        if not self.anchors:
            return index
        starts = [a[0] for a in self.anchors]
        k = max(0, bisect_right(starts, index) - 1)
        clean_start, raw_start, copied = self.anchors[k]
        return raw_start + (index - clean_start if copied else 0)


def detect_format(path: Path, head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "pdf"
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt:
        return fmt
    sniff = head[:2048].lstrip().lower()
    if re.match(rb"(?:\xef\xbb\xbf)?(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<treaty\b", sniff, re.S):
        return "xml"
    if sniff.startswith((b"<!doctype html", b"<html")) or b"<body" in sniff:
        return "html"
    return "txt"


def read_treaty(path: str | Path) -> TreatyText:
    """Read a treaty file. Raises InputError with a one-line reason for unusable input."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a treaty file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise InputError(f"{p}: file is empty")
    fmt = detect_format(p, data[:4096])
    if fmt == "pdf":
        treaty = _read_pdf(p, data)
    elif fmt == "xml":
        raw = decode_text(p, data)
        doc = read_tota_xml(raw, str(p))
        treaty = TreatyText(
            doc.builder.text(), raw, str(p), "xml", doc.builder.anchors, headings=doc.headings
        )
    else:
        raw = decode_text(p, data)
        reader = {"txt": _clean_txt, "md": _clean_md, "html": _clean_html}[fmt]
        builder, headings = reader(raw)
        treaty = TreatyText(builder.text(), raw, str(p), fmt, builder.anchors, headings=headings)
    if not treaty.text.strip():
        raise InputError(f"{p}: no text left after removing markup")
    return treaty


def decode_text(p: Path, data: bytes) -> str:
    """Decode a text file as UTF-8; refuse binary data and other encodings."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{p}: binary file (not text or PDF)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from exc
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 50):
        raise InputError(f"{p}: binary file (not text or PDF)")
    return text


# --- plain text ---------------------------------------------------------------------------


def _copy_lines(raw: str, builder: TextBuilder, skip: re.Pattern[str] | None = None) -> None:
    """Copy ``raw`` with CRLF/CR turned into LF, dropping wrapper lines."""
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", raw):
        line = m.group(0)
        if not line:
            break
        body = line.rstrip("\r\n")
        if skip is not None and skip.match(body):
            continue
        builder.copy(body, m.start())
        if len(body) < len(line):
            builder.put("\n", m.start() + len(body))


def _clean_txt(raw: str) -> tuple[TextBuilder, list[tuple[int, int, int]]]:
    builder = TextBuilder()
    _copy_lines(raw, builder, _WRAPPER_LINE)
    return builder, []


# --- markdown -----------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]*")
_MD_INLINE = re.compile(
    r"\\([\\`*_{}\[\]()#+\-.!>|])"  # escaped character
    r"|\[([^\]\n]*)\]\([^)\n]*\)"  # link: keep the text
    r"|(\*\*|__|\*|_(?=\w)|(?<=\w)_|`)"  # emphasis and code marks
    r"|<(/?)(?:sup|sub|b|i|em|strong|u|span|br)\b[^>]*>"  # common inline tags
)


def _clean_md(raw: str) -> tuple[TextBuilder, list[tuple[int, int, int]]]:
    builder = TextBuilder()
    headings: list[tuple[int, int, int]] = []
    start = 0
    fm = _FRONT_MATTER.match(raw)
    if fm:
        start = fm.end()
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", raw[start:]):
        line = m.group(0)
        if not line:
            break
        line_start = start + m.start()
        body = line.rstrip("\r\n")
        offset = 0
        level = 0
        h = _MD_HEADING.match(body)
        if h:
            level = len(h.group(1))
            offset = h.end()
            body_end = len(body.rstrip().rstrip("#").rstrip()) if body.rstrip().endswith("#") else len(body)
        else:
            body_end = len(body)
        if re.fullmatch(r"\s*(?:[-*_]\s*){3,}", body):  # horizontal rule
            offset = body_end = len(body)
        head_start = builder.length
        _copy_inline_md(body[offset:body_end], line_start + offset, builder)
        if level:
            headings.append((head_start, builder.length, level))
        if len(body) < len(line):
            builder.put("\n", line_start + len(body))
    return builder, headings


def _copy_inline_md(segment: str, raw_start: int, builder: TextBuilder) -> None:
    pos = 0
    for m in _MD_INLINE.finditer(segment):
        builder.copy(segment[pos : m.start()], raw_start + pos)
        if m.group(1) is not None:
            builder.copy(m.group(1), raw_start + m.start(1))
        elif m.group(2) is not None:
            builder.copy(m.group(2), raw_start + m.start(2))
        elif m.group(0).lower().startswith("<br"):
            builder.put("\n", raw_start + m.start())
        pos = m.end()
    builder.copy(segment[pos:], raw_start + pos)


# --- HTML ---------------------------------------------------------------------------------

_HTML_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|head|noscript|template)\b[^>]*>.*?</\1\s*>"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<![^>]*>|<\?[^>]*>"
    r"|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?>"
    r"|&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);"
    r"|\s+",
    re.S | re.I,
)
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "section",
    "article",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "title",
    "pre",
    "dd",
    "dt",
    "hr",
    "body",
    "header",
    "footer",
}


def _clean_html(raw: str) -> tuple[TextBuilder, list[tuple[int, int, int]]]:
    builder = TextBuilder()
    headings: list[tuple[int, int, int]] = []
    open_heading: tuple[int, int] | None = None
    title = re.search(r"<title\b[^>]*>(.*?)</title\s*>", raw, re.S | re.I)
    has_h1 = re.search(r"<h1\b", raw, re.I) is not None
    if title and not has_h1 and title.group(1).strip():
        builder.put(html.unescape(" ".join(title.group(1).split())), title.start(1))
        builder.put("\n\n", title.end(1))
    pos = 0
    pending_space = False
    for m in _HTML_TOKEN.finditer(raw):
        if m.start() > pos:
            if pending_space and builder.length and not (builder.endswith("\n") or builder.endswith(" ")):
                builder.put(" ", pos)
            builder.copy(raw[pos : m.start()], pos)
            pending_space = False
        token = m.group(0)
        tag = (m.group(3) or "").lower()
        if token[0].isspace():
            pending_space = True
        elif token.startswith("&"):
            if pending_space and builder.length and not (builder.endswith("\n") or builder.endswith(" ")):
                builder.put(" ", m.start())
            pending_space = False
            builder.put(html.unescape(token).replace("\xa0", " "), m.start())
        elif tag in _BLOCK_TAGS:
            pending_space = False
            if builder.length and not builder.endswith("\n\n"):
                builder.put("\n" if builder.endswith("\n") else "\n\n", m.start())
            if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                if m.group(2) == "":
                    open_heading = (builder.length, int(tag[1]))
                elif open_heading is not None:
                    headings.append((open_heading[0], builder.length, open_heading[1]))
                    open_heading = None
        pos = m.end()
    if pos < len(raw):
        builder.copy(raw[pos:], pos)
    return builder, headings


# --- ToTA XML -----------------------------------------------------------------------------

_NOT_TOTA = "XML but not a treaty (expected <treaty><body>...)"


@dataclass(frozen=True)
class ToTAArticle:
    """A numbered ``<article>`` of a ToTA file: its attributes and the span of its block in the text
    (heading line and body; ``heading_end`` is where the heading line ends)."""

    number: str
    name: str
    start: int
    heading_end: int
    end: int


@dataclass
class ToTADocument:
    """A ToTA treaty rebuilt as printed text.

    ``headings`` holds (start, end, level) of the title and chapter heading lines (level 1) and of
    each numbered article's heading line ``<number> <name>`` (level 2); ``articles`` lists the
    numbered articles in order (those whose block is empty have an empty span).
    """

    builder: TextBuilder
    headings: list[tuple[int, int, int]]
    name: str
    language: str
    articles: list[ToTAArticle]

    @property
    def text(self) -> str:
        return self.builder.text()

    @property
    def numbers(self) -> list[str]:
        return [a.number for a in self.articles]


class _Chars:
    """Text read in chunks, each remembered with where it starts in the raw file and whether it is
    the raw file's characters (``copied``) or stands in for markup (an entity, a CDATA section)."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.starts: list[int] = []  # text offset of each chunk
        self.raw_starts: list[int] = []
        self.copied: list[bool] = []
        self.length = 0

    def add(self, piece: str, raw_start: int, raw: str) -> None:
        if not piece:
            return
        self.chunks.append(piece)
        self.starts.append(self.length)
        self.raw_starts.append(raw_start)
        self.copied.append(raw.startswith(piece, raw_start))
        self.length += len(piece)

    def text(self) -> str:
        return "".join(self.chunks)

    def raw_at(self, index: int) -> int:
        k = max(0, bisect_right(self.starts, index) - 1)
        if not self.starts:
            return 0
        return self.raw_starts[k] + (index - self.starts[k] if self.copied[k] else 0)

    def emit(self, builder: TextBuilder, text: str, start: int, end: int) -> None:
        """Append ``text[start:end]`` (``text`` is :meth:`text`) to ``builder`` chunk by chunk."""
        k = max(0, bisect_right(self.starts, start) - 1)
        while start < end and k < len(self.starts):
            stop = min(end, self.starts[k] + len(self.chunks[k]))
            if stop > start:
                if self.copied[k]:
                    builder.copy(text[start:stop], self.raw_starts[k] + start - self.starts[k])
                else:
                    builder.put(text[start:stop], self.raw_starts[k])
                start = stop
            k += 1


_strip_span = strip_span


def _tota_lines(text: str) -> list[tuple[int, int]]:
    """The lines of an article's text: runs of two or more spaces (the corpus's paragraph breaks) and
    newlines end a line; each line is stripped; empty lines at either end are dropped."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for m in re.finditer(r" {2,}|\n", text):
        lines.append(_strip_span(text, pos, m.start()))
        pos = m.end()
    lines.append(_strip_span(text, pos, len(text)))
    while lines and lines[0][0] == lines[0][1]:
        lines.pop(0)
    while lines and lines[-1][0] == lines[-1][1]:
        lines.pop()
    return lines


def _byte_to_char(data: bytes):
    """A converter from UTF-8 byte offsets (at character boundaries) to str offsets, fast when the
    offsets asked for do not decrease."""
    state = [0, 0]  # last byte offset, its char offset

    def convert(byte_index: int) -> int:
        last_b, last_c = state
        if byte_index < last_b:
            last_b, last_c = 0, 0
        last_c += len(data[last_b:byte_index].decode("utf-8", "replace"))
        state[0], state[1] = byte_index, last_c
        return last_c

    return convert


@dataclass
class _ToTAParse:
    root: str | None = None
    body: bool = False
    meta: dict[str, tuple[int, _Chars]] = field(default_factory=dict)  # name/language: (raw start, text)
    chapters: list[tuple[dict[str, str], int, list]] = field(default_factory=list)
    collect: _Chars | None = None  # the element whose own text is being read
    collect_depth: int = -1


def read_tota_xml(raw: str, where: str = "<xml>") -> ToTADocument:
    """Rebuild the printed text of a ToTA treaty (an XML string) with a map back to ``raw``.

    The text is the treaty name (``meta/name``) as a title line, a line ``<number> <name>`` for each
    chapter that has a number, and per article a heading line ``<number> <name>`` (numbered articles
    only) followed by the article's text, in which runs of two or more spaces become line breaks;
    blocks are separated by a blank line. Copied characters of the article texts and the title map
    to their place in ``raw``; headings and line breaks map to the start of the element they belong to.

    Raises InputError when the XML is broken or is not shaped like a ToTA treaty.
    """
    data = raw.encode("utf-8")
    to_char = _byte_to_char(data)
    parser = xml.parsers.expat.ParserCreate("UTF-8")
    stack: list[str] = []
    st = _ToTAParse()

    def start(name: str, attrs: dict[str, str]) -> None:
        pos = to_char(parser.CurrentByteIndex)
        depth = len(stack)
        stack.append(name)
        if depth == 0:
            st.root = name
        if st.collect is not None and depth > st.collect_depth:
            st.collect = None  # an element's own text ends at its first child (ElementTree's .text)
        if st.root != "treaty":
            return
        collect: _Chars | None = None
        if depth == 1 and name == "body":
            st.body = True
        elif depth == 2 and stack[1] == "meta" and name in ("name", "language") and name not in st.meta:
            collect = _Chars()
            st.meta[name] = (pos, collect)
        elif depth == 2 and stack[1] == "body" and name == "chapter":
            st.chapters.append((dict(attrs), pos, []))
        elif depth == 3 and stack[1] == "body" and stack[2] == "chapter" and name == "article":
            collect = _Chars()
            st.chapters[-1][2].append((dict(attrs), pos, collect))
        if collect is not None:
            st.collect, st.collect_depth = collect, depth

    def end(name: str) -> None:
        stack.pop()
        if len(stack) <= st.collect_depth:
            st.collect, st.collect_depth = None, -1

    def chars(piece: str) -> None:
        if st.collect is not None:
            st.collect.add(piece, to_char(parser.CurrentByteIndex), raw)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        if st.root not in (None, "treaty"):
            raise InputError(f"{where}: {_NOT_TOTA}") from exc
        raise InputError(f"{where}: broken XML ({exc})") from exc
    if st.root != "treaty" or not st.body:
        raise InputError(f"{where}: {_NOT_TOTA}")
    return _rebuild_tota(raw, st)


def _rebuild_tota(raw: str, st: _ToTAParse) -> ToTADocument:
    builder = TextBuilder()
    headings: list[tuple[int, int, int]] = []
    articles: list[ToTAArticle] = []

    def separate(raw_pos: int) -> None:
        if builder.length:
            builder.put("\n\n", raw_pos)

    def meta_text(key: str) -> str:
        return st.meta[key][1].text() if key in st.meta else ""

    title = meta_text("name")
    s, e = _strip_span(title, 0, len(title))
    if e > s:
        st.meta["name"][1].emit(builder, title, s, e)
        headings.append((0, builder.length, 1))
    for attrs, pos, chapter_articles in st.chapters:
        if attrs.get("number"):
            line = f"{attrs.get('number', '').strip()} {attrs.get('name', '').strip()}".strip()
            separate(pos)
            headings.append((builder.length, builder.length + len(line), 1))
            builder.put(line, pos)
        for a_attrs, a_pos, a_chars in chapter_articles:
            body = a_chars.text()
            lines = _tota_lines(body)
            number = a_attrs.get("number")
            heading = ""
            if number is not None:
                heading = f"{number.strip()} {(a_attrs.get('name') or '').strip()}".strip()
            if not heading and not lines:
                if number is not None:
                    at = builder.length
                    articles.append(ToTAArticle(number, (a_attrs.get("name") or "").strip(), at, at, at))
                continue
            separate(a_pos)
            block_start = builder.length
            if heading:
                headings.append((builder.length, builder.length + len(heading), 2))
                builder.put(heading, a_pos)
            heading_end = builder.length
            if heading and lines:
                builder.put("\n", a_pos)
            for k, (ls, le) in enumerate(lines):
                if k:
                    builder.put("\n", a_chars.raw_at(lines[k - 1][1]))
                a_chars.emit(builder, body, ls, le)
            if number is not None:
                name = (a_attrs.get("name") or "").strip()
                articles.append(ToTAArticle(number, name, block_start, heading_end, builder.length))
    if builder.length:
        builder.put("\n", max(len(raw) - 1, 0))
    return ToTADocument(builder, headings, title.strip(), meta_text("language").strip(), articles)


# --- PDF ----------------------------------------------------------------------------------


def _read_pdf(p: Path, data: bytes) -> TreatyText:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:
                raise InputError(f"{p}: PDF is encrypted") from exc
        page_texts = [(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        raise InputError(f"{p}: broken PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # pypdf raises many kinds of error on damaged files
        raise InputError(f"{p}: broken PDF ({type(exc).__name__})") from exc
    pages: list[tuple[int, int]] = []
    chunks: list[str] = []
    length = 0
    for i, page_text in enumerate(page_texts):
        page_text = page_text.replace("\r\n", "\n").replace("\r", "\n")
        if i:
            chunks.append("\n\n")
            length += 2
        pages.append((length, length + len(page_text)))
        chunks.append(page_text)
        length += len(page_text)
    raw = "".join(chunks)
    if not raw.strip():
        raise InputError(f"{p}: PDF has no extractable text (scanned images?); run OCR first")
    builder = TextBuilder()
    builder.copy(raw, 0)
    return TreatyText(raw, raw, str(p), "pdf", builder.anchors, pages=pages)

"""ToTA trade agreements as treaties: rebuild the printed text of a ``<treaty>`` XML file.

The Texts of Trade Agreements corpus stores each agreement as ``<meta>`` (name, language, parties)
and ``<body><chapter><article number=.. name=..>`` elements. The text a printed edition would show
is rebuilt from them (title line, chapter lines, "number name" heading lines, article bodies), with
article headings recorded for the segmenter and a map from each rebuilt character to the raw file.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from bisect import bisect_right
from dataclasses import dataclass, field

from nlp_coder.errors import InputError
from nlp_coder.text.builder import TextBuilder
from nlp_coder.text.words import strip_span

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

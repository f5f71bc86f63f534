"""Read a treaty file (txt, md, html, pdf, ToTA xml) into clean text, with a map back to what was read.

The clean ``text`` is what every later stage (segments, evidence offsets) refers to. ``raw`` is the
file as decoded, without its byte order mark (for PDFs: the text pypdf extracted, pages joined);
``to_raw(i)`` maps a character of ``text`` back to ``raw``. Text files are UTF-8 or UTF-16 (or
UTF-32 with a byte order mark); see :func:`decode_text`.

XML files are read when they have the shape of the ToTA trade-agreement corpus (``<treaty>`` with
``<meta><name>`` and ``<body><chapter><article number=.. name=..>``); the printed text is rebuilt
from the elements (see :mod:`nlp_coder.tota`).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from nlp_coder.errors import InputError
from nlp_coder.text.builder import TextBuilder

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


def detect_format(path: Path, head: bytes | str) -> str:
    """The format of a file from its name and its first bytes (or its first decoded characters)."""
    if isinstance(head, bytes) and head.startswith(b"%PDF-"):
        return "pdf"
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt:
        return fmt
    if isinstance(head, bytes):
        head = head[:2048].decode("utf-8", "replace")
    sniff = head[:2048].lstrip("\ufeff").lstrip().lower()
    if re.match(r"(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<treaty\b", sniff, re.S):
        return "xml"
    if sniff.startswith(("<!doctype html", "<html")) or "<body" in sniff:
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
    if detect_format(p, data[:4096]) == "pdf":
        return _read_pdf(p, data)  # refuses a PDF without text
    raw = decode_text(p, data)
    if not raw.strip():
        raise InputError(f"{p}: file is empty")  # e.g. only a byte order mark, or UTF-16 blanks
    fmt = detect_format(p, raw[:4096])  # by name, else by the decoded text (the bytes may be UTF-16)
    if fmt == "xml":
        from nlp_coder.text.tota import read_tota_xml

        doc = read_tota_xml(raw, str(p))
        treaty = TreatyText(
            doc.builder.text(), raw, str(p), "xml", doc.builder.anchors, headings=doc.headings
        )
    else:
        reader = {"txt": _clean_txt, "md": _clean_md, "html": _clean_html}[fmt]
        builder, headings = reader(raw)
        treaty = TreatyText(builder.text(), raw, str(p), fmt, builder.anchors, headings=headings)
    if not treaty.text.strip():
        raise InputError(f"{p}: no text left after removing markup")
    return treaty


_BOMS = (  # longest first: the UTF-32-LE mark starts with the UTF-16-LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SAMPLE = 8192


def decode_text(p: Path, data: bytes) -> str:
    """Decode a text file: UTF-8, or UTF-8/16/32 with a byte order mark (dropped), or UTF-16 without
    one when its NUL bytes make that plain. Refuse binary data and other encodings."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                name = encoding.upper().replace("-LE", "").replace("-BE", "")
                raise InputError(
                    f"{p}: starts with a {name} byte order mark but is not valid {name} text "
                    f"(byte {len(bom) + exc.start})"
                ) from exc
            return _check_controls(p, text)
    if b"\x00" in data[:_SAMPLE]:
        text = _utf16_without_bom(data)
        if text is None:
            raise InputError(f"{p}: binary file (not text or PDF)")
        return _check_controls(p, text)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from exc
    return _check_controls(p, text)


def _check_controls(p: Path, text: str) -> str:
    """``text``, unless control characters show that it was decoded from binary data."""
    head = text[:_SAMPLE]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(head) // 50):
        raise InputError(f"{p}: binary file (not text or PDF)")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """``data`` decoded as UTF-16 when it plainly is (NUL bytes nearly all on one side of the
    two-byte units, as for text in the ASCII range; valid UTF-16; few unassigned or private
    characters), else None."""
    sample = data[:_SAMPLE]
    units = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(data) % 2 or units == 0:
        return None
    if odd >= max(units // 10, 1) and even * 8 <= odd:
        encoding = "utf-16-le"  # "A" is 41 00
    elif even >= max(units // 10, 1) and odd * 8 <= even:
        encoding = "utf-16-be"  # "A" is 00 41
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    head = text[: _SAMPLE // 2]
    odd_chars = sum(1 for ch in head if unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    if odd_chars > max(2, len(head) // 100):
        return None
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


# --- PDF ----------------------------------------------------------------------------------


def _read_pdf(p: Path, data: bytes) -> TreatyText:
    import io
    import logging

    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    encrypted = f"{p}: PDF is encrypted: decrypt it first"
    try:
        reader = PdfReader(io.BytesIO(data))
        # Many official PDFs only have an owner password: the empty user password opens them.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise InputError(encrypted)
        page_texts = [(page.extract_text() or "") for page in reader.pages]
    except InputError:
        raise
    except FileNotDecryptedError as exc:
        raise InputError(encrypted) from exc
    except DependencyError as exc:
        raise InputError(
            f"{p}: PDF is AES-encrypted and the 'cryptography' package is missing: pip install 'pypdf[crypto]'"
        ) from exc
    except NotImplementedError as exc:
        if b"/Encrypt" in data:
            raise InputError(
                f"{p}: PDF is encrypted with a method pypdf cannot read: decrypt it first"
            ) from exc
        raise InputError(f"{p}: broken PDF ({type(exc).__name__})") from exc
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

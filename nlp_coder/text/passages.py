"""The passages a treaty is scored by: leaf parts and the text between them, long ones cut."""

from __future__ import annotations

from nlp_coder.text.treaty import Treaty
from nlp_coder.text.words import strip_span

MAX_PASSAGE = 3000


def passages(treaty: Treaty) -> list[tuple[int, int]]:
    """The passages a treaty is scored by: its leaf parts (paragraphs, articles without paragraphs, the
    preamble, childless annexes and protocols), and the text between a part's children (an article's
    lead-in before its first paragraph, a protocol's text between its articles)."""
    children: dict[int, list[tuple[int, int]]] = {}
    for part in treaty.parts:
        if part.parent is not None:
            children.setdefault(part.parent, []).append((part.start, part.end))
    spans = []
    for i, part in enumerate(treaty.parts):
        if part.kind in ("title", "signatures"):
            continue
        if i not in children:
            if part.parent is None or part.kind != "signatures":
                spans.append((part.start, part.end))
            continue
        cursor = part.start
        for start, end in sorted(children[i]):
            if start - cursor >= 40 and treaty.text[cursor:start].strip():
                spans.append(_strip(treaty.text, cursor, start))
            cursor = max(cursor, end)
        if part.end - cursor >= 40 and treaty.text[cursor : part.end].strip():
            spans.append(_strip(treaty.text, cursor, part.end))
    # text no part holds (after a chapter heading, between an amending treaty's inserted articles)
    cursor = 0
    for part in sorted((p for p in treaty.parts if p.parent is None), key=lambda p: p.start):
        if part.start - cursor >= 40 and treaty.text[cursor : part.start].strip() and cursor > 0:
            spans.append(_strip(treaty.text, cursor, part.start))
        cursor = max(cursor, part.end)
    spans = sorted({piece for span in spans for piece in _chunks(treaty.text, *span)})
    return spans or [(0, len(treaty.text))]


def _chunks(text: str, start: int, end: int, size: int = 1500) -> list[tuple[int, int]]:
    """A long passage cut at blank lines (or line ends) into pieces of about ``size`` characters."""
    import re

    if end - start <= MAX_PASSAGE:
        return [(start, end)]
    cuts = [m.end() for m in re.finditer(r"\n[ \t]*\n|\n", text[start:end])]
    pieces, piece_start = [], start
    for cut in cuts:
        if start + cut - piece_start >= size:
            pieces.append(_strip(text, piece_start, start + cut))
            piece_start = start + cut
    if text[piece_start:end].strip():
        pieces.append(_strip(text, piece_start, end))
    return [p for p in pieces if p[1] > p[0]]


_strip = strip_span

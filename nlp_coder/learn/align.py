"""Locate a sheet's quotes in the treaty text, even when the quote's spacing, quotes or letters differ.

Coders paste quotes from PDFs and translations: line breaks, ellipses, curly quotes and OCR slips
change them. Alignment works on a normalised copy of both texts (lower case, letters and digits
only) and maps the best fuzzy match back to offsets in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEEP = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Alignment:
    start: int
    end: int
    score: float  # 0-100, rapidfuzz's similarity of the quote to text[start:end]


def _normalise(text: str) -> tuple[str, list[int]]:
    """Lower-case words joined by single spaces, and for each of its characters the source offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for m in _KEEP.finditer(text.lower()):
        if chars:
            chars.append(" ")
            offsets.append(m.start())
        chars.extend(m.group(0))
        offsets.extend(range(m.start(), m.end()))
    return "".join(chars), offsets


def align_quote(quote: str, text: str, min_score: float = 80.0) -> Alignment | None:
    """Where ``quote`` stands in ``text``, or None when no passage is similar enough."""
    from rapidfuzz import fuzz

    needle, _ = _normalise(quote.strip(" .…"))
    if len(needle) < 12:
        return None
    hay, offsets = _normalise(text)
    if not hay:
        return None
    exact = hay.find(needle)
    if exact >= 0:
        return Alignment(offsets[exact], offsets[exact + len(needle) - 1] + 1, 100.0)
    found = fuzz.partial_ratio_alignment(needle, hay, score_cutoff=min_score)
    if found is None:
        return None
    if found.dest_end <= found.dest_start:
        return None
    start, end = offsets[found.dest_start], offsets[found.dest_end - 1] + 1
    while start > 0 and text[start - 1].isalnum():  # whole words only
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return Alignment(start, end, round(found.score, 1))

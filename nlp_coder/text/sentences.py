"""Sentence spans with spaCy's blank English tokenizer and rule-based sentencizer (no model download)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_MAX_CHUNK = 200_000


@lru_cache(maxsize=1)
def _nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = _MAX_CHUNK + 10_000
    return nlp


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; blank lines also end a sentence (headings, list items)."""
    spans: list[tuple[int, int]] = []
    nlp = _nlp()
    pos = 0
    for block in _blocks(text):
        start, end = block
        for chunk_start in range(start, end, _MAX_CHUNK):
            chunk_end = min(end, chunk_start + _MAX_CHUNK)
            doc = nlp(text[chunk_start:chunk_end])
            for sent in doc.sents:
                s = chunk_start + sent.start_char
                e = chunk_start + sent.end_char
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e > s and s >= pos:
                    spans.append((s, e))
                    pos = e
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    import re

    return [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", text, re.S)]

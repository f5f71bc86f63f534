"""Sentence spans with spaCy's blank English tokenizer and its sentencizer's rule (no model download)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_MAX_CHUNK = 200_000


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[Any, frozenset[int]]:
    """spaCy's blank English tokenizer, and the hashes of the sentencizer's sentence-final characters."""
    import spacy
    from spacy.pipeline import Sentencizer

    nlp = spacy.blank("en")
    nlp.max_length = _MAX_CHUNK + 10_000
    return nlp.tokenizer, frozenset(nlp.vocab.strings.add(c) for c in Sentencizer.default_punct_chars)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; blank lines also end a sentence (headings, list items), unless the
    sentence runs on past them (``_blocks``).

    The sentences are spaCy's sentencizer's, worked out from the token arrays: its rule (a sentence starts at
    the first token after a sentence-final character that is neither punctuation nor sentence-final) applied
    without making a Python object per token, which took most of the splitting time.
    """
    tokenizer, final = _tokenizer()
    chunks = [
        (chunk_start, min(end, chunk_start + _MAX_CHUNK))
        for start, end in _blocks(text)
        for chunk_start in range(start, end, _MAX_CHUNK)
    ]
    spans: list[tuple[int, int]] = []
    pos = 0
    docs = tokenizer.pipe(text[s:e] for s, e in chunks)
    for (chunk_start, _), doc in zip(chunks, docs, strict=True):
        for s, e in doc_sentences(doc, final):
            s, e = chunk_start + s, chunk_start + e
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s and s >= pos:
                spans.append((s, e))
                pos = e
    return spans


def doc_sentences(doc: Any, final: frozenset[int]) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of one tokenized chunk, as the sentencizer's
    ``doc.sents`` would give them (``final``: hashes of its sentence-final characters)."""
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    if not len(doc):
        return []
    tokens = doc.to_array([ORTH, IS_PUNCT, IDX, LENGTH]).tolist()
    starts = [0]
    seen_final = False
    for i, (orth, is_punct, _, _) in enumerate(tokens):
        if orth in final:
            seen_final = True
        elif seen_final and not is_punct:
            starts.append(i)
            seen_final = False
    ends = [*starts[1:], len(tokens)]
    return [(tokens[a][2], tokens[b - 1][2] + tokens[b - 1][3]) for a, b in zip(starts, ends, strict=True)]


def _blocks(text: str) -> list[tuple[int, int]]:
    """The text's blocks between blank lines, but a block that stops mid-sentence (its last character a
    letter, digit or comma) runs on into the next when that one opens in lower case: text extracted from a
    PDF or a double-spaced page puts blank lines inside sentences ("decisions having military or" / "defence
    implications."), and a sentence cut there reads as another promise than the whole one."""
    import re

    blocks: list[tuple[int, int]] = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=[ \t]*\n[ \t]*\n|\s*\Z)", text, re.S):
        if blocks and _runs_on(text[blocks[-1][1] - 1], text[m.start()]):
            blocks[-1] = (blocks[-1][0], m.end())
        else:
            blocks.append((m.start(), m.end()))
    return blocks


def _runs_on(last: str, first: str) -> bool:
    return (last.isalnum() or last == ",") and first.islower()

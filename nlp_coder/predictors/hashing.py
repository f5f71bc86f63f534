"""Hashed n-gram counts, exactly as scikit-learn's ``HashingVectorizer`` makes them (``alternate_sign=False``,
``norm=None``, lowercase), computed with MurmurHash3 from the ``murmurhash`` package that spaCy is built on.

Drafting needs only these counts, and importing scikit-learn's text module costs about 0.9 s of start-up (it
pulls in scipy.stats and pandas), more than the rest of a short draft. Training still fits with
scikit-learn; a test checks that both give the same matrices, data, indices and dtype.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import pairwise

import numpy as np
from murmurhash.mrmr import hash as _murmur3_32

N_FEATURES = 2**15  # per analyzer: word 1-2 grams and character 3-5 grams

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # HashingVectorizer's default token_pattern
_INT32_MIN = -(2**31)


def _columns(features: list[str], n_features: int) -> np.ndarray:
    """Each feature's column: |murmur3_32(utf-8, seed 0)| mod n_features."""
    h = np.fromiter(map(_murmur3_32, features), dtype=np.int64, count=len(features))
    columns = np.abs(h) % n_features
    # scikit-learn's int32 abs() of -2**31 overflows; it defines that feature's column this way
    columns[h == _INT32_MIN] = (2**31 - 1 - (n_features - 1)) % n_features
    return columns.astype(np.int32)


def _word_features(text: str) -> list[str]:
    """Word unigrams and bigrams of a lowercased text, tokens of two or more word characters."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def _char_wb_features(text: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams within words padded with a space on each side; a word shorter than n gives itself
    once (scikit-learn's ``char_wb``)."""
    out: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            out.append(padded[:n])
            if n >= length:
                break
            out.extend(padded[i : i + n] for i in range(1, length - n + 1))
    return out


def _hashed(rows: Iterable[list[str]], n_rows: int, n_features: int):
    from scipy.sparse import csr_matrix

    features: list[str] = []
    indptr = [0]
    for row in rows:
        features.extend(row)
        indptr.append(len(features))
    out = csr_matrix(
        (
            np.ones(len(features), dtype=np.float64),
            _columns(features, n_features),
            np.asarray(indptr, dtype=np.int32),
        ),
        shape=(n_rows, n_features),
        dtype=np.float64,
    )
    out.sum_duplicates()
    return out


def word_counts(texts: list[str], n_features: int = N_FEATURES):
    """``HashingVectorizer(analyzer="word", ngram_range=(1, 2))`` counts of ``texts``."""
    return _hashed(map(_word_features, texts), len(texts), n_features)


def char_wb_counts(texts: list[str], n_features: int = N_FEATURES):
    """``HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5))`` counts of ``texts``."""
    return _hashed(map(_char_wb_features, texts), len(texts), n_features)


def l2_normalized(matrix):
    """Rows scaled to unit length, as ``sklearn.preprocessing.normalize`` does it (squares summed in order,
    so the result is the same to the last bit); all-zero rows stay zero."""
    out = matrix.tocsr(copy=True)
    data, indptr = out.data, out.indptr
    squares = data * data
    for i in range(out.shape[0]):
        a, b = indptr[i], indptr[i + 1]
        if a == b:
            continue
        total = float(np.cumsum(squares[a:b])[-1])
        if total != 0.0:
            data[a:b] /= np.sqrt(total)
    return out

"""Fitting: one calibrated passage classifier per target on the labelled passages."""

from __future__ import annotations

import random

from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.learn.dataset import Example, _progress, targets

NEG_PER_POS = 10


MAX_PER_TARGET = 8000


MIN_EXAMPLES = 3


def fit_targets(examples: list[Example], cb: Codebook, seed: int = 0, progress: bool = False) -> dict:
    """One PassageClassifier per target with enough examples; idf shared, fitted on the kept passages."""
    import numpy as np

    from nlp_coder.predictors.classifier import PassageClassifier, counts, fit_idf, tfidf

    rng = random.Random(seed)
    chosen: dict[str, list[int]] = {}
    for target in targets(cb):
        pos = [i for i, ex in enumerate(examples) if ex.labels.get(target.name) == 1]
        neg = [i for i, ex in enumerate(examples) if ex.labels.get(target.name) == 0]
        if len(pos) < MIN_EXAMPLES or len(neg) < MIN_EXAMPLES:
            continue
        if len(pos) > MAX_PER_TARGET // 2:
            pos = sorted(rng.sample(pos, MAX_PER_TARGET // 2))
        keep = min(max(NEG_PER_POS * len(pos), 200), MAX_PER_TARGET - len(pos))
        if len(neg) > keep:
            neg = sorted(rng.sample(neg, keep))
        chosen[target.name] = sorted(pos + neg)
    used = sorted({i for idx in chosen.values() for i in idx})
    if not used:
        return {"idf": None, "classifiers": {}, "counts": {}}
    raw = counts([examples[i].text for i in used])  # each passage is vectorised once for all targets
    idf = fit_idf(raw)
    features = tfidf(raw, idf)
    row = {i: k for k, i in enumerate(used)}
    classifiers, stats = {}, {}
    for name in _progress(sorted(chosen), progress, "training"):
        idx = chosen[name]
        y = [examples[i].labels[name] for i in idx]
        clf = PassageClassifier(random_state=seed).fit(
            [], y, idf=idf, features=features[[row[i] for i in idx]]
        )
        classifiers[name] = clf
        stats[name] = {
            "positive": int(np.sum(y)),
            "negative": int(len(y) - np.sum(y)),
            "documents": len({examples[i].doc for i in idx}),
        }
    return {"idf": idf, "classifiers": classifiers, "counts": stats}

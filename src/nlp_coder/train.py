"""Training: fit one calibrated passage classifier per target on the labelled passages of the corpora
(:mod:`nlp_coder.dataset`), choose per target whether it replaces the rules, and save the model folder."""

from __future__ import annotations

import random
from pathlib import Path

from .codebook import Codebook, load_codebook
from .corpus import Corpus
from .dataset import Example, _progress, collect, targets

NEG_PER_POS = 10
MAX_PER_TARGET = 8000
MIN_EXAMPLES = 3


def fit_targets(examples: list[Example], cb: Codebook, seed: int = 0, progress: bool = False) -> dict:
    """One PassageClassifier per target with enough examples; idf shared, fitted on the kept passages."""
    import numpy as np

    from .learn import PassageClassifier, counts, fit_idf, tfidf

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


def train(
    manifests: list[Path],
    out: Path,
    atop_csv: Path | None = None,
    data_root: Path | None = None,
    seed: int = 0,
    progress: bool = False,
    name: str | None = None,
) -> Path:
    """Train on the manifests and save the model folder ``out``."""
    from .corpus import read_manifest
    from .model import is_model_folder, save_model
    from .output import folder_output

    folder_output(out, is_model_folder, "model")  # before minutes of training, not after
    cb = load_codebook()
    corpora = [read_manifest(m, data_root) for m in manifests]
    examples, hashes = collect(corpora, atop_csv, cb, progress)
    fitted = fit_targets(examples, cb, seed, progress)
    winners, cv = select_winners(corpora, examples, atop_csv, cb)
    data = {
        "manifests": [Path(m).name for m in manifests],
        "treaties": len(hashes),
        "passages": len(examples),
        "text_sha256": dict(sorted(hashes.items())),
    }
    return save_model(
        out,
        fitted,
        cb,
        data=data,
        seed=seed,
        name=name or out.name,
        code_priors=_code_priors(atop_csv, cb),
        winners=winners,
        cv=cv,
    )


def select_winners(
    corpora: list[Corpus], examples: list[Example], atop_csv: Path | None, cb: Codebook
) -> tuple[dict[str, str], dict[str, dict]]:
    """The model replaces the rules for a target only if it was right more often in leave-one-treaty-out
    cross-validation over the treaties that have gold codes; ties and untested targets stay with the rules."""
    from .corpus import Corpus as _Corpus
    from .evaluate import cross_validate, gold_codes
    from .treaty import load_treaty

    gold_entries = [e for c in corpora for e in c.entries if not e.weak and gold_codes(e, atop_csv, cb)]
    if len(gold_entries) < 3:
        return {}, {}
    subset = _Corpus(corpora[0].manifest, gold_entries)
    _, per_target = cross_validate(
        subset, [load_treaty(e.text) for e in gold_entries], examples, atop_csv, cb
    )
    winners = {t: ("model" if r["model_acc"] > r["rules_acc"] else "rules") for t, r in per_target.items()}
    return winners, per_target


def _code_priors(atop_csv: Path | None, cb: Codebook) -> dict[str, int]:
    """Most common non-default code of each column in ATOP: the code a bare "yes" most likely means."""
    if atop_csv is None:
        return {}
    from collections import Counter

    from .atop import load_atop

    rows = load_atop(atop_csv).values()
    priors = {}
    for name, col in cb.columns.items():
        default = col.default if col.default is not None else 0
        values = Counter(r.get(name) for r in rows if r.get(name) not in (None, default))
        if values:
            priors[name] = int(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return priors

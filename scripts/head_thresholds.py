"""Per-type claim thresholds for the semantic heads, chosen out of fold on their training data.

The heads are refitted in ``--folds`` folds over the clause bank's training split and the trade agreements'
gated sentences (never the held-out split); each type's threshold is the one that maximises its F1 over the
out-of-fold probabilities (offence and neutrality yielding to defence as in drafting). Prints the thresholds,
to be set as ``CLAIM`` in ``nlp_coder/learn/semantic.py``, and each type's precision and recall there.

    python scripts/head_thresholds.py [--tota corpora/tota.jsonl] [--folds 4] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GRID = np.round(np.arange(0.2, 0.8, 0.025), 3)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tota", type=Path, default=ROOT / "corpora" / "tota.jsonl")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    from sklearn.model_selection import KFold

    from nlp_coder.learn.corpus import read_manifest
    from nlp_coder.learn.semantic import (
        TYPE_TARGETS,
        YIELD_MARGIN,
        YIELDS,
        clause_data,
        embed,
        merge,
        weak_negatives,
    )
    from nlp_coder.predictors.encoder import load_encoder
    from nlp_coder.predictors.semantic import SemanticHeads, features, yielded

    parts = [clause_data("train")]
    if args.tota.is_file():
        parts.append(weak_negatives([read_manifest(args.tota)], jobs=args.jobs))
    data = merge(*parts)
    embeddings = embed(data.texts, load_encoder(None), args.jobs)
    X, Y = features(embeddings, data.texts), np.asarray(data.labels)
    oof = np.zeros(Y.shape, dtype=np.float32)
    for train, test in KFold(args.folds, shuffle=True, random_state=0).split(X):
        heads = SemanticHeads(TYPE_TARGETS).fit(X[train], Y[train], embeddings=embeddings[train])
        oof[test] = heads.predict_proba(X[test])
    oof = yielded(oof, TYPE_TARGETS, YIELDS, YIELD_MARGIN)
    out = {}
    for j, target in enumerate(TYPE_TARGETS):
        y = Y[:, j] == 1
        best = None
        for threshold in GRID:
            claimed = oof[:, j] >= threshold
            tp, fp, fn = int((claimed & y).sum()), int((claimed & ~y).sum()), int((~claimed & y).sum())
            f1 = 2 * tp / max(2 * tp + fp + fn, 1)
            if best is None or f1 > best["f1"]:
                best = {
                    "threshold": float(threshold),
                    "f1": round(f1, 3),
                    "precision": round(tp / max(tp + fp, 1), 3),
                    "recall": round(tp / max(tp + fn, 1), 3),
                }
        out[target] = best
    print(json.dumps({"sentences": len(data.texts), "folds": args.folds, "by type": out}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

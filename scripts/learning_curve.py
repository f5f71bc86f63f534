"""Learning curve: what more coded treaties buy. Trains on growing subsets, evaluates on held-out gold.

For each size n, n training treaties are drawn (seeded, nested: each subset contains the smaller
ones) from the training manifests; a model is fitted on their passages and used on every target to
draft the evaluation manifest's treaties, which are never in a training subset. Plots overall
accuracy, macro F1 (non-default codes) and ECE against n, with the rules-only drafter as a line.

    python scripts/learning_curve.py --train corpora/tota.jsonl --eval corpora/shared.jsonl \
        --atop-csv ../shared/data/atop/atop5_1a.csv -o reports/learning_curve
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.learn.corpus import read_manifest
from nlp_coder.learn.crossval import _draft_json
from nlp_coder.learn.dataset import collect
from nlp_coder.learn.evaluate import system_metrics
from nlp_coder.learn.fit import fit_targets
from nlp_coder.learn.gold import Scored, gold_codes, scored_columns
from nlp_coder.learn.train import _code_priors
from nlp_coder.predictors.model import Model
from nlp_coder.text.treaty import load_treaty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, nargs="+", required=True, help="training manifests")
    parser.add_argument("--eval", type=Path, required=True, help="evaluation manifest (with gold)")
    parser.add_argument("--atop-csv", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50, 100, 200, 400])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, default=Path("reports/learning_curve"))
    args = parser.parse_args()

    cb = load_codebook()
    evaluation = read_manifest(args.eval)
    eval_ids = {e.id for e in evaluation.entries}
    corpora = [read_manifest(m) for m in args.train]
    examples, hashes = collect(corpora, args.atop_csv, cb, progress=True)
    train_ids = sorted(i for i in hashes if i not in eval_ids)
    random.Random(args.seed).shuffle(train_ids)
    treaties = [load_treaty(e.text) for e in evaluation.entries]
    golds = [gold_codes(e, args.atop_csv, cb) for e in evaluation.entries]
    columns = scored_columns(cb)
    priors = _code_priors(args.atop_csv, cb)
    rules = system_metrics(golds, [_draft_json(t, cb, None) for t in treaties], columns, cb)["overall"]
    points = []
    for n in [s for s in args.sizes if s <= len(train_ids)] or [len(train_ids)]:
        chosen = set(train_ids[:n])
        fitted = fit_targets([ex for ex in examples if ex.doc in chosen], cb, seed=args.seed)
        meta = {
            "name": f"curve-{n}",
            "targets": {t: {"winner": "model"} for t in fitted["classifiers"]},
            "code_priors": priors,
        }
        model = Model(Path("<curve>"), meta, fitted["idf"], fitted["classifiers"])
        scored: list[Scored] = [_draft_json(t, cb, model) for t in treaties]
        overall = system_metrics(golds, scored, columns, cb)["overall"]
        points.append({"treaties": n, "targets": len(fitted["classifiers"]), **overall})
        print(
            f"n={n:4d} targets={len(fitted['classifiers']):2d} acc={overall['acc']} macro_f={overall['macro_f']} "
            f"ece={overall['ece']}"
        )
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "learning_curve.json").write_text(
        json.dumps({"points": points, "rules": rules}, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    plot(points, rules, args.output / "learning_curve.png")


def plot(points: list[dict], rules: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    xs = [p["treaties"] for p in points]
    for key, label in (("acc", "accuracy"), ("macro_f", "macro F1 (non-default codes)"), ("ece", "ECE")):
        ys = [p[key] for p in points]
        if any(y is not None for y in ys):
            line = ax.plot(xs, ys, marker="o", label=f"model: {label}")[0]
            if rules.get(key) is not None:
                ax.axhline(
                    rules[key], linestyle="--", color=line.get_color(), alpha=0.6, label=f"rules: {label}"
                )
    ax.set_xscale("log")
    ax.set_xlabel("training treaties")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8)
    ax.set_title("nlp-coder learning curve")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


if __name__ == "__main__":
    main()

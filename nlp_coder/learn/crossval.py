"""Leave-one-treaty-out: each treaty drafted by a model trained on every other treaty."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.learn.corpus import Corpus, read_manifest
from nlp_coder.learn.gold import Scored, code_priors, gold_codes


def draft_json(treaty, cb: Codebook, model: object) -> Scored:
    from nlp_coder.drafting.drafter import draft_treaty

    data = draft_treaty(treaty, cb, model).to_dict(cb)
    return Scored(data["atop"], data["answers"])


def cross_validated(
    corpus: Corpus,
    treaties: list,
    atop_csv: Path | None,
    cb: Codebook,
    extra: list[Path],
    progress: bool,
    base: object = None,
    jobs: int = 1,
) -> tuple[list[Scored], list[Scored]]:
    """Leave one treaty out: each treaty is drafted by a model whose passage classifiers were trained on
    every other treaty; the semantic heads, prior and calibration are ``base``'s (a trained model: its heads
    learn from the clause bank and trade agreements, never from these treaties). Also returns the same
    drafts without the calibration, to show its effect (empty without one)."""
    from nlp_coder.learn.dataset import collect

    extra_corpora = [read_manifest(m) for m in extra]
    examples, _ = collect([corpus, *extra_corpora], atop_csv, cb, progress, jobs)
    scored, _, raw = cross_validate(corpus, treaties, examples, atop_csv, cb, base, progress)
    return scored, raw


def cross_validate(
    corpus: Corpus,
    treaties: list,
    examples: list,
    atop_csv: Path | None,
    cb: Codebook,
    base: object = None,
    progress: bool = False,
) -> tuple[list[Scored], dict[str, dict], list[Scored]]:
    """Leave-one-treaty-out drafts with the model on every target, and per target how often the model's
    and the rules' yes/no matched the held-out treaty's gold (the basis for choosing winners). The folds
    run one after another (see below)."""
    from nlp_coder.drafting.workers import pmap
    from nlp_coder.learn.dataset import targets
    from nlp_coder.learn.fit import fit_targets
    from nlp_coder.predictors.learned import treaty_probabilities
    from nlp_coder.predictors.model import Model

    priors = code_priors(atop_csv, cb)
    all_targets = {t.name: t for t in targets(cb)}
    heads = getattr(base, "heads", None)
    base_extras = dict(getattr(base, "extras", {}) or {})

    def fold(i: int) -> tuple[Scored, Scored | None, dict[str, Counter]]:
        entry, treaty = corpus.entries[i], treaties[i]
        fitted = fit_targets([ex for ex in examples if ex.doc != entry.id], cb)
        meta = {
            "name": "cv",
            "targets": {t: {"winner": "model"} for t in fitted["classifiers"]},
            "code_priors": priors,
        }
        model = Model(Path("<cv>"), meta, fitted["idf"], fitted["classifiers"], heads, dict(base_extras))
        drafted = draft_json(treaty, cb, model)
        raw = None
        if "calibration" in base_extras:
            extras = {k: v for k, v in base_extras.items() if k != "calibration"}
            raw = draft_json(
                treaty, cb, Model(Path("<cv>"), meta, fitted["idf"], fitted["classifiers"], heads, extras)
            )
        tally: dict[str, Counter] = {}
        gold = gold_codes(entry, atop_csv, cb)
        if gold:
            rules = draft_json(treaty, cb, None)
            probabilities = treaty_probabilities(treaty, model) if model.classifiers else {}
            for name, (p, _, _) in probabilities.items():
                target = all_targets[name]
                truth = target.doc_label(gold, cb)
                said_rules = target.doc_label(rules.codes, cb)
                if truth is None:
                    continue
                counts = tally.setdefault(name, Counter())
                counts["n"] += 1
                counts["model"] += int((p >= 0.5) == bool(truth))
                counts["rules"] += int(said_rules == truth)
        return drafted, raw, tally

    # The folds run one at a time: measured here, the 4-treaty evaluation with 424 weak texts took 157 s with
    # serial folds and 245-252 s with two folds side by side (each fits every classifier on ~144k passages;
    # limiting BLAS threads did not help). The labelling before them does gain from the workers (14.5 s -> 8.8 s).
    folds = pmap(fold, range(len(corpus.entries)), 1, progress, "leave-one-treaty-out")
    totals: dict[str, Counter] = {}
    for _, _, tally in folds:
        for name, counts in tally.items():
            totals.setdefault(name, Counter()).update(counts)
    per_target = {
        name: {
            "n": c["n"],
            "model_acc": round(c["model"] / c["n"], 3),
            "rules_acc": round(c["rules"] / c["n"], 3),
        }
        for name, c in sorted(totals.items())
        if c["n"]
    }
    return [d for d, _, _ in folds], per_target, [r for _, r, _ in folds if r is not None]

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
) -> tuple[list[Scored], list[Scored]]:
    """Leave one treaty out: each treaty is drafted by a model whose passage classifiers were trained on
    every other treaty; the semantic heads, prior and calibration are ``base``'s (a trained model: its heads
    learn from the clause bank and trade agreements, never from these treaties). Also returns the same
    drafts without the calibration, to show its effect (empty without one)."""
    from nlp_coder.learn.dataset import collect

    extra_corpora = [read_manifest(m) for m in extra]
    examples, _ = collect([corpus, *extra_corpora], atop_csv, cb, progress)
    scored, _, raw = cross_validate(corpus, treaties, examples, atop_csv, cb, base)
    return scored, raw


def cross_validate(
    corpus: Corpus, treaties: list, examples: list, atop_csv: Path | None, cb: Codebook, base: object = None
) -> tuple[list[Scored], dict[str, dict], list[Scored]]:
    """Leave-one-treaty-out drafts with the model on every target, and per target how often the model's
    and the rules' yes/no matched the held-out treaty's gold (the basis for choosing winners)."""
    from nlp_coder.learn.dataset import targets
    from nlp_coder.learn.fit import fit_targets
    from nlp_coder.predictors.learned import treaty_probabilities
    from nlp_coder.predictors.model import Model

    priors = code_priors(atop_csv, cb)
    all_targets = {t.name: t for t in targets(cb)}
    tally: dict[str, Counter] = {}
    scored: list[Scored] = []
    raw: list[Scored] = []
    for entry, treaty in zip(corpus.entries, treaties, strict=True):
        fitted = fit_targets([ex for ex in examples if ex.doc != entry.id], cb)
        meta = {
            "name": "cv",
            "targets": {t: {"winner": "model"} for t in fitted["classifiers"]},
            "code_priors": priors,
        }
        heads = getattr(base, "heads", None)
        extras = dict(getattr(base, "extras", {}) or {})
        model = Model(Path("<cv>"), meta, fitted["idf"], fitted["classifiers"], heads, extras)
        scored.append(draft_json(treaty, cb, model))
        if "calibration" in extras:
            extras.pop("calibration")
            raw.append(draft_json(treaty, cb, Model(Path("<cv>"), meta, fitted["idf"], fitted["classifiers"], heads, extras)))
        gold = gold_codes(entry, atop_csv, cb)
        if not gold:
            continue
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
    per_target = {
        name: {
            "n": c["n"],
            "model_acc": round(c["model"] / c["n"], 3),
            "rules_acc": round(c["rules"] / c["n"], 3),
        }
        for name, c in sorted(tally.items())
        if c["n"]
    }
    return scored, per_target, raw

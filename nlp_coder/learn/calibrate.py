"""Calibrated confidence: a map from the drafter's raw confidence to the probability that an answer is right,
fitted on out-of-treaty predictions, and the review threshold that keeps 95% precision above it.

Out-of-treaty predictions: every treaty with gold drafted by a model that did not train on it (leave one
treaty out), and the clause bank's held-out clauses drafted each as a one-article treaty (the heads never saw
them). An answer is right when every code it gives for a column with gold equals the gold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TARGET_PRECISION = 0.95
# The map is fitted on whole treaties' answers when there are this many: held-out clauses, each drafted alone
# as a one-article treaty, are a harder and different population (measured here: 65% right against 86% for the
# treaties' answers), and mixing them in made the treaties' confidences too low (ECE 0.10 instead of 0.05).
MIN_TREATY_POINTS = 100
# The out-of-treaty drafts are made with this map (confidence unchanged), so that the map is fitted on the very
# confidences it will be applied to: with no calibration at all, the reconciler caps every answer without a
# quote at 0.89 (its rules-only presentation), and a map fitted on those capped values was then applied to the
# uncapped ones of a calibrated draft.
IDENTITY = {"x": [0.0, 1.0], "y": [0.0, 1.0], "review_below": 1.01}


@dataclass
class Points:
    """(raw confidence, right or not, where from) for each scored answer."""

    confidence: list[float] = field(default_factory=list)
    correct: list[int] = field(default_factory=list)
    origin: list[str] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)  # counts for the model card (``tally``)

    def count(self, key: str, n: int = 1) -> None:
        self.checks[key] = self.checks.get(key, 0) + n

    def add_answers(
        self, answers: list[dict], gold: dict[str, int], origin: str, only: set[int] | None = None
    ):
        for answer in answers:
            if answer.get("source") != "text" or (only is not None and answer["question"] not in only):
                continue
            cols = [c for c in answer["codes"] if c in gold]
            if not cols:
                continue
            self.confidence.append(float(answer.get("confidence") or 0.0))
            self.correct.append(int(all(answer["codes"][c] == gold[c] for c in cols)))
            self.origin.append(origin)


GRID = 200  # breakpoints of the stored map: a sigmoid read off at every 0.005 of raw confidence


def fit_platt(confidence: list[float], correct: list[int]) -> dict:
    """The calibration map: a logistic curve on the log-odds of the raw confidence (Platt scaling), stored as
    breakpoints ``x`` → ``y`` that the reconciler interpolates. Two parameters, so it varies far less from one
    half of 159 answers to the other than an isotonic step map (measured on the shipped model's out-of-treaty
    answers, 20 two-fold splits: ECE 0.057 against 0.068, coverage at 95% precision 0.39 against 0.06)."""
    from sklearn.linear_model import LogisticRegression

    x = _log_odds(np.asarray(confidence, dtype=float)).reshape(-1, 1)
    y = np.asarray(correct, dtype=int)
    grid = np.linspace(0.0, 1.0, GRID + 1)
    if len(set(y.tolist())) < 2:
        a, b = 0.0, float(_log_odds(np.array([y.mean() if len(y) else 0.5]))[0])
    else:
        lr = LogisticRegression(C=1e6, solver="lbfgs").fit(x, y)
        a, b = float(lr.coef_[0][0]), float(lr.intercept_[0])
        if a <= 0:  # raw confidence says nothing (or the opposite): every answer gets the overall rate
            a, b = 0.0, float(_log_odds(np.array([y.mean()]))[0])
    p = 1.0 / (1.0 + np.exp(-(a * _log_odds(grid) + b)))
    return {
        "method": "platt",
        "a": round(a, 6),
        "b": round(b, 6),
        "x": [round(float(v), 4) for v in grid],
        "y": [round(float(v), 4) for v in p],
    }


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 0.005, 0.995)
    return np.log(p / (1.0 - p))


def apply(mapping: dict, confidence: float) -> float:
    return float(np.interp(confidence, mapping["x"], mapping["y"]))


def review_threshold(
    calibrated: list[float], correct: list[int], precision: float = TARGET_PRECISION
) -> float:
    """The lowest calibrated confidence above which the answers are at least ``precision`` right (1.01 when
    no threshold reaches it: then every answer needs review)."""
    order = np.argsort(-np.asarray(calibrated), kind="stable")
    c = np.asarray(calibrated)[order]
    ok = np.asarray(correct)[order]
    best = 1.01
    hits = np.cumsum(ok)
    for k in range(len(c)):
        if k + 1 < len(c) and c[k + 1] == c[k]:
            continue  # a threshold takes every answer at its value
        if hits[k] / (k + 1) >= precision:
            best = float(c[k])
    return round(best, 4)


def ece(probabilities: list[float], correct: list[int], bins: int = 10) -> float:
    p, y = np.asarray(probabilities, dtype=float), np.asarray(correct, dtype=float)
    if not len(p):
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for k in range(bins):
        m = (p >= edges[k]) & ((p < edges[k + 1]) if k < bins - 1 else (p <= 1))
        if m.any():
            total += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return round(float(total), 4)


def coverage(probabilities: list[float], correct: list[int], threshold: float) -> tuple[float, float]:
    """(share of answers at or above ``threshold``, their precision)."""
    p, y = np.asarray(probabilities), np.asarray(correct)
    m = p >= threshold
    return round(float(m.mean()), 4) if len(p) else 0.0, round(float(y[m].mean()), 4) if m.any() else 0.0


def fit_calibration(points: Points, seed: int = 0) -> dict:
    """The map and review threshold, fitted on the treaties' answers (on every point when there are fewer
    than MIN_TREATY_POINTS of them), with figures measured honestly: two-fold cross-fitting (each half
    calibrated by a map fitted on the other) gives the ECE and coverage reported, and the review threshold
    is never below the cross-fitted one (1.01, every answer flagged, when none keeps the precision there)."""
    use = [i for i, o in enumerate(points.origin) if o == "treaties"]
    if len(use) < MIN_TREATY_POINTS:
        use = list(range(len(points.correct)))
    fitted_on = sorted({points.origin[i] for i in use})
    conf = [points.confidence[i] for i in use]
    ok = [points.correct[i] for i in use]
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(conf)) % 2
    held_p, held_y = [0.0] * len(conf), [0] * len(conf)
    for k in (0, 1):
        train = [i for i in range(len(conf)) if fold[i] != k]
        mapping = fit_platt([conf[i] for i in train], [ok[i] for i in train])
        for i in range(len(conf)):
            if fold[i] == k:
                held_p[i], held_y[i] = apply(mapping, conf[i]), ok[i]
    cross_threshold = review_threshold(held_p, held_y)
    mapping = fit_platt(conf, ok)
    calibrated = [apply(mapping, c) for c in conf]
    # the stricter of the two: a threshold found on the answers the map was fitted on must also hold when
    # the map never saw them (with few answers, many share one raw confidence, and the in-sample threshold
    # can pass them all while no held-out threshold keeps the target precision). The cross-fitted threshold
    # is on the half-maps' scale, so it is carried over by raw confidence: the lowest raw confidence it passed,
    # through the final map (compared as it was, a final map flatter than the half-maps might never reach it).
    passed = [conf[i] for i in range(len(conf)) if held_p[i] >= cross_threshold]
    cross_on_final = apply(mapping, min(passed)) if passed and cross_threshold <= 1.0 else cross_threshold
    threshold = max(review_threshold(calibrated, ok), cross_on_final)
    covered, precision = coverage(held_p, held_y, cross_threshold)
    by_origin = {o: points.origin.count(o) for o in sorted(set(points.origin))}
    return {
        **mapping,
        "fitted_on": fitted_on,
        "review_below": threshold,
        "target_precision": TARGET_PRECISION,
        "points": len(conf),
        "by_origin": by_origin,
        "measured": {
            "ece_raw": ece(conf, ok),
            "ece_calibrated_crossfit": ece(held_p, held_y),
            "coverage_at_95_crossfit": covered,
            "precision_above_threshold_crossfit": precision,
            "accuracy": round(float(np.mean(ok)), 4) if ok else 0.0,
        },
        "out_of_treaty": tally(points),
    }


def out_of_treaty_points(
    gold_entries: list,
    examples: list,
    model_parts: dict,
    atop_csv,
    cb,
    clauses=None,
    jobs: int = 1,
    folds: list | None = None,
) -> Points:
    """Answers drafted without having seen their treaty, scored against gold.

    ``model_parts``: ``meta`` (with the final winners and priors), ``heads`` and ``extras`` of the model
    being trained. Each gold treaty is drafted by its leave-one-treaty-out fold from ``folds`` (``train``'s,
    which chose the winners), with the winners the other folds chose; without folds, its passage classifiers
    are refitted without it and the final winners stand.
    """
    from pathlib import Path

    from nlp_coder.drafting.workers import pmap
    from nlp_coder.learn.crossval import draft_json, fold_model, held_out_winners
    from nlp_coder.learn.fit import fit_targets
    from nlp_coder.learn.gold import gold_codes, scored_columns
    from nlp_coder.learn.semantic import TYPE_TARGETS, clause_data_rows
    from nlp_coder.predictors.model import Model
    from nlp_coder.text.treaty import load_treaty, treaty_from_text

    points = Points()
    extras = {**model_parts["extras"], "calibration": IDENTITY}
    priors = model_parts["meta"].get("code_priors", {})
    by_id = {fold.entry_id: i for i, fold in enumerate(folds or [])}

    final_winners = {t: v["winner"] for t, v in model_parts["meta"].get("targets", {}).items()}

    def held_out(entry) -> tuple:
        if entry.id in by_id:
            i = by_id[entry.id]
            fitted, winners = folds[i].fitted, held_out_winners(folds, i)
        else:
            fitted, winners = fit_targets([ex for ex in examples if ex.doc != entry.id], cb), final_winners
        model = fold_model(fitted, priors, model_parts["heads"], extras, winners)
        return draft_json(load_treaty(entry.text), cb, model), gold_codes(entry, atop_csv, cb)

    columns = scored_columns(cb)
    for drafted, gold in map(held_out, gold_entries):  # one at a time, as crossval's folds (faster here)
        points.add_answers(drafted.answers, gold, "treaties")
        scored = [c for c in columns if c in gold]
        points.count("treaties")
        points.count("treaty_codes", len(scored))
        points.count("treaty_codes_right", sum(drafted.codes.get(c) == gold[c] for c in scored))
        points.count("treaties_types_right", all(drafted.codes.get(t) == gold.get(t) for t in TYPE_TARGETS))
    full = Model(
        Path("<final>"),
        model_parts["meta"],
        model_parts["idf"],
        model_parts["classifiers"],
        model_parts["heads"],
        extras,
    )
    rows = [(row, gold) for row in clause_data_rows("test", clauses) if (gold := clause_gold(row, cb))]

    def alone(item: tuple) -> object:
        row = item[0]
        treaty = treaty_from_text(f"Article 1\n\n{row['text']}\n", path=f"clause:{row['id']}")
        return draft_json(treaty, cb, full)

    for (row, gold), drafted in zip(rows, pmap(alone, rows, jobs), strict=True):
        points.add_answers(drafted.answers, gold, "clauses", only={int(row["question"])})
        if int(row["question"]) == 16:
            wanted = {t for t in TYPE_TARGETS if gold[t]}
            found = {t for t in TYPE_TARGETS if drafted.codes.get(t)}
            if wanted:
                points.count("obligation_clauses")
                points.count("obligation_clauses_typed", wanted <= found)
                points.count("obligation_clauses_exact", wanted == found)
            else:
                points.count("near_misses")
                points.count("near_misses_typed", bool(found))
    return points


def tally(points: Points) -> dict:
    """What the out-of-treaty drafts show beside the confidences: agreement with gold of the held-out treaties
    on the text-derivable columns, how many got every obligation type right, and the held-out clause bank's
    obligation clauses given their types and near misses given any (as ``scripts/semantic_check.py``)."""
    c = points.checks

    def share(part: str, whole: str) -> float | None:
        return round(c.get(part, 0) / c[whole], 4) if c.get(whole) else None

    return {
        "treaties": c.get("treaties", 0),
        "treaty_agreement": share("treaty_codes_right", "treaty_codes"),
        "treaty_codes": c.get("treaty_codes", 0),
        "treaties_types_right": c.get("treaties_types_right", 0),
        "obligation_clauses": c.get("obligation_clauses", 0),
        "obligation_clauses_typed": share("obligation_clauses_typed", "obligation_clauses"),
        "obligation_clauses_exact": share("obligation_clauses_exact", "obligation_clauses"),
        "near_misses": c.get("near_misses", 0),
        "near_misses_typed": share("near_misses_typed", "near_misses"),
    }


def clause_gold(row: dict, cb) -> dict[str, int]:
    """What a held-out clause shows for its own question: its types (Q16), or its column's code; a near
    miss of a provision shows the column's "not in the treaty" value."""
    from nlp_coder.learn.semantic import TYPE_TARGETS, clause_targets

    if row["question"] == 16:
        types = clause_targets(row)
        return {t: int(t in types) for t in TYPE_TARGETS}
    if row.get("label") == "positive":
        return {row["column"]: int(row["code"])}
    default = cb.column(row["column"]).default
    return {row["column"]: int(default)} if default is not None else {}

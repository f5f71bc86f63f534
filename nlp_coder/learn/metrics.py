"""Agreement and calibration metrics for comparing drafted codes with gold codes.

Pure functions over plain sequences. Conventions shared by every function:

* A pair whose gold value is ``None`` is left out: a missing gold code counts as missing, not as
  negative. A ``None`` prediction is kept (the system gave no answer): it disagrees with any gold
  value, and it is not a positive (non-default) prediction.
* Calibration functions leave out pairs whose confidence or correctness is ``None``.
* Every float returned is rounded to 4 decimals so that metrics.json is stable; a metric that is
  undefined for the input (e.g. 0/0) is ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np

DECIMALS = 4


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def _div(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def _pairs(gold: Sequence, pred: Sequence) -> list[tuple]:
    """The (gold, pred) pairs whose gold value is known."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred differ in length ({len(gold)} != {len(pred)})")
    return [(g, p) for g, p in zip(gold, pred, strict=True) if g is not None]


def _scored(confidences: Sequence, correct: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Confidences (checked to lie in [0, 1]) and 0/1 correctness, leaving out pairs with a None."""
    if len(confidences) != len(correct):
        raise ValueError(f"confidences and correct differ in length ({len(confidences)} != {len(correct)})")
    kept = [
        (float(c), 1.0 if k else 0.0)
        for c, k in zip(confidences, correct, strict=True)
        if c is not None and k is not None
    ]
    conf = np.array([c for c, _ in kept], dtype=float)
    ok = np.array([k for _, k in kept], dtype=float)
    if conf.size and (np.isnan(conf).any() or conf.min() < 0.0 or conf.max() > 1.0):
        raise ValueError("confidences must lie in [0, 1]")
    return conf, ok


def accuracy(gold: Sequence[Hashable | None], pred: Sequence[Hashable | None]) -> float | None:
    """Share of pairs (gold known) where pred == gold; None when there are no pairs."""
    pairs = _pairs(gold, pred)
    return _round(_div(sum(g == p for g, p in pairs), len(pairs)))


def prf_nondefault(
    gold: Sequence[Hashable | None], pred: Sequence[Hashable | None], default: Hashable = 0
) -> dict:
    """Precision, recall and F1 over non-default values, with the counts.

    tp: pred == gold != default; fp: pred != default (and not None) and pred != gold;
    fn: gold != default and pred != gold. A wrong non-default prediction on a non-default gold value
    (e.g. gold 2, pred 1) is both an fp and an fn. Returns ``{p, r, f, tp, fp, fn}``; p, r, f are None
    when their denominator is 0.
    """
    tp = fp = fn = 0
    for g, p in _pairs(gold, pred):
        if p == g:
            tp += g != default
            continue
        if p is not None and p != default:
            fp += 1
        if g != default:
            fn += 1
    precision = _div(tp, tp + fp)
    recall = _div(tp, tp + fn)
    f1 = _div(2 * tp, 2 * tp + fp + fn)
    return {"p": _round(precision), "r": _round(recall), "f": _round(f1), "tp": tp, "fp": fp, "fn": fn}


def cohen_kappa(gold: Sequence[Hashable | None], pred: Sequence[Hashable | None]) -> float | None:
    """Cohen's kappa for nominal labels: (po - pe) / (1 - pe), pe = sum_k p_gold(k) * p_pred(k).

    None with fewer than 2 pairs, and when pe == 1 (both raters constant on the same value).
    """
    pairs = _pairs(gold, pred)
    n = len(pairs)
    if n < 2:
        return None
    po = sum(g == p for g, p in pairs) / n
    gold_counts = Counter(g for g, _ in pairs)
    pred_counts = Counter(p for _, p in pairs)
    expected = sum(gold_counts[k] * pred_counts[k] for k in gold_counts)
    if expected == n * n:
        return None
    pe = expected / (n * n)
    return _round((po - pe) / (1 - pe))


def gwet_ac1(gold: Sequence[Hashable | None], pred: Sequence[Hashable | None]) -> float | None:
    """Gwet's AC1 (Gwet 2008) for two raters: (po - pe) / (1 - pe).

    pe = sum_k pi_k (1 - pi_k) / (K - 1), pi_k = mean of the two raters' proportions for k, K = number
    of categories used by either rater. With K == 1 both raters agree on every item and AC1 is 1.0.
    None with fewer than 2 pairs (as for kappa).
    """
    pairs = _pairs(gold, pred)
    n = len(pairs)
    if n < 2:
        return None
    po = sum(g == p for g, p in pairs) / n
    counts = Counter(g for g, _ in pairs) + Counter(p for _, p in pairs)
    k = len(counts)
    if k == 1:
        return 1.0
    pi = [c / (2 * n) for c in counts.values()]
    pe = sum(x * (1 - x) for x in pi) / (k - 1)  # at most 1/K, so 1 - pe > 0
    return _round((po - pe) / (1 - pe))


def brier(confidences: Sequence[float | None], correct: Sequence[bool | int | None]) -> float | None:
    """Mean squared difference between confidence and correctness (1/0); None when empty."""
    conf, ok = _scored(confidences, correct)
    if not conf.size:
        return None
    return _round(np.mean((conf - ok) ** 2))


def _bins(conf: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges and each confidence's bin: [lo, hi) equal-width bins over [0, 1], the last one [lo, 1]."""
    if n_bins < 1:
        raise ValueError("n_bins must be at least 1")
    edges = np.arange(n_bins + 1) / n_bins  # i / n_bins exactly rounded: 0.3 is the edge of bin 3
    index = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, n_bins - 1)
    return edges, index


def reliability(
    confidences: Sequence[float | None], correct: Sequence[bool | int | None], n_bins: int = 10
) -> list[dict]:
    """Per equal-width bin: ``{lo, hi, n, mean_confidence, accuracy}`` (the means None for empty bins)."""
    conf, ok = _scored(confidences, correct)
    edges, index = _bins(conf, n_bins)
    rows = []
    for b in range(n_bins):
        inside = index == b
        n = int(inside.sum())
        rows.append(
            {
                "lo": _round(edges[b]),
                "hi": _round(edges[b + 1]),
                "n": n,
                "mean_confidence": _round(conf[inside].mean()) if n else None,
                "accuracy": _round(ok[inside].mean()) if n else None,
            }
        )
    return rows


def ece(
    confidences: Sequence[float | None], correct: Sequence[bool | int | None], n_bins: int = 10
) -> float | None:
    """Expected calibration error: sum over bins of n_b / N * |accuracy_b - mean_confidence_b|."""
    conf, ok = _scored(confidences, correct)
    if not conf.size:
        return None
    _, index = _bins(conf, n_bins)
    total = 0.0
    for b in np.unique(index):
        inside = index == b
        total += inside.sum() * abs(ok[inside].mean() - conf[inside].mean())
    return _round(total / conf.size)


def _curve(confidences: Sequence, correct: Sequence) -> list[tuple[float, float, float]]:
    """(threshold, coverage, precision) unrounded, for every distinct confidence, threshold descending."""
    conf, ok = _scored(confidences, correct)
    points = []
    for t in sorted(set(conf.tolist()), reverse=True):
        accepted = conf >= t
        m = int(accepted.sum())
        points.append((t, m / conf.size, int(ok[accepted].sum()) / m))
    return points


def coverage_curve(confidences: Sequence[float | None], correct: Sequence[bool | int | None]) -> list[dict]:
    """For every distinct confidence t (descending): ``{threshold: t, coverage, precision}`` of the
    answers with confidence >= t. Empty input gives []."""
    return [
        {"threshold": _round(t), "coverage": _round(c), "precision": _round(p)}
        for t, c, p in _curve(confidences, correct)
    ]


def coverage_at_precision(
    confidences: Sequence[float | None], correct: Sequence[bool | int | None], target: float = 0.95
) -> dict:
    """The largest coverage whose accepted set (confidence >= threshold) has precision >= ``target``.

    Returns ``{threshold, coverage, precision}``; ``{None, 0.0, None}`` when no threshold reaches it.
    """
    best = None
    for t, c, p in _curve(confidences, correct):
        if p >= target and (best is None or c > best[1]):
            best = (t, c, p)
    if best is None:
        return {"threshold": None, "coverage": 0.0, "precision": None}
    return {"threshold": _round(best[0]), "coverage": _round(best[1]), "precision": _round(best[2])}


def column_metrics(gold: list, pred: list, default: Hashable) -> dict:
    """One coding column: ``{n, acc, p, r, f, kappa, ac1}`` (n = pairs with gold not None)."""
    prf = prf_nondefault(gold, pred, default)
    return {
        "n": len(_pairs(gold, pred)),
        "acc": accuracy(gold, pred),
        "p": prf["p"],
        "r": prf["r"],
        "f": prf["f"],
        "kappa": cohen_kappa(gold, pred),
        "ac1": gwet_ac1(gold, pred),
    }


def macro(values: Sequence[float | None]) -> float | None:
    """Mean of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return _round(sum(kept) / len(kept)) if kept else None

"""Metrics against hand-computed values (the arithmetic is next to each expected value)."""

from __future__ import annotations

import pytest

from nlp_coder.learn.metrics import (
    accuracy,
    brier,
    cohen_kappa,
    column_metrics,
    coverage_at_precision,
    coverage_curve,
    ece,
    gwet_ac1,
    macro,
    prf_nondefault,
    reliability,
)


def table(a: int, b: int, c: int, d: int) -> tuple[list, list]:
    """gold/pred lists for a 2×2 table: a = (1, 1), b = (1, 0), c = (0, 1), d = (0, 0) as (gold, pred)."""
    gold = [1] * a + [1] * b + [0] * c + [0] * d
    pred = [1] * a + [0] * b + [1] * c + [0] * d
    return gold, pred


# a = 20, b = 5, c = 10, d = 15; n = 50
TWO_BY_TWO = table(20, 5, 10, 15)
# a = 90, b = 5, c = 5, d = 0; n = 100: high agreement on a skewed label
SKEWED = table(90, 5, 5, 0)

CONF = [0.95, 0.85, 0.65, 0.62, 0.25]
OK = [1, 0, 1, 1, 0]


# --- accuracy ---------------------------------------------------------------------------------------


def test_accuracy_leaves_out_missing_gold():
    # pairs with gold known: (1, 1) right, (0, 1) wrong, (1, None) wrong -> 1 / 3 = 0.3333
    assert accuracy([1, 0, None, 1], [1, 1, 1, None]) == 0.3333
    # po of the 2×2 table: (20 + 15) / 50 = 0.7
    assert accuracy(*TWO_BY_TWO) == 0.7


def test_accuracy_none_without_pairs():
    assert accuracy([], []) is None
    assert accuracy([None, None], [1, 0]) is None


def test_lengths_must_match():
    with pytest.raises(ValueError):
        accuracy([1, 0], [1])


# --- precision / recall / F1 over non-default values ------------------------------------------------


def test_prf_nondefault_with_missing_gold():
    gold = [1, 1, 0, 0, 2, None, None]
    pred = [1, 1, 1, 0, 1, 1, None]
    # (1,1) tp, (1,1) tp, (0,1) fp, (0,0) nothing, (2,1) fp and fn; the two None-gold pairs are left out
    # (the (None, 1) pair is not an fp). tp = 2, fp = 2, fn = 1
    # p = 2 / (2 + 2) = 0.5; r = 2 / (2 + 1) = 0.6667; f = 2·2 / (2·2 + 2 + 1) = 4 / 7 = 0.5714
    assert prf_nondefault(gold, pred) == {"p": 0.5, "r": 0.6667, "f": 0.5714, "tp": 2, "fp": 2, "fn": 1}


def test_prf_nondefault_two_by_two():
    # tp = a = 20, fp = c = 10, fn = b = 5
    # p = 20 / 30 = 0.6667; r = 20 / 25 = 0.8; f = 40 / (40 + 10 + 5) = 40 / 55 = 0.7273
    assert prf_nondefault(*TWO_BY_TWO) == {"p": 0.6667, "r": 0.8, "f": 0.7273, "tp": 20, "fp": 10, "fn": 5}


def test_prf_nondefault_other_default_and_abstentions():
    # default "none": ("a","a") tp; ("none","b") fp; ("b", None) fn only (no answer is not a positive
    # prediction). tp = 1, fp = 1, fn = 1 -> p = 1/2, r = 1/2, f = 2 / (2 + 1 + 1) = 0.5
    got = prf_nondefault(["a", "none", "b"], ["a", "b", None], default="none")
    assert got == {"p": 0.5, "r": 0.5, "f": 0.5, "tp": 1, "fp": 1, "fn": 1}


def test_prf_nondefault_undefined_is_none():
    # nothing non-default anywhere: p = 0/0, r = 0/0, f = 0/0
    assert prf_nondefault([0, 0], [0, 0]) == {"p": None, "r": None, "f": None, "tp": 0, "fp": 0, "fn": 0}
    # gold positive, no positive prediction: p = 0/0 -> None; r = 0 / 1 = 0.0; f = 0 / (0 + 0 + 1) = 0.0
    assert prf_nondefault([1, 0], [0, 0]) == {"p": None, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 1}


# --- Cohen's kappa and Gwet's AC1 --------------------------------------------------------------------


def test_kappa_two_by_two():
    # po = (20 + 15) / 50 = 0.7
    # gold: P(1) = 25/50 = 0.5; pred: P(1) = 30/50 = 0.6
    # pe = 0.5·0.6 + 0.5·0.4 = 0.5 -> kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert cohen_kappa(*TWO_BY_TWO) == 0.4


def test_ac1_two_by_two():
    # po = 0.7; pi_1 = (0.5 + 0.6) / 2 = 0.55, pi_0 = 0.45, K = 2
    # pe = (0.55·0.45 + 0.45·0.55) / (2 - 1) = 0.495
    # AC1 = (0.7 - 0.495) / (1 - 0.495) = 0.205 / 0.505 = 0.40594 -> 0.4059
    assert gwet_ac1(*TWO_BY_TWO) == 0.4059


def test_kappa_paradox_ac1_stays_high():
    # po = 90 / 100 = 0.9; both raters P(1) = 95/100 = 0.95
    # kappa: pe = 0.95² + 0.05² = 0.9025 + 0.0025 = 0.905
    #        kappa = (0.9 - 0.905) / (1 - 0.905) = -0.005 / 0.095 = -0.05263 -> -0.0526
    # AC1:   pi_1 = 0.95, pi_0 = 0.05; pe = 2 · 0.95 · 0.05 / 1 = 0.095
    #        AC1 = (0.9 - 0.095) / (1 - 0.095) = 0.805 / 0.905 = 0.88950 -> 0.8895
    assert cohen_kappa(*SKEWED) == -0.0526
    assert gwet_ac1(*SKEWED) == 0.8895


def test_kappa_and_ac1_three_nominal_labels():
    gold = ["a", "a", "b", "b", "c", "c"]
    pred = ["a", "b", "b", "b", "c", "a"]
    # po = 4/6 (a-a, b-b, b-b, c-c agree)
    # kappa: gold a,b,c = 2,2,2; pred a,b,c = 2,3,1; pe = (2·2 + 2·3 + 2·1) / 36 = 12/36 = 1/3
    #        kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert cohen_kappa(gold, pred) == 0.5
    # AC1: both raters pooled a,b,c = 4,5,3 of 12 -> pi = 4/12, 5/12, 3/12, K = 3
    #      sum pi(1 - pi) = (4·8 + 5·7 + 3·9) / 144 = 94/144; pe = 94/144 / 2 = 47/144
    #      AC1 = (96/144 - 47/144) / (1 - 47/144) = 49/97 = 0.50515 -> 0.5052
    assert gwet_ac1(gold, pred) == 0.5052


def test_kappa_and_ac1_leave_out_missing_gold():
    gold, pred = TWO_BY_TWO
    # three extra pairs with gold None change nothing
    assert cohen_kappa([*gold, None, None, None], [*pred, 1, 0, None]) == 0.4
    assert gwet_ac1([*gold, None, None, None], [*pred, 1, 0, None]) == 0.4059


def test_kappa_and_ac1_degenerate_cases():
    # fewer than 2 pairs
    assert cohen_kappa([1], [1]) is None and gwet_ac1([1], [1]) is None
    assert cohen_kappa([1, None], [1, 0]) is None
    # both constant on the same value: pe = 1·1 = 1 -> kappa undefined; AC1 with K = 1 -> 1.0
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) is None
    assert gwet_ac1([1, 1, 1], [1, 1, 1]) == 1.0
    # constant on different values: po = 0; kappa pe = 1·0 + 0·1 = 0 -> (0 - 0) / 1 = 0.0
    # AC1: pi = 0.5, 0.5; pe = (0.25 + 0.25) / 1 = 0.5 -> (0 - 0.5) / 0.5 = -1.0
    assert cohen_kappa([1, 1], [0, 0]) == 0.0
    assert gwet_ac1([1, 1], [0, 0]) == -1.0


def test_kappa_matches_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    gold = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0]
    pred = [0, 2, 2, 1, 1, 0, 1, 2, 1, 0, 2, 0]
    assert cohen_kappa(gold, pred) == round(sklearn_metrics.cohen_kappa_score(gold, pred), 4)


# --- calibration ---------------------------------------------------------------------------------


def test_brier():
    # (0.95-1)² + (0.85-0)² + (0.65-1)² + (0.62-1)² + (0.25-0)²
    # = 0.0025 + 0.7225 + 0.1225 + 0.1444 + 0.0625 = 1.0544; / 5 = 0.21088 -> 0.2109
    assert brier(CONF, OK) == 0.2109
    assert brier([], []) is None
    # pairs with a None are left out: only (1.0, True) -> (1 - 1)² = 0.0
    assert brier([1.0, None, 0.5], [True, False, None]) == 0.0


def test_ece_ten_bins():
    # bins: 0.95 -> [0.9, 1]: |1 - 0.95| = 0.05, n 1
    #       0.85 -> [0.8, 0.9): |0 - 0.85| = 0.85, n 1
    #       0.65, 0.62 -> [0.6, 0.7): mean conf 0.635, accuracy 1 -> 0.365, n 2
    #       0.25 -> [0.2, 0.3): |0 - 0.25| = 0.25, n 1
    # ECE = (0.05 + 0.85 + 2·0.365 + 0.25) / 5 = 1.88 / 5 = 0.376
    assert ece(CONF, OK) == 0.376


def test_ece_two_bins():
    # [0, 0.5): 0.25, wrong -> |0 - 0.25| = 0.25, n 1
    # [0.5, 1]: mean conf (0.95 + 0.85 + 0.65 + 0.62) / 4 = 0.7675, accuracy 3/4 = 0.75 -> 0.0175, n 4
    # ECE = (0.25 + 4·0.0175) / 5 = 0.32 / 5 = 0.064
    assert ece(CONF, OK, n_bins=2) == 0.064
    assert ece([], []) is None


def test_reliability_bins():
    bins = reliability(CONF, OK, n_bins=4)
    # [0, .25) empty; [.25, .5): 0.25 (wrong); [.5, .75): 0.65, 0.62 (both right); [.75, 1]: 0.95 right, 0.85 wrong
    assert bins == [
        {"lo": 0.0, "hi": 0.25, "n": 0, "mean_confidence": None, "accuracy": None},
        {"lo": 0.25, "hi": 0.5, "n": 1, "mean_confidence": 0.25, "accuracy": 0.0},
        # mean conf (0.65 + 0.62) / 2 = 0.635
        {"lo": 0.5, "hi": 0.75, "n": 2, "mean_confidence": 0.635, "accuracy": 1.0},
        # mean conf (0.95 + 0.85) / 2 = 0.9, accuracy 1/2
        {"lo": 0.75, "hi": 1.0, "n": 2, "mean_confidence": 0.9, "accuracy": 0.5},
    ]


def test_bin_edges():
    # 1.0 falls in the last bin; 0.3 is the lower edge of [0.3, 0.4) (not 0.30000000000000004)
    bins = reliability([1.0, 0.3, 0.0], [1, 1, 0])
    assert [b["n"] for b in bins] == [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    with pytest.raises(ValueError):
        ece([1.2], [1])


# --- coverage ------------------------------------------------------------------------------------

COV_CONF = [0.9, 0.8, 0.8, 0.6, 0.3]
COV_OK = [1, 1, 1, 0, 1]


def test_coverage_curve():
    assert coverage_curve(COV_CONF, COV_OK) == [
        {"threshold": 0.9, "coverage": 0.2, "precision": 1.0},  # 1 of 5 accepted, 1/1 right
        {"threshold": 0.8, "coverage": 0.6, "precision": 1.0},  # 3 of 5, 3/3 right
        {"threshold": 0.6, "coverage": 0.8, "precision": 0.75},  # 4 of 5, 3/4 right
        {"threshold": 0.3, "coverage": 1.0, "precision": 0.8},  # 5 of 5, 4/5 right
    ]
    assert coverage_curve([], []) == []


def test_coverage_at_precision():
    # precision >= 0.95 at thresholds 0.9 (coverage 0.2) and 0.8 (coverage 0.6): the larger is 0.6
    assert coverage_at_precision(COV_CONF, COV_OK) == {"threshold": 0.8, "coverage": 0.6, "precision": 1.0}
    # target 0.8: 0.6 fails (3/4 = 0.75) but 0.3 reaches 4/5 = 0.8 with coverage 1.0: the largest coverage
    assert coverage_at_precision(COV_CONF, COV_OK, target=0.8) == {
        "threshold": 0.3,
        "coverage": 1.0,
        "precision": 0.8,
    }
    # nothing reaches it
    none = {"threshold": None, "coverage": 0.0, "precision": None}
    assert coverage_at_precision([0.9, 0.5], [0, 1]) == none  # 0/1 at 0.9, 1/2 at 0.5
    assert coverage_at_precision([], []) == none


# --- bundles -------------------------------------------------------------------------------------


def test_column_metrics():
    gold, pred = TWO_BY_TWO
    got = column_metrics([*gold, None], [*pred, 1], default=0)
    # n = 50 (the None-gold pair is left out); acc 0.7, p/r/f, kappa, AC1 from the 2×2 tests above
    assert got == {"n": 50, "acc": 0.7, "p": 0.6667, "r": 0.8, "f": 0.7273, "kappa": 0.4, "ac1": 0.4059}


def test_macro():
    # (0.5 + 0.25 + 1.0) / 3 = 0.58333 -> 0.5833
    assert macro([0.5, None, 0.25, 1.0]) == 0.5833
    assert macro([None]) is None
    assert macro([]) is None

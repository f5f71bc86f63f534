"""A passage classifier: hashed word and character n-grams, TF-IDF, logistic regression, calibration.

Follows scikit-learn's estimator contract (``__init__`` stores parameters; ``fit`` sets attributes
ending in ``_`` and returns self; ``predict_proba`` refuses an unfitted model). Hashing keeps the
model free of a vocabulary, so it saves as a few arrays (``to_arrays``/``from_arrays``), never a pickle.
"""

from __future__ import annotations

import numpy as np

from nlp_coder.errors import NlpCoderError
from nlp_coder.predictors.hashing import N_FEATURES, char_wb_counts, l2_normalized, word_counts


class NotFittedError(NlpCoderError):
    """predict_proba on a classifier that was never fitted."""


def counts(texts: list[str]):
    """Sparse n-gram counts (n_texts x 2*N_FEATURES): word 1-2 grams, then character 3-5 grams."""
    from scipy.sparse import hstack

    return hstack([word_counts(texts), char_counts(texts)]).tocsr()


def char_counts(texts: list[str]):
    """The character n-gram counts, hashed once per distinct word: char_wb n-grams never cross a word
    boundary, so a text's counts are the sum of its words' counts (a treaty's passages repeat their words
    many times over)."""
    from scipy.sparse import csr_matrix

    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        for w in text.lower().split():
            rows.append(i)
            cols.append(vocabulary.setdefault(w, len(vocabulary)))
    per_word = char_wb_counts(list(vocabulary)) if vocabulary else csr_matrix((0, N_FEATURES))
    ones = np.ones(len(rows), dtype=np.float64)
    which = csr_matrix((ones, (rows, cols)), shape=(len(texts), len(vocabulary)))
    out = (which @ per_word).tocsr()
    out.sum_duplicates()
    out.sort_indices()
    return out


def tfidf(counts_matrix, idf: np.ndarray):
    """Sublinear TF times IDF, rows scaled to unit length."""
    x = counts_matrix.astype(np.float64).copy()
    x.data = 1.0 + np.log(x.data)
    x = x.multiply(idf).tocsr()
    return l2_normalized(x)


def fit_idf(counts_matrix) -> np.ndarray:
    df = np.bincount(counts_matrix.indices, minlength=counts_matrix.shape[1])
    n = counts_matrix.shape[0]
    return (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float64)


class PassageClassifier:
    """P(passage evidences the target) from its text."""

    def __init__(self, C: float = 4.0, calibration: str = "auto", random_state: int = 0):
        self.C = C
        self.calibration = calibration
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        return {"C": self.C, "calibration": self.calibration, "random_state": self.random_state}

    def fit(
        self, texts: list[str], y: list[int], idf: np.ndarray | None = None, features=None
    ) -> PassageClassifier:
        """Fit on passage texts (or on their precomputed TF-IDF ``features`` made with ``idf``)."""
        from sklearn.linear_model import LogisticRegression

        y_arr = np.asarray(y, dtype=int)
        if len(set(y_arr.tolist())) < 2:
            raise ValueError("need both positive and negative passages to fit")
        if features is not None and idf is not None:
            self.idf_, x = idf, features
        else:
            raw = counts(texts)
            self.idf_ = fit_idf(raw) if idf is None else idf
            x = tfidf(raw, self.idf_)
        lr = LogisticRegression(
            C=self.C, class_weight="balanced", solver="liblinear", random_state=self.random_state
        )
        lr.fit(x, y_arr)
        self.coef_ = lr.coef_[0].astype(np.float64)
        self.intercept_ = float(lr.intercept_[0])
        self.method_, self.calib_ = self._calibrate(x, y_arr)
        self.n_pos_, self.n_neg_ = int(y_arr.sum()), int(len(y_arr) - y_arr.sum())
        return self

    def _calibrate(self, x, y: np.ndarray) -> tuple[str, list[float]]:
        """Platt scaling on out-of-fold scores; isotonic once both classes have hundreds of examples."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold

        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        folds = min(5, n_pos, n_neg)
        if folds < 2:
            return "none", []
        scores = np.zeros(len(y))
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=self.random_state).split(x, y):
            lr = LogisticRegression(
                C=self.C, class_weight="balanced", solver="liblinear", random_state=self.random_state
            )
            lr.fit(x[train], y[train])
            scores[test] = lr.decision_function(x[test])
        method = self.calibration
        if method == "auto":
            method = "isotonic" if min(n_pos, n_neg) >= 200 else "sigmoid"
        if method == "isotonic":
            from sklearn.isotonic import IsotonicRegression

            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, y)
            return "isotonic", [*iso.X_thresholds_.tolist(), *iso.y_thresholds_.tolist()]
        platt = LogisticRegression(C=1e6, solver="lbfgs").fit(scores.reshape(-1, 1), y)
        return "sigmoid", [float(platt.coef_[0][0]), float(platt.intercept_[0])]

    def decision_function(self, texts: list[str]) -> np.ndarray:
        self._check()
        return tfidf(counts(texts), self.idf_) @ self.coef_ + self.intercept_

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2) as scikit-learn's classifiers give them."""
        return self._calibrated(self.decision_function(texts))

    def predict_proba_features(self, features) -> np.ndarray:
        """As ``predict_proba``, on TF-IDF features already made with this classifier's idf."""
        self._check()
        return self._calibrated(features @ self.coef_ + self.intercept_)

    def _calibrated(self, scores: np.ndarray) -> np.ndarray:
        if self.method_ == "sigmoid":
            a, b = self.calib_
            p = 1.0 / (1.0 + np.exp(-(a * scores + b)))
        elif self.method_ == "isotonic":
            half = len(self.calib_) // 2
            p = np.interp(scores, self.calib_[:half], self.calib_[half:])
        else:
            p = 1.0 / (1.0 + np.exp(-scores))
        return np.column_stack([1.0 - p, p])

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("this PassageClassifier is not fitted yet; call fit() first")

    # --- saving without pickle --------------------------------------------------------------

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """Sparse weights as arrays, and the rest as JSON-ready metadata (idf is stored once per model)."""
        self._check()
        nz = np.flatnonzero(self.coef_)
        arrays = {"coef_index": nz.astype(np.int32), "coef_value": self.coef_[nz].astype(np.float32)}
        meta = {
            "params": self.get_params(),
            "intercept": self.intercept_,
            "calibration": self.method_,
            "calibration_params": self.calib_,
            "n_pos": self.n_pos_,
            "n_neg": self.n_neg_,
        }
        return arrays, meta

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict, idf: np.ndarray) -> PassageClassifier:
        model = cls(**meta["params"])
        coef = np.zeros(2 * N_FEATURES)
        coef[arrays["coef_index"]] = arrays["coef_value"]
        model.coef_, model.intercept_, model.idf_ = coef, float(meta["intercept"]), idf
        model.method_, model.calib_ = meta["calibration"], list(meta["calibration_params"])
        model.n_pos_, model.n_neg_ = int(meta["n_pos"]), int(meta["n_neg"])
        return model

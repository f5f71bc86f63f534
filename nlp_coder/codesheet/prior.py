"""A prior learned from the ATOP dataset: how often each provision is in an alliance, given what a draft
already knows (the era of its signature, whether it is bilateral).

For each column, P(column is non-zero | era, bilateral) is a smoothed frequency over the coded alliances:
each cell shrinks toward its era's rate, which shrinks toward the overall rate, so a cell with few alliances
says little of its own. A draft weighs its cue evidence against this prior (Bayes' rule on the odds), so a
provision that few alliances have needs strong evidence before it is claimed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERAS = ((0, 1914, "before 1914"), (1914, 1946, "1914-1945"), (1946, 1990, "1946-1989"), (1990, 9999, "1990 on"))
SHRINK = 10.0  # pseudo-alliances pulling a cell toward the rate one level up


def era_of(year: int | None) -> str | None:
    if year is None:
        return None
    return next((name for lo, hi, name in ERAS if lo <= year < hi), None)


@dataclass
class CodePrior:
    """P(a column is non-zero | era, bilateral), fitted on ATOP rows (scikit-learn style ``fit``)."""

    rates: dict[str, dict[str, float]] = field(default_factory=dict)  # column -> cell key -> rate
    alliances: int = 0

    def fit(self, rows: list[dict[str, int | None]], columns: list[str]) -> CodePrior:
        self.alliances = len(rows)
        self.rates = {}
        for column in columns:
            values = [(r, r.get(column)) for r in rows if r.get(column) is not None]
            if not values:
                continue
            cells: dict[str, list[int]] = {}
            for row, value in values:
                era = era_of(row.get("begyr"))
                bilat = row.get("bilat")
                nonzero = int(bool(value))
                for key in ("all", f"era={era}", f"era={era};bilat={bilat}"):
                    cells.setdefault(key, []).append(nonzero)
            overall = (sum(cells["all"]) + 0.5) / (len(cells["all"]) + 1.0)
            rates = {"all": overall}
            for key, hits in cells.items():
                if key.startswith("era=") and ";" not in key:
                    rates[key] = (sum(hits) + SHRINK * overall) / (len(hits) + SHRINK)
            for key, hits in cells.items():
                if ";" in key:
                    up = rates.get(key.split(";")[0], overall)
                    rates[key] = (sum(hits) + SHRINK * up) / (len(hits) + SHRINK)
            self.rates[column] = {k: round(v, 4) for k, v in sorted(rates.items())}
        return self

    def p_nonzero(self, column: str, year: int | None = None, bilateral: int | None = None) -> float | None:
        """The rate for the most specific cell known (None for a column the prior has not seen)."""
        rates = self.rates.get(column)
        if rates is None:
            return None
        era = era_of(year)
        for key in (f"era={era};bilat={bilateral}", f"era={era}", "all"):
            if key in rates and "None" not in key:
                return rates[key]
        return rates["all"]

    def to_dict(self) -> dict:
        return {"alliances": self.alliances, "shrink": SHRINK, "rates": self.rates}

    @classmethod
    def from_dict(cls, data: dict) -> CodePrior:
        return cls({str(c): {str(k): float(v) for k, v in r.items()} for c, r in data["rates"].items()},
                   int(data.get("alliances", 0)))

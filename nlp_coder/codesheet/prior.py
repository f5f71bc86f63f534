"""A prior learned from the ATOP dataset: how often each provision is in an alliance, given what a draft
already knows (which kind of alliance its obligations make it, the era of its signature, whether it is
bilateral).

The kind comes from the five obligation types: military support (defense or offense), a pact of neutrality
or nonaggression, or consultation only. It matters most: in ATOP, 21% of military alliances provide for
bases against 1% of neutrality and nonaggression pacts, and 77% of those pacts are conditional on the
adversary against 22% of military alliances.

For each column, P(column is non-zero | kind, era, bilateral) is a smoothed frequency over the coded
alliances: each cell shrinks toward the rate one level up (kind and era, then kind, then all alliances), so a
cell with few alliances says little of its own. The same rates without the kind serve a draft whose
obligations are not known. A column in ``GIVEN`` is also conditioned, above all the rest, on the code another
column has in the draft: in ATOP, 434 of the 472 alliances of a stated length provide for their renewal
(mostly: in force unless notice is given), against 3 of the 318 without one; 58 of the 66 of indefinite
length provide for renouncing them, against 33 of the 470 of a stated length.

A draft weighs its cue evidence against this prior (Bayes' rule on the odds), so a provision that few
alliances of its kind have needs strong evidence before it is claimed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ERAS = ((0, 1914, "before 1914"), (1914, 1946, "1914-1945"), (1946, 1990, "1946-1989"), (1990, 9999, "1990 on"))
SHRINK = 10.0  # pseudo-alliances pulling a cell toward the rate one level up
OBLIGATIONS = ("defense", "offense", "neutral", "nonagg", "consul")
# column -> the column whose drafted code its rate is conditioned on first (measured on ATOP)
GIVEN = {"proren": "speclgth", "renounce": "speclgth"}


def kind_of(codes: dict) -> str | None:
    """The kind of alliance its obligation codes make (None when one of them is unknown)."""
    values = [codes.get(c) for c in OBLIGATIONS]
    if any(v is None for v in values):
        return None
    defense, offense, neutral, nonagg, consul = (bool(v) for v in values)
    if defense or offense:
        return "military"
    if neutral or nonagg:
        return "pact"
    return "consultation" if consul else "none"


def era_of(year: int | None) -> str | None:
    if year is None:
        return None
    return next((name for lo, hi, name in ERAS if lo <= year < hi), None)


def _chain(kind: str | None, year: int | None, bilateral: int | None, given: str | None = None) -> list[str]:
    """The cells an alliance falls in, from all alliances to the most specific one it has the facts for:
    "all", then the ``given`` code of another column (``GIVEN``), its kind (or its era, when the kind is
    unknown), then era, then bilateral."""
    era = era_of(year)
    levels = [given] if given is not None else []
    levels += [f"kind={kind}"] if kind is not None else []
    if era is not None:
        levels.append(f"era={era}")
        if bilateral is not None:
            levels.append(f"bilat={bilateral}")
    return ["all"] + [";".join(levels[: i + 1]) for i in range(len(levels))]


@dataclass
class CodePrior:
    """P(a column is non-zero | kind, era, bilateral), fitted on ATOP rows (scikit-learn style ``fit``)."""

    rates: dict[str, dict[str, float]] = field(default_factory=dict)  # column -> cell key -> rate
    alliances: int = 0
    modes: dict[str, int] = field(default_factory=dict)  # column -> its most common non-zero code
    given: dict[str, str] = field(default_factory=dict)  # as GIVEN, when the prior was fitted

    def fit(self, rows: list[dict[str, int | None]], columns: list[str]) -> CodePrior:
        self.alliances = len(rows)
        self.rates, self.given = {}, {c: g for c, g in GIVEN.items() if c in columns}
        self.modes = {}
        for column in columns:
            values = [(r, r.get(column)) for r in rows if r.get(column) is not None]
            if not values:
                continue
            nonzero_codes = Counter(int(v) for _, v in values if v)
            if nonzero_codes:
                self.modes[column] = min(nonzero_codes, key=lambda code: (-nonzero_codes[code], code))
            cells: dict[str, list[int]] = {}
            for row, value in values:
                nonzero = int(bool(value))
                kind = None if column in OBLIGATIONS else kind_of(row)
                year, bilat = row.get("begyr"), row.get("bilat")
                given = self._given(column, row)
                for key in dict.fromkeys(_chain(kind, year, bilat, given) + _chain(None, year, bilat, given)):
                    cells.setdefault(key, []).append(nonzero)
            overall = (sum(cells["all"]) + 0.5) / (len(cells["all"]) + 1.0)
            rates = {"all": overall}
            for depth in (1, 2, 3, 4):  # each level shrinks toward the one above it, fitted first
                for key, hits in cells.items():
                    if key != "all" and key.count(";") == depth - 1:
                        up = rates.get(key.rsplit(";", 1)[0], overall) if depth > 1 else overall
                        rates[key] = (sum(hits) + SHRINK * up) / (len(hits) + SHRINK)
            self.rates[column] = {k: round(v, 4) for k, v in sorted(rates.items())}
        return self

    def _given(self, column: str, codes: dict) -> str | None:
        """The cell key of the code ``codes`` has for the column ``column`` is conditioned on (None: none)."""
        other = self.given.get(column)
        value = codes.get(other) if other is not None else None
        return None if value is None else f"{other}={int(value)}"

    def p_nonzero(
        self,
        column: str,
        year: int | None = None,
        bilateral: int | None = None,
        kind: str | None = None,
        codes: dict | None = None,
    ) -> float | None:
        """The rate for the most specific cell known (None for a column the prior has not seen); ``codes``,
        the draft's codes so far, give the code of the column it is conditioned on (``GIVEN``)."""
        rates = self.rates.get(column)
        if rates is None:
            return None
        kind = None if column in OBLIGATIONS else kind
        given = self._given(column, codes or {})
        chains = [_chain(kind, year, bilateral, given), _chain(None, year, bilateral, given)]
        if given is not None:  # a cell of the given code never seen: as if it were not known
            chains += [_chain(kind, year, bilateral), _chain(None, year, bilateral)]
        for key in [k for chain in chains for k in reversed(chain[1:])]:
            if key in rates:
                return rates[key]
        return rates["all"]

    def to_dict(self) -> dict:
        return {
            "alliances": self.alliances,
            "shrink": SHRINK,
            "rates": self.rates,
            "modes": dict(sorted(self.modes.items())),
            "given": dict(sorted(self.given.items())),
        }

    @classmethod
    def from_dict(cls, data: dict) -> CodePrior:
        return cls(
            {str(c): {str(k): float(v) for k, v in r.items()} for c, r in data["rates"].items()},
            int(data.get("alliances", 0)),
            {str(c): int(v) for c, v in data.get("modes", {}).items()},
            {str(c): str(v) for c, v in data.get("given", {}).items()},
        )

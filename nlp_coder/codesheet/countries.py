"""Correlates of War state codes and the names treaties call states by (``configs/countries.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp_coder.configfile import read_yaml
from nlp_coder.errors import ConfigError
from nlp_coder.paths import CONFIG_DIR


@dataclass(frozen=True)
class State:
    code: int
    abb: str
    name: str
    aliases: tuple[str, ...] = ()
    years: tuple[int, int] | None = None  # the years COW uses this code for ...
    otherwise: int | None = None  # ... and the code of the same state outside them

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Mention:
    code: int
    start: int
    end: int
    alias: str


class CountryTable:
    """COW states, looked up by code, by abbreviation or by any of their names in a text."""

    def __init__(self, states: list[State]):
        self.states = states
        self.by_code = {s.code: s for s in states}
        alias_map: dict[str, int] = {}
        for s in states:
            for name in s.names:
                alias_map.setdefault(_norm(name), s.code)
        self._aliases = alias_map
        pattern = "|".join(
            r"\s+".join(re.escape(w).replace("'", "['’]") for w in alias.split())
            for alias in sorted(alias_map, key=len, reverse=True)
        )
        self._pattern = re.compile(r"(?<!\w)(?:" + pattern + r")(?!\w)", re.I)

    def code_in(self, code: int, year: int | None) -> int:
        """The COW code a state had in ``year`` ("Federal Republic of Germany" is 260 until 1990, then 255)."""
        state = self.by_code.get(code)
        if year is None or state is None or state.years is None or state.otherwise is None:
            return code
        first, last = state.years
        return code if first <= year <= last else state.otherwise

    def name(self, code: int) -> str:
        state = self.by_code.get(code)
        return state.name if state else f"COW {code}"

    def code_for(self, name: str) -> int | None:
        return self._aliases.get(_norm(name))

    def find(self, text: str) -> list[Mention]:
        """Every mention of a state in ``text`` (longest names first, no overlaps)."""
        return [
            Mention(self._aliases[_norm(m.group(0))], m.start(), m.end(), m.group(0))
            for m in self._pattern.finditer(text)
        ]


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("’", "'").split())


def load_countries(path: str | Path | None = None) -> CountryTable:
    return _default() if path is None else _load(Path(path))


@lru_cache(maxsize=1)
def _default() -> CountryTable:
    return _load(CONFIG_DIR / "countries.yaml")


def _load(path: Path) -> CountryTable:
    raw = read_yaml(path, "country table")
    try:
        states = [
            State(
                int(s["code"]),
                str(s["abb"]),
                str(s["name"]),
                tuple(str(a) for a in s.get("aliases") or ()),
                tuple(int(y) for y in s["years"]) if s.get("years") else None,
                int(s["otherwise"]) if s.get("otherwise") is not None else None,
            )
            for s in raw["states"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: invalid country table ({type(exc).__name__}: {exc})") from exc
    return CountryTable(states)

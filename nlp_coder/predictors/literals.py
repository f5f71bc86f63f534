"""Literal prefilters for cue patterns: the words a pattern cannot match without.

For a regular expression, ``required`` finds a set of lowercase strings such that every match contains one
of them (from the parsed pattern: a run of literal characters, or one run per branch of an alternation), or
None when it finds none. A sentence that contains none of a cue's strings cannot match the cue, so the
pattern need not be run on it; the answer is the same, only faster. Sentences are read through ``fold``, so
the few letters beyond ASCII that a case-insensitive pattern takes for ASCII ones (the long s, the dotless i)
cannot hide a match.
"""

from __future__ import annotations

import functools
import re
import re._constants as _c
import re._parser as _p
from bisect import bisect_right
from collections.abc import Sequence
from itertools import islice

import numpy as np

HITS_PER_CHUNK = 1 << 18  # literal hits turned into arrays at a time (a 10 MB text has millions)
MIN_LITERAL = 3  # shorter runs ("UN") would pass almost every sentence
# A requirement that starts with WORD_START is met only where its string starts a word (the pattern has \b
# there): "\bnato\b" needs "nato" at the start of a word, not inside "signatory".
WORD_START = "\x01"


# The only characters beyond ASCII that match an ASCII letter under re.IGNORECASE (dotted and dotless i, long
# s; the Kelvin sign lowercases to "k"): a test scans every code point for more.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def fold(sentence: str) -> str:
    """A sentence as the literal index reads it: lowercase, with the characters above that a case-insensitive
    pattern takes for ASCII letters spelled as those letters. A requirement found in a pattern's ASCII literals
    is then in the folded sentence whenever the pattern matches the sentence, whatever its script."""
    return sentence.translate(_FOLD).lower()


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


_ASCII_WORD = np.array([_is_word(chr(c)) for c in range(128)], dtype=bool)


def contains(lowered: str, literal: str) -> bool:
    """Whether ``lowered`` holds ``literal`` (at the start of a word, if it begins with WORD_START)."""
    return _find(lowered, literal, 0) != -1


def _find(text: str, literal: str, at: int) -> int:
    """Where ``literal`` next occurs in ``text`` from ``at`` (its string after WORD_START, where a word starts
    there), or -1."""
    if not literal.startswith(WORD_START):
        return text.find(literal, at)
    core = literal[1:]
    at = text.find(core, at)
    while at > 0 and _is_word(text[at - 1]):
        at = text.find(core, at + 1)
    return at


@functools.cache
def required(pattern: str) -> frozenset[str] | None:
    """Lowercase strings, one of which is in every match of ``pattern`` (case-insensitive); or None."""
    return _requirements(pattern)[0]


def required_groups(pattern: str) -> tuple[frozenset[str], ...]:
    """Every requirement found in ``pattern``: a match contains one string of each group. The most selective
    group (``required``) comes first; the others are for testing the sentences that have the first."""
    return _requirements(pattern)[1]


@functools.cache
def _requirements(pattern: str) -> tuple[frozenset[str] | None, tuple[frozenset[str], ...]]:
    """``required`` and ``required_groups`` from one parse of the pattern (the tree is not kept)."""
    try:
        tree = list(_p.parse(pattern, re.I))
    except re.error:
        return None, ()
    found = _sequence(tree)
    first = frozenset(found) if found else None
    groups: list[set[str]] = []
    _all_of(tree, groups)
    rest = sorted({frozenset(g) for g in groups if frozenset(g) != first}, key=lambda g: sorted(g))
    return first, ((first,) if first else ()) + tuple(rest)


def _all_of(items: list, groups: list[set[str]]) -> None:
    """Adds to ``groups`` each requirement of the sequence ``items``: its literal runs, its alternations whose
    every branch has a requirement, and those of the groups and repeats it must pass through."""
    run = ""
    for op, av in items:
        if op is _c.LITERAL and av < 128:
            run += chr(av).lower()
            continue
        if len(run) >= MIN_LITERAL:
            groups.append({run})
        run = ""
        if op is _c.SUBPATTERN:
            _all_of(list(av[3]), groups)
        elif op is _c.BRANCH:
            branches = [_sequence(list(b)) for b in av[1]]
            if all(branches):
                groups.append(set().union(*branches))  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            _all_of(list(av[2]), groups)
        elif op is _c.ATOMIC_GROUP:
            _all_of(list(av), groups)
    if len(run) >= MIN_LITERAL:
        groups.append({run})


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective requirement: longer shortest string, then fewer strings."""
    if not b:
        return a
    if not a:
        return b
    key_a, key_b = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
    return b if key_b > key_a else a


def _sequence(items: list) -> set[str] | None:
    """The most selective requirement of a sequence. A stretch of the pattern that can only match a few exact
    strings ("organi[sz]ation", "co-?operat", "ent(er|ering)") gives all of them, spelled out: a longer
    requirement than its longest plain literal run, so fewer sentences are tried."""
    best: set[str] | None = None
    runs = {""}
    for op, av in items:
        exact = _exact(op, av)
        if exact is not None and len(runs) * len(exact) <= MAX_SPELLINGS:
            runs = {r + x for r in runs for x in exact}
            continue
        best = _better(best, _usable(runs))
        runs = {""}
        if op is _c.SUBPATTERN:
            best = _better(best, _sequence(list(av[3])))
        elif op is _c.BRANCH:
            branches = [_sequence(list(b)) for b in av[1]]
            if all(branches):
                best = _better(best, set().union(*branches))  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            best = _better(best, _sequence(list(av[2])))
        elif op is _c.ATOMIC_GROUP:
            best = _better(best, _sequence(list(av)))
    return _better(best, _usable(runs))


# Spellings per stretch of a pattern: each is one more scan of the treaty's text, and at 8 or 64 the scans cost
# more time than the searches they saved (measured on 57 ToTA agreements).
MAX_SPELLINGS = 2


def _usable(runs: set[str]) -> set[str] | None:
    """The spellings as a requirement (a sentence with "organisations" has "organisation": the longer one
    goes), or None if one is shorter than MIN_LITERAL."""
    runs = {_normal(r) for r in runs}
    if min(len(r.lstrip(WORD_START)) for r in runs) < MIN_LITERAL:
        return None
    return {r for r in runs if not any(o != r and o in r for o in runs)}


def _normal(run: str) -> str:
    """A spelling as a requirement: the word-start mark kept only at its start, before a word character."""
    core = run.replace(WORD_START, "")
    return WORD_START + core if run.startswith(WORD_START) and core and _is_word(core[0]) else core


def _exact(op: object, av: object) -> set[str] | None:
    """The exact (lowercase) strings one pattern item can match, if they are few; a zero-width anchor matches
    "" (a word boundary: WORD_START, kept by ``_normal`` where a word begins after it)."""
    if op is _c.LITERAL:
        return {chr(av).lower()} if av < 128 else None  # type: ignore[operator,arg-type]
    if op is _c.AT:
        return {WORD_START} if av is _c.AT_BOUNDARY else {""}
    if op is _c.IN:
        chars = [chr(v).lower() for o, v in av if o is _c.LITERAL and v < 128]  # type: ignore[union-attr]
        return set(chars) if len(chars) == len(av) and len(chars) <= 8 else None  # type: ignore[arg-type]
    if op is _c.SUBPATTERN:
        return _exact_sequence(list(av[3]))  # type: ignore[index]
    if op is _c.BRANCH:
        out: set[str] = set()
        for branch in av[1]:  # type: ignore[index]
            found = _exact_sequence(list(branch))
            if found is None:
                return None
            out |= found
        return out if len(out) <= MAX_SPELLINGS else None
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:  # type: ignore[index]
        found = _exact_sequence(list(av[2]))  # type: ignore[index]
        return None if found is None else found | {""}
    return None


def _exact_sequence(items: list) -> set[str] | None:
    out = {""}
    for op, av in items:
        found = _exact(op, av)
        if found is None or len(out) * len(found) > MAX_SPELLINGS:
            return None
        out = {r + x for r in out for x in found}
    return out


def any_required(patterns: list[str]) -> frozenset[str] | None:
    """For "one of ``patterns`` matches": the union of their requirements (None if one has none)."""
    out: set[str] = set()
    for pattern in patterns:
        found = required(pattern)
        if found is None:
            return None
        out |= found
    return frozenset(out)


def may_match(literals: frozenset[str] | None, folded: str) -> bool:
    """False only when the sentence (``folded`` by ``fold``) certainly cannot match."""
    return literals is None or any(contains(folded, lit) for lit in literals)


class LiteralIndex:
    """Which sentences of a treaty contain each literal, shared by every cue that needs the literal.

    ``scan(literals)`` finds them all in one pass over the treaty's folded text (Aho-Corasick, the
    ``pyahocorasick`` library); a literal it was not given is found by its own scan when first asked for.
    ``candidates(literals)`` gives, in text order, exactly the sentences for which ``may_match`` is true.
    """

    SEPARATOR = "\x00"  # between sentences: no literal contains it, so no hit spans two sentences

    def __init__(self, lowered: Sequence[str]):
        """``lowered``: the treaty's sentences, each ``fold``-ed."""
        self._text = self.SEPARATOR.join(lowered)
        self._starts: list[int] = []
        position = 0
        for sentence in lowered:
            self._starts.append(position)
            position += len(sentence) + 1
        self._start_array = np.asarray(self._starts, dtype=np.int64)
        self._code_points: np.ndarray | None = None
        self._every = range(len(lowered))
        self._ids = list(self._every)
        self._hits: dict[str, frozenset[int]] = {}
        self._scanned: set[frozenset[str]] = set()
        self._candidates: dict[frozenset[str], list[int]] = {}
        self._unions: dict[frozenset[str], frozenset[int]] = {}

    def scan(self, literals: frozenset[str]) -> None:
        """Finds the sentences of every literal not yet known, all in one pass over the text."""
        if literals in self._scanned:
            return
        self._scanned.add(literals)
        todo = frozenset(lit for lit in literals if lit not in self._hits)
        if not todo:
            return
        automaton, cores, lengths = _automaton(todo)
        n = max(len(self._starts), 1)
        plain_parts, starting_parts = [], []
        hits = automaton.iter(self._text)
        while chunk := list(islice(hits, HITS_PER_CHUNK)):  # bounded memory on a long text
            found = np.array(chunk, dtype=np.int64)
            which, start = found[:, 1], found[:, 0] - lengths[found[:, 1]] + 1
            pairs = which * n + np.searchsorted(self._start_array, start, side="right") - 1
            plain_parts.append(np.unique(pairs))
            starting_parts.append(np.unique(pairs[self._word_starts(start)]))
        plain = _grouped(plain_parts, n, self._ids)
        starting = _grouped(starting_parts, n, self._ids)
        empty: frozenset[int] = frozenset()
        for literal in todo:
            core = literal.removeprefix(WORD_START)
            self._hits[literal] = (starting if literal != core else plain).get(cores[core], empty)

    def _word_starts(self, positions: np.ndarray) -> np.ndarray:
        """Whether a word starts at each position (no word character just before it)."""
        if self._code_points is None:
            self._code_points = np.frombuffer(
                self._text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32
            )
        before = self._code_points[np.maximum(positions - 1, 0)]
        word = np.zeros(len(positions), dtype=bool)
        ascii_ = before < 128
        word[ascii_] = _ASCII_WORD[before[ascii_]]
        for i in np.flatnonzero(~ascii_).tolist():
            word[i] = _is_word(chr(before[i]))
        return (positions == 0) | ~word

    def sentences_with(self, literal: str) -> frozenset[int]:
        """The indices of the sentences that contain ``literal``."""
        hits = self._hits.get(literal)
        if hits is None:
            found: set[int] = set()
            text, starts, n = self._text, self._starts, len(self._starts)
            at = _find(text, literal, 0)
            while at != -1:
                k = bisect_right(starts, at) - 1
                found.add(self._ids[k])
                at = _find(text, literal, starts[k + 1]) if k + 1 < n else -1
            hits = self._hits[literal] = frozenset(found)
        return hits

    def candidates(self, literals: frozenset[str] | None) -> Sequence[int]:
        """The sentences a pattern with these required literals may match, in text order."""
        if literals is None:
            return self._every
        out = self._candidates.get(literals)
        if out is None:
            out = self._candidates[literals] = sorted(self._with_any(literals))
        return out

    def may_hold(self, k: int, literals: frozenset[str] | None) -> bool:
        """``may_match`` for sentence ``k``: False only when it certainly contains none of ``literals``."""
        return literals is None or k in self._with_any(literals)

    def having(self, sentences: Sequence[int], groups: Sequence[frozenset[str]]) -> list[int]:
        """Those of ``sentences`` that contain a string of every group."""
        sets = [self._with_any(group) for group in groups]
        return [k for k in sentences if all(k in found for found in sets)]

    def _with_any(self, literals: frozenset[str]) -> frozenset[int]:
        """The sentences that contain one of ``literals``."""
        out = self._unions.get(literals)
        if out is None:
            out = self._unions[literals] = frozenset().union(*map(self.sentences_with, literals))
        return out


@functools.lru_cache(maxsize=16)
def _automaton(literals: frozenset[str]) -> tuple:
    """An Aho-Corasick automaton of the literals' strings (without the word-start mark), each string's
    number, and the strings' lengths by number."""
    import ahocorasick

    cores = {core: k for k, core in enumerate(sorted({lit.removeprefix(WORD_START) for lit in literals}))}
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for core, k in cores.items():
        automaton.add_word(core, k)
    automaton.make_automaton()
    return automaton, cores, np.array([len(core) for core in cores], dtype=np.int64)


def _grouped(parts: list[np.ndarray], n: int, ids: list[int]) -> dict[int, frozenset[int]]:
    """{string number: the sentences it occurs in} from (string number * n + sentence) codes of the hits; the
    sets hold the ``ids`` objects, one int per sentence shared by every set (a long text has millions of hits)."""
    pairs = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    keys, first = np.unique(pairs // n, return_index=True)
    bounds = [*first.tolist(), len(pairs)]
    ks = (pairs % n).tolist()
    return {
        int(key): frozenset(map(ids.__getitem__, ks[bounds[i] : bounds[i + 1]]))
        for i, key in enumerate(keys.tolist())
    }

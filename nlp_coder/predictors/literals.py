"""Literal prefilters for cue patterns: the words a pattern cannot match without.

For a regular expression, ``required`` finds a set of lowercase strings such that every match contains one
of them (from the parsed pattern: a run of literal characters, or one run per branch of an alternation), or
None when it finds none. A sentence that contains none of a cue's strings cannot match the cue, so the
pattern need not be run on it; the answer is the same, only faster. Case folding outside ASCII (the long s,
the Kelvin sign) can make a case-insensitive match without the lowercase literal, so non-ASCII sentences are
never skipped.
"""

from __future__ import annotations

import functools
import re
import re._constants as _c
import re._parser as _p
from bisect import bisect_right
from collections.abc import Sequence

MIN_LITERAL = 3  # shorter runs ("UN") would pass almost every sentence


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
        if op is _c.LITERAL:
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
    best: set[str] | None = None
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av).lower()
            continue
        best = _better(best, {run} if len(run) >= MIN_LITERAL else None)
        run = ""
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
    return _better(best, {run} if len(run) >= MIN_LITERAL else None)


def any_required(patterns: list[str]) -> frozenset[str] | None:
    """For "one of ``patterns`` matches": the union of their requirements (None if one has none)."""
    out: set[str] = set()
    for pattern in patterns:
        found = required(pattern)
        if found is None:
            return None
        out |= found
    return frozenset(out)


def may_match(literals: frozenset[str] | None, lowered: str, ascii_only: bool) -> bool:
    """False only when the sentence (``lowered``) certainly cannot match."""
    return literals is None or not ascii_only or any(lit in lowered for lit in literals)


class LiteralIndex:
    """Which sentences of a treaty contain each literal, found by one scan of the treaty's lowercase text per
    literal (not one test per sentence and cue), and shared by every cue that needs the literal.

    ``candidates(literals)`` gives, in text order, exactly the sentences for which ``may_match`` is true.
    """

    SEPARATOR = "\x00"  # between sentences: no literal contains it, so no hit spans two sentences

    def __init__(self, lowered: Sequence[str], ascii_only: Sequence[bool]):
        self._lowered = lowered
        self._text = self.SEPARATOR.join(lowered)
        self._starts: list[int] = []
        position = 0
        for sentence in lowered:
            self._starts.append(position)
            position += len(sentence) + 1
        self._every = range(len(lowered))
        self._never_skipped = frozenset(i for i, a in enumerate(ascii_only) if not a)
        self._hits: dict[str, frozenset[int]] = {}
        self._candidates: dict[frozenset[str], list[int]] = {}

    def sentences_with(self, literal: str) -> frozenset[int]:
        """The indices of the sentences that contain ``literal``."""
        hits = self._hits.get(literal)
        if hits is None:
            found: set[int] = set()
            find, starts, n = self._text.find, self._starts, len(self._starts)
            at = find(literal)
            while at != -1:
                k = bisect_right(starts, at) - 1
                found.add(k)
                at = find(literal, starts[k + 1]) if k + 1 < n else -1
            hits = self._hits[literal] = frozenset(found)
        return hits

    def candidates(self, literals: frozenset[str] | None) -> Sequence[int]:
        """The sentences a pattern with these required literals may match, in text order."""
        if literals is None:
            return self._every
        out = self._candidates.get(literals)
        if out is None:
            found = set(self._never_skipped)
            for literal in literals:
                found |= self.sentences_with(literal)
            out = self._candidates[literals] = sorted(found)
        return out

    def may_hold(self, k: int, literals: frozenset[str] | None) -> bool:
        """``may_match`` for sentence ``k``: False only when it certainly contains none of ``literals``."""
        return (
            literals is None or k in self._never_skipped or any(lit in self._lowered[k] for lit in literals)
        )

    def having(self, sentences: Sequence[int], groups: Sequence[frozenset[str]]) -> list[int]:
        """Those of ``sentences`` that contain a string of every group (a sentence never skipped stays)."""
        lowered, keep = self._lowered, self._never_skipped
        return [
            k
            for k in sentences
            if k in keep or all(any(lit in lowered[k] for lit in group) for group in groups)
        ]

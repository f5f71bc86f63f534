"""Worker processes: the same results, in the same order, as one process; errors reach the caller."""

from __future__ import annotations

import os

import pytest

from nlp_coder.drafting.workers import imap_unordered, pmap
from nlp_coder.errors import InputError


def test_pmap_equals_a_plain_map_in_order_and_uses_other_processes():
    offset = 7  # a closure: workers inherit it by fork, nothing is pickled but indices and results
    items = list(range(40))
    serial = pmap(lambda x: (x * x + offset, os.getpid()), items, jobs=1)
    parallel = pmap(lambda x: (x * x + offset, os.getpid()), items, jobs=2)
    assert [v for v, _ in parallel] == [v for v, _ in serial] == [x * x + offset for x in items]
    assert {pid for _, pid in serial} == {os.getpid()}
    assert os.getpid() not in {pid for _, pid in parallel}


def test_imap_unordered_gives_every_index_once():
    seen = sorted(imap_unordered(lambda s: s.upper(), ["a", "b", "c", "d", "e"], jobs=3))
    assert seen == [(0, "A"), (1, "B"), (2, "C"), (3, "D"), (4, "E")]


def test_a_user_error_in_a_worker_reaches_the_caller():
    def check(x: int) -> int:
        if x == 3:
            raise InputError(f"item {x}: unusable")
        return x

    with pytest.raises(InputError, match="item 3: unusable"):
        pmap(check, list(range(6)), jobs=2)


def test_one_item_or_one_job_stays_in_this_process():
    assert pmap(lambda _: os.getpid(), [0], jobs=4) == [os.getpid()]
    assert pmap(str, [], jobs=4) == []

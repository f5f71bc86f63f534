"""Work spread over the machine's cores: one function applied to many items in forked worker processes.

The workers are forked from the parent after it has loaded what the work needs (configs, the model, the
encoder, the training examples), so each starts with them already in memory (shared copy-on-write) and nothing
is loaded twice. Each item is computed on its own and the results come back in the items' order, so the
output is the same whatever the number of workers. Workers ignore Ctrl-C: the parent stops the pool.

The function and the items reach the workers by inheritance, not by pickling, so a closure works; only each
item's index goes out and each result comes back.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # (function, items) of the running map


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # one BLAS/OpenMP thread per worker: the workers already fill the cores, and NumPy's and scikit-learn's own
    # threads on top of them made leave-one-treaty-out folds slower at --jobs 2 than at --jobs 1
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _run(index: int) -> tuple[int, Any]:
    fn, items = _WORK  # type: ignore[misc]
    return index, fn(items[index])


def imap_unordered(
    fn: Callable[[T], R], items: Sequence[T], jobs: int = 1, order: Sequence[int] | None = None
) -> Iterator[tuple[int, R]]:
    """``(index, fn(items[index]))`` for every item, as each is done: in this process when ``jobs`` is 1 (or
    there is one item), else in ``jobs`` forked workers, which take the items in ``order`` (default: as
    given). An exception raised by ``fn`` reaches the caller."""
    global _WORK
    if jobs <= 1 or len(items) <= 1:
        for index, item in enumerate(items):
            yield index, fn(item)
        return
    import multiprocessing

    previous, _WORK = _WORK, (fn, items)
    try:
        pool = multiprocessing.get_context("fork").Pool(min(jobs, len(items)), _init_worker)
    finally:
        _WORK = previous  # the workers have their copy; the parent need not keep the items alive
    try:
        yield from pool.imap_unordered(_run, order if order is not None else range(len(items)))
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def pmap(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int = 1,
    progress: bool = False,
    what: str = "working",
) -> list[R]:
    """``[fn(item) for item in items]``, computed by ``jobs`` processes, with one progress bar when asked."""
    results: list[Any] = [None] * len(items)
    with Progress(len(items), progress, what) as bar:
        for index, result in imap_unordered(fn, items, jobs):
            results[index] = result
            bar.advance()
    return results


class Progress:
    """One progress bar for a whole run (nothing when not shown), on stderr, gone when the run ends."""

    def __init__(self, total: int, show: bool, what: str = "working"):
        self.total, self.show, self.what = total, show, what

    def __enter__(self) -> Progress:
        if self.show:
            from rich.console import Console
            from rich.progress import Progress as Bar

            self.bar = Bar(transient=True, console=Console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=self.total)
        return self

    def advance(self, description: str | None = None) -> None:
        if self.show:
            if description is None:
                self.bar.update(self.task, advance=1)
            else:
                self.bar.update(self.task, advance=1, description=description)

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.stop()

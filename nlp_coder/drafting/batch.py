"""Drafting a folder of treaties: every file checked before the work, drafted in worker processes (each
loading the model once), written atomically under a name that never collides; a file that fails is
reported and the others go on."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp_coder.drafting.drafter import SUFFIX, TREATY_SUFFIXES, draft_file
from nlp_coder.errors import InputError, NlpCoderError
from nlp_coder.output import OutputError, folder_output, make_folder, write_atomic


@dataclass
class BatchResult:
    """What a folder run did: the drafts written and the files that failed, each with its reason."""

    written: list[tuple[Path, Path]]
    failed: list[tuple[Path, str]]


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def treaty_files(folder: Path) -> list[Path]:
    """The treaty files directly inside ``folder``, sorted by name."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the folder ({exc.strerror})") from None
    files = [p for p in entries if p.is_file() and p.suffix.lower() in TREATY_SUFFIXES]
    if not files:
        raise InputError(f"{folder}: no treaty files (.txt, .md, .html, .pdf, .xml) in this folder")
    return files


def output_names(files: list[Path], format: str) -> dict[Path, str]:
    """The output file name of each input: its stem plus the format's suffix, or its whole name where two
    inputs share a stem (``t1.md`` and ``t1.txt`` give ``t1.md.sheet.txt`` and ``t1.txt.sheet.txt``)."""
    stems: dict[str, int] = {}
    for path in files:
        stems[path.stem.casefold()] = stems.get(path.stem.casefold(), 0) + 1
    return {
        path: (path.stem if stems[path.stem.casefold()] == 1 else path.name) + SUFFIX[format]
        for path in files
    }


def check_batch(folder: str | Path, out_dir: str | Path) -> tuple[list[Path], Path]:
    """Check a folder run before any drafting: the treaties to draft, and an output folder that can be
    written and is not the input folder."""
    src, dst = Path(folder), Path(out_dir)
    files = treaty_files(src)
    folder_output(dst, what="drafts")
    if dst.exists() and os.path.samefile(src, dst):
        raise OutputError(f"{dst}: is the input folder; give another folder for the drafts")
    return files, dst


# --- one file, in whichever process --------------------------------------------------------------

_MODEL: object = None  # the model a worker drafts with: set once per process


def _init_worker(model: object) -> None:
    """Worker start-up: keep the model, and leave Ctrl-C to the parent (which stops the pool)."""
    global _MODEL
    _MODEL = model
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _draft_one(task: tuple[int, Path, str, float | None]) -> tuple[int, str | None, str | None]:
    """(index, draft text, None) or (index, None, reason) for one file."""
    index, path, format, max_mb = task
    try:
        return index, draft_file(path, format, model=_MODEL, max_mb=max_mb), None
    except NlpCoderError as exc:
        return index, None, str(exc).removeprefix(f"{path}: ")
    except Exception as exc:  # a bug on one file must not lose the others' drafts
        return index, None, f"internal error ({type(exc).__name__}: {exc})"


def _drafts(
    tasks: list[tuple[int, Path, str, float | None]], model: object, jobs: int
) -> Iterator[tuple[int, str | None, str | None]]:
    """Each task's result as it is done: in this process for one job, else in ``jobs`` forked workers
    that share the loaded model (copy-on-write) instead of loading it again."""
    if jobs <= 1 or len(tasks) <= 1:
        global _MODEL
        _MODEL = model
        yield from map(_draft_one, tasks)
        return
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(min(jobs, len(tasks)), _init_worker, (model,))
    try:
        yield from pool.imap_unordered(_draft_one, tasks)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def draft_folder(
    folder: str | Path,
    out_dir: str | Path,
    format: str = "sheet",
    progress: bool = False,
    model: object = None,
    max_mb: float | None = None,
    jobs: int = 1,
) -> BatchResult:
    """Draft every treaty file in ``folder`` into ``out_dir`` with ``jobs`` processes. The drafts are the
    same whatever ``jobs`` is; a file that cannot be read, drafted or written is recorded with its reason
    and the others go on."""
    files, dst = check_batch(folder, out_dir)
    names = output_names(files, format)
    make_folder(dst)
    tasks = [(i, path, format, max_mb) for i, path in enumerate(files)]
    written: dict[int, Path] = {}
    failed: dict[int, str] = {}
    with _Progress(len(files), progress) as bar:
        for index, text, error in _drafts(tasks, model, jobs):
            path = files[index]
            if text is not None:
                try:
                    written[index] = write_atomic(dst / names[path], text, inputs=files)
                except NlpCoderError as exc:
                    error = str(exc)
            if error is not None:
                failed[index] = error
            bar.advance(path)
    return BatchResult(
        [(files[i], written[i]) for i in sorted(written)], [(files[i], failed[i]) for i in sorted(failed)]
    )


class _Progress:
    """One progress bar for the whole run (nothing when not shown)."""

    def __init__(self, total: int, show: bool):
        self.total, self.show = total, show

    def __enter__(self) -> _Progress:
        if self.show:
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task("drafting", total=self.total)
        return self

    def advance(self, path: Path) -> None:
        if self.show:
            self.bar.update(self.task, advance=1, description=f"drafted {path.name[:40]}")

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.stop()

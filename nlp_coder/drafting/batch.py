"""Drafting a folder of treaties: every file checked before the work, drafted in worker processes (each
loading the model once), written atomically under a name that never collides; a file that fails is
reported and the others go on."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nlp_coder.drafting.drafter import SUFFIX, TREATY_SUFFIXES, draft_file
from nlp_coder.drafting.workers import Progress, imap_unordered
from nlp_coder.errors import InputError, NlpCoderError
from nlp_coder.output import OutputError, folder_output, make_folder, write_atomic


@dataclass
class BatchResult:
    """What a folder run did: the drafts written and the files that failed, each with its reason."""

    written: list[tuple[Path, Path]]
    failed: list[tuple[Path, str]]


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


def _draft_one(task: tuple[Path, str, float | None, object]) -> tuple[str | None, str | None]:
    """(draft text, None) or (None, reason) for one file."""
    path, format, max_mb, model = task
    try:
        return draft_file(path, format, model=model, max_mb=max_mb), None
    except NlpCoderError as exc:
        return None, str(exc).removeprefix(f"{path}: ")
    except Exception as exc:  # a bug on one file must not lose the others' drafts
        return None, f"internal error ({type(exc).__name__}: {exc})"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported when it is read


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
    tasks = [(path, format, max_mb, model) for path in files]  # the model reaches the workers by fork
    written: dict[int, Path] = {}
    failed: dict[int, str] = {}
    # the largest files first, so that no worker is left with a long one when the others are done
    order = sorted(range(len(files)), key=lambda i: (-_size(files[i]), i))
    with Progress(len(files), progress, "drafting") as bar:
        for index, (text, error) in imap_unordered(_draft_one, tasks, jobs, order):
            path = files[index]
            if text is not None:
                try:
                    written[index] = write_atomic(dst / names[path], text, inputs=files)
                except NlpCoderError as exc:
                    error = str(exc)
            if error is not None:
                failed[index] = error
            bar.advance(f"drafted {path.name[:40]}")
    return BatchResult(
        [(files[i], written[i]) for i in sorted(written)], [(files[i], failed[i]) for i in sorted(failed)]
    )

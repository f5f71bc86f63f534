"""Where results go, checked before the work starts and written so that no user file is ever lost.

One layer for every command:

- ``-o -`` (or no ``-o``) means standard output; a closed pipe or a full disk is one clear error.
- A file is written beside its destination and renamed into place, so a reader never sees half a file.
  It is created with the user's umask; a file that is replaced keeps its mode.
- Never over an input, a folder, a symbolic link or a special file. A character device or a pipe
  (``/dev/null``, a FIFO) is written into, never replaced.
- A folder output (a batch of drafts, a report, a model) is checked before the work: it must be new, empty,
  or already one of ours; a model folder is replaced whole and atomically.

Every failure to write is an :class:`OutputError`: one line for the user, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp_coder.errors import NlpCoderError

STDOUT = "-"


class OutputError(NlpCoderError):
    """A result cannot be written where the user asked."""


def describe(exc: OSError) -> str:
    """A short reason for a failed write, in the words of the system (``No space left on device``)."""
    if exc.errno == errno.EPIPE:
        return "the reading end of the pipe was closed"
    return exc.strerror or type(exc).__name__


# --- single files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileOutput:
    """A checked destination for one result: a file path, a character device or pipe, or stdout."""

    path: Path | None  # None: standard output
    stream: bool = False  # an existing character device or FIFO: written into, not replaced

    @property
    def is_stdout(self) -> bool:
        return self.path is None

    def write(self, text: str | bytes) -> None:
        if self.path is None:
            write_stdout(text)
        elif self.stream:
            _write_stream(self.path, text)
        else:
            write_atomic(self.path, text)

    def __str__(self) -> str:
        return "stdout" if self.path is None else str(self.path)


def file_output(path: str | Path | None, inputs: Iterable[str | Path] = ()) -> FileOutput:
    """Check ``path`` as a destination for one file before any work is done."""
    if path is None or str(path) == STDOUT:
        return FileOutput(None)
    target = Path(path)
    if str(path).endswith(os.sep) or target.is_dir():
        raise OutputError(f"{target}: is a folder; give a file name for the output")
    if target.is_symlink():
        resolved = _special_target(target)
        if resolved is None:
            raise OutputError(f"{target}: is a symbolic link; give the path of a regular file to write")
        return FileOutput(resolved, stream=True)
    if target.exists():
        mode = target.stat().st_mode
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
            return FileOutput(target, stream=True)
        if not stat.S_ISREG(mode):
            raise OutputError(f"{target}: is a special file; refusing to replace it")
        _refuse_inputs(target, inputs)
    _check_parent(target)
    return FileOutput(target)


def _special_target(link: Path) -> Path | None:
    """The character device or FIFO a symbolic link leads to (``/dev/stdout``), else None."""
    try:
        mode = link.stat().st_mode
    except OSError:
        return None
    return link if (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)) else None


def _refuse_inputs(target: Path, inputs: Iterable[str | Path]) -> None:
    for source in inputs:
        src = Path(source)
        try:
            same = src.exists() and os.path.samefile(src, target)
        except OSError:
            same = False
        if same:
            raise OutputError(f"{target}: refusing to overwrite an input file")


def _check_parent(target: Path) -> None:
    parent = target.parent
    if not parent.exists():
        raise OutputError(f"{parent}: output folder does not exist")
    if not parent.is_dir():
        raise OutputError(f"{parent}: is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: cannot write there (permission denied)")


def write_atomic(path: str | Path, text: str | bytes, inputs: Iterable[str | Path] = ()) -> Path:
    """Write ``text`` to ``path``: a temporary file beside it, then a rename. The new file gets the user's
    umask, a replaced file keeps its mode; never over an input, a link or a special file."""
    target = Path(path)
    if target.is_symlink():
        raise OutputError(f"{target}: is a symbolic link; refusing to replace it")
    mode = None
    if target.exists():
        st = target.stat()
        if not stat.S_ISREG(st.st_mode):
            what = "a folder" if stat.S_ISDIR(st.st_mode) else "a special file"
            raise OutputError(f"{target}: is {what}; refusing to replace it")
        _refuse_inputs(target, inputs)
        mode = stat.S_IMODE(st.st_mode)
    _check_parent(target)
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if mode is not None:
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise OutputError(f"{target}: cannot write ({describe(exc)})") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return target


def _write_stream(path: Path, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({describe(exc)})") from None


def write_stdout(text: str | bytes) -> None:
    """Write to standard output; a closed pipe or a full disk becomes an OutputError."""
    try:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        _silence_stdout()
        raise OutputError(f"cannot write to standard output ({describe(exc)})") from None


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null so that the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# --- folders --------------------------------------------------------------------------------------


def folder_output(path: str | Path, ours: Callable[[Path], bool] | None = None, what: str = "output") -> Path:
    """Check ``path`` as a folder to write results into, before the work: it may be new (created with its
    parents), empty, or a folder that ``ours`` recognises as one nlp-coder wrote."""
    folder = Path(path)
    if str(path) == STDOUT:
        raise OutputError(f"the {what} is a folder; give a folder name with -o, not -")
    if folder.is_symlink() and not folder.is_dir():
        raise OutputError(f"{folder}: is a symbolic link; refusing to write there")
    if folder.exists():
        if not folder.is_dir():
            raise OutputError(f"{folder}: exists and is not a folder")
        try:
            empty = not any(folder.iterdir())
        except OSError as exc:
            raise OutputError(f"{folder}: cannot read the folder ({describe(exc)})") from None
        if not empty and ours is not None and not ours(folder):
            raise OutputError(
                f"{folder}: is not empty and is not an nlp-coder {what} folder; "
                "refusing to write into it (give a new or empty folder)"
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"{folder}: cannot write there (permission denied)")
        return folder
    ancestor = folder.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    _check_parent(ancestor / folder.name)
    return folder


def make_folder(folder: Path) -> Path:
    """Create ``folder`` and its missing parents (checked by :func:`folder_output`) with the user's umask."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({describe(exc)})") from None
    return folder


def new_folder_beside(target: Path) -> Path:
    """An empty hidden folder next to ``target``, created with the user's umask, to build a result in."""
    tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write there ({describe(exc)})") from None
    return tmp


def replace_folder(built: Path, target: Path) -> Path:
    """Move the finished folder ``built`` to ``target``. An existing ``target`` (checked beforehand to be
    ours) is moved aside first and removed only once the new one is in place; on failure it is put back."""
    old = None
    try:
        if target.exists():
            old = target.parent / f".{target.name}.{secrets.token_hex(4)}.old"
            os.replace(target, old)
        os.replace(built, target)
    except OSError as exc:
        if old is not None and not target.exists():
            os.replace(old, target)
        shutil.rmtree(built, ignore_errors=True)
        raise OutputError(f"{target}: cannot write the folder ({describe(exc)})") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target

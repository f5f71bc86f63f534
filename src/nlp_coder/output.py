"""Writing results: atomically (temporary file, then rename), and never over an input file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError


def write_atomic(path: str | Path, text: str | bytes, inputs: Iterable[str | Path] = ()) -> Path:
    """Write ``text`` (or bytes) to ``path`` via a temporary file in the same folder; never over an input."""
    target = Path(path)
    for source in inputs:
        src = Path(source)
        if src.exists() and target.exists() and os.path.samefile(src, target):
            raise InputError(f"{target}: refusing to overwrite an input file")
    if target.exists() and target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name for the output")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"{parent}: output folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as fh:
                fh.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target

"""The ``nlp-coder`` command: one small function per command, each calling the library."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from nlp_coder.errors import NlpCoderError

if TYPE_CHECKING:
    from nlp_coder.output import FileOutput

app = typer.Typer(
    name="nlp-coder",
    help="Draft ATOP alliance-treaty coding sheets from treaty texts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Jobs = Annotated[
    int,
    typer.Option("--jobs", "-j", min=0, help="Worker processes (default 0: one per core)."),
]

ModelFolder = Annotated[
    Path | None, typer.Option("--model", help="A trained model folder (default: the shipped models/default).")
]
RulesOnly = Annotated[bool, typer.Option("--rules-only", help="Draft with the rules alone, no model.")]
MaxSize = Annotated[
    float | None,
    typer.Option(
        "--max-size",
        metavar="MB",
        min=0,
        help="Refuse texts above this many MB of text (default 5; 0: no limit).",
    ),
]


def check_model_options(model: Path | None, rules_only: bool) -> None:
    from nlp_coder.errors import InputError

    if rules_only and model is not None:
        raise InputError("--rules-only and --model exclude each other")


def drafting_model(model: Path | None, rules_only: bool) -> object:
    """The model ``--model``/``--rules-only`` ask for: the given folder, the shipped one, or none."""
    from nlp_coder.predictors.model import DEFAULT_MODEL, load_model

    check_model_options(model, rules_only)
    if rules_only or (model is None and not DEFAULT_MODEL.is_dir()):
        return None
    return load_model(model)


def max_megabytes(max_size: float | None) -> float | None:
    """``--max-size`` as the drafter takes it: the default when not given, None for 0 (no limit)."""
    from nlp_coder.drafting.drafter import DEFAULT_MAX_MB

    return DEFAULT_MAX_MB if max_size is None else (max_size or None)


Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout ('-': stdout).")
]


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn errors the user caused into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NlpCoderError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted (every file written so far is complete)", 130)
        except OSError as exc:  # a file system failure no check foresaw: still one line
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or type(exc).__name__}")

    return wrapper


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, then exit with ``code``."""
    say(f"nlp-coder: error: {message}")
    raise typer.Exit(code)


def say(message: str) -> None:
    """A line on stderr; a closed stderr is not worth a traceback."""
    with contextlib.suppress(OSError):
        typer.echo(message, err=True)


def destination(output: Path | None, inputs: tuple[Path, ...] = ()) -> FileOutput:
    """Check ``-o`` before the work starts (``None`` or ``-``: stdout)."""
    from nlp_coder.output import file_output

    return file_output(output, inputs)


def emit(text: str, dest: FileOutput) -> None:
    dest.write(text)
    if not dest.is_stdout and not dest.stream:
        say(f"wrote {dest}")


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class SheetFormat(StrEnum):
    sheet = "sheet"
    json = "json"

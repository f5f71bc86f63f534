"""The ``nlp-coder`` command: one small function per command, each calling the library."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from ..errors import NlpCoderError

if TYPE_CHECKING:
    from ..output import FileOutput

app = typer.Typer(
    name="nlp-coder",
    help="Draft ATOP alliance-treaty coding sheets from treaty texts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
    from ..output import file_output

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


@app.command()
@user_errors
def codebook(
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = TableOrJson.table,
    config: Annotated[Path | None, typer.Option(help="A codebook config other than the shipped one.")] = None,
    output: Output = None,
) -> None:
    """Print the ATOP codebook: the 61 questions, their kinds and ATOP columns."""
    from ..codebook import load_codebook
    from ..views import codebook_table, to_json

    dest = destination(output, (config,) if config else ())
    cb = load_codebook(config)
    emit(to_json(cb.to_dict()) if format is TableOrJson.json else codebook_table(cb), dest)


@app.command()
@user_errors
def sheet(
    file: Annotated[Path | None, typer.Argument(help="A filled coding sheet (text).")] = None,
    from_atop: Annotated[Path | None, typer.Option("--from-atop", help="ATOP alliance-level CSV.")] = None,
    atop_id: Annotated[
        int | None, typer.Option("--id", help="The atopid to render, with --from-atop.")
    ] = None,
    format: Annotated[SheetFormat, typer.Option("--format", "-f", help="sheet or json.")] = SheetFormat.sheet,
    output: Output = None,
) -> None:
    """Parse a coding sheet, or render what the ATOP dataset says about one alliance as a sheet."""
    from ..errors import InputError
    from ..sheet import read_sheet, render_sheet
    from ..views import to_json

    if (file is None) == (from_atop is None):
        raise InputError("give either a sheet FILE or --from-atop CSV --id N")
    dest = destination(output, tuple(p for p in (file, from_atop) if p is not None))
    if from_atop is not None:
        from ..atop import atop_row, sheet_from_atop

        if atop_id is None:
            raise InputError("--from-atop needs --id N (an atopid)")
        parsed = sheet_from_atop(atop_row(from_atop, atop_id))
    else:
        parsed = read_sheet(file)
    text = to_json(parsed.to_dict()) if format is SheetFormat.json else render_sheet(parsed)
    emit(text, dest)


@app.command()
@user_errors
def segment(
    file: Annotated[Path, typer.Argument(help="A treaty file: .txt, .md, .html, .pdf or ToTA .xml.")],
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = TableOrJson.table,
    output: Output = None,
) -> None:
    """Show a treaty's structure: title, preamble, articles, paragraphs, annexes, protocols, signatures."""
    from ..treaty import load_treaty
    from ..views import segments_table, to_json

    dest = destination(output, (file,))
    treaty = load_treaty(file)
    if treaty.language.code != "en":
        say(f"nlp-coder: note: {file} looks {treaty.language.name}, not English")
    emit(to_json(treaty.to_dict()) if format is TableOrJson.json else segments_table(treaty), dest)


def main() -> None:
    app()


from . import draft as _draft_command  # noqa: E402,F401  (registers the draft command)
from . import learning as _learning_commands  # noqa: E402,F401  (registers corpus, train, evaluate)

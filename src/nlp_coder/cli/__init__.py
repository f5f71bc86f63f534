"""The ``nlp-coder`` command: one small function per command, each calling the library."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import NlpCoderError

app = typer.Typer(
    name="nlp-coder",
    help="Draft ATOP alliance-treaty coding sheets from treaty texts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn errors the user caused into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NlpCoderError as exc:
            typer.echo(f"nlp-coder: error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper


def emit(text: str, output: Path | None, inputs: tuple[Path, ...] = ()) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from ..output import write_atomic

    write_atomic(output, text, inputs)
    typer.echo(f"wrote {output}", err=True)


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

    cb = load_codebook(config)
    emit(to_json(cb.to_dict()) if format is TableOrJson.json else codebook_table(cb), output)


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
    if from_atop is not None:
        from ..atop import atop_row, sheet_from_atop

        if atop_id is None:
            raise InputError("--from-atop needs --id N (an atopid)")
        parsed = sheet_from_atop(atop_row(from_atop, atop_id))
        inputs: tuple[Path, ...] = (from_atop,)
    else:
        parsed = read_sheet(file)
        inputs = (file,)
    text = to_json(parsed.to_dict()) if format is SheetFormat.json else render_sheet(parsed)
    emit(text, output, inputs)


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

    treaty = load_treaty(file)
    if treaty.language.code != "en":
        typer.echo(f"nlp-coder: note: {file} looks {treaty.language.name}, not English", err=True)
    emit(to_json(treaty.to_dict()) if format is TableOrJson.json else segments_table(treaty), output, (file,))


def main() -> None:
    app()


from . import draft as _draft_command  # noqa: E402,F401  (registers the draft command)
from . import learning as _learning_commands  # noqa: E402,F401  (registers corpus, train, evaluate)

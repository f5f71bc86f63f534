"""``nlp-coder codebook``, ``sheet`` and ``segment``: the codesheet and a treaty's structure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nlp_coder.cli.common import Output, SheetFormat, TableOrJson, app, destination, emit, say, user_errors

if TYPE_CHECKING:
    pass


@app.command()
@user_errors
def codebook(
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = TableOrJson.table,
    config: Annotated[Path | None, typer.Option(help="A codebook config other than the shipped one.")] = None,
    output: Output = None,
) -> None:
    """Print the ATOP codebook: the 61 questions, their kinds and ATOP columns."""
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.codesheet.views import codebook_table, to_json

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
    from nlp_coder.codesheet.sheet import read_sheet, render_sheet
    from nlp_coder.codesheet.views import to_json
    from nlp_coder.errors import InputError

    if (file is None) == (from_atop is None):
        raise InputError("give either a sheet FILE or --from-atop CSV --id N")
    dest = destination(output, tuple(p for p in (file, from_atop) if p is not None))
    if from_atop is not None:
        from nlp_coder.codesheet.atop import atop_row, sheet_from_atop

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
    from nlp_coder.codesheet.views import segments_table, to_json
    from nlp_coder.text.treaty import load_treaty

    dest = destination(output, (file,))
    treaty = load_treaty(file)
    if treaty.language.code != "en":
        say(f"nlp-coder: note: {file} looks {treaty.language.name}, not English")
    emit(to_json(treaty.to_dict()) if format is TableOrJson.json else segments_table(treaty), dest)


def main() -> None:
    app()

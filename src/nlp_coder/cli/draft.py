"""``nlp-coder draft``: draft a coding sheet for a treaty, or for every treaty in a folder."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import Output, app, emit, user_errors


class DraftFormat(StrEnum):
    sheet = "sheet"
    json = "json"
    csv = "csv"


@app.command()
@user_errors
def draft(
    treaty: Annotated[
        Path, typer.Argument(help="A treaty file (.txt, .md, .html, .pdf), or a folder of them.")
    ],
    format: Annotated[
        DraftFormat, typer.Option("--format", "-f", help="sheet, json or csv.")
    ] = DraftFormat.sheet,
    output: Output = None,
    model: Annotated[
        Path | None, typer.Option(help="A trained model folder (default: the shipped models/default).")
    ] = None,
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="Draft with the rules alone, no model.")
    ] = False,
) -> None:
    """Draft the ATOP coding sheet for a treaty: answers, ATOP codes, evidence and confidence.

    With a folder, drafts every treaty in it into the folder given by -o (one output per treaty); a file
    that fails is reported and the rest go on. The exit code is 2 if any file failed.
    """
    from ..draft import draft_file, draft_folder
    from ..errors import InputError
    from ..model import DEFAULT_MODEL, load_model

    if rules_only and model is not None:
        raise InputError("--rules-only and --model exclude each other")
    loaded = None
    if not rules_only and (model is not None or DEFAULT_MODEL.is_dir()):
        loaded = load_model(model)

    if treaty.is_dir():
        if output is None:
            raise InputError(f"{treaty}: is a folder; give an output folder with -o")
        failures = draft_folder(treaty, output, format.value, progress=True, model=loaded)
        for path, message in failures:
            typer.echo(f"nlp-coder: error: {path}: {message}", err=True)
        if failures:
            raise typer.Exit(2)
        return
    emit(draft_file(treaty, format.value, model=loaded), output, (treaty,))

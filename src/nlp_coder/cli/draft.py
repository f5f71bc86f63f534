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
    treaty: Annotated[Path, typer.Argument(help="A treaty file (.txt, .md, .html, .pdf).")],
    format: Annotated[
        DraftFormat, typer.Option("--format", "-f", help="sheet, json or csv.")
    ] = DraftFormat.sheet,
    output: Output = None,
) -> None:
    """Draft the ATOP coding sheet for a treaty: answers, ATOP codes, evidence and confidence."""
    from ..draft import draft_treaty, render
    from ..errors import LanguageError
    from ..treaty import load_treaty

    loaded = load_treaty(treaty)
    if loaded.language.code != "en":
        raise LanguageError(
            f"{treaty}: text looks {loaded.language.name}, not English; nlp-coder drafts English texts"
        )
    result = draft_treaty(loaded)
    emit(render(result, format.value), output, (treaty,))

"""``nlp-coder draft``: draft a coding sheet for a treaty, or for every treaty in a folder."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from nlp_coder.cli.common import (
    Jobs,
    MaxSize,
    ModelFolder,
    Output,
    RulesOnly,
    app,
    check_model_options,
    destination,
    drafting_model,
    emit,
    max_megabytes,
    say,
    user_errors,
)


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
    model: ModelFolder = None,
    rules_only: RulesOnly = False,
    max_size: MaxSize = None,
    jobs: Jobs = 0,
) -> None:
    """Draft the ATOP coding sheet for a treaty: answers, ATOP codes, evidence and confidence.

    With a folder, drafts every treaty in it into the folder given by -o (one output per treaty, named
    after it); a file that fails is reported and the rest go on. Exit code 1 if any file failed.
    """
    from nlp_coder.drafting.batch import check_batch, draft_folder
    from nlp_coder.drafting.drafter import draft_file
    from nlp_coder.drafting.workers import default_jobs
    from nlp_coder.errors import InputError

    check_model_options(model, rules_only)
    max_mb = max_megabytes(max_size)
    if treaty.is_dir():
        if output is None or str(output) == "-":
            raise InputError(f"{treaty}: is a folder; give an output folder with -o")
        check_batch(treaty, output)
    else:
        dest = destination(output, (treaty,))
    loaded = drafting_model(model, rules_only)

    if treaty.is_dir():
        result = draft_folder(
            treaty,
            output,
            format.value,
            progress=True,
            model=loaded,
            max_mb=max_mb,
            jobs=jobs or default_jobs(),
        )
        for path, message in result.failed:
            say(f"nlp-coder: error: {path}: {message}")
        total = len(result.written) + len(result.failed)
        summary = f"drafted {len(result.written)} of {total} treaties into {output}"
        say(summary + (f"; {len(result.failed)} failed (listed above)" if result.failed else ""))
        if result.failed:
            raise typer.Exit(1)
        return
    if getattr(loaded, "heads", None) is not None:
        from nlp_coder.predictors.encoder import load_in_background

        load_in_background(loaded.heads.encoder)
    emit(draft_file(treaty, format.value, model=loaded, max_mb=max_mb), dest)

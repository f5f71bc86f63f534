"""``nlp-coder review add|serve|export|agreement``: review drafts in a browser, export the corrections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp_coder.cli.common import (
    MaxSize,
    ModelFolder,
    Output,
    RulesOnly,
    TableOrJson,
    app,
    check_model_options,
    destination,
    drafting_model,
    emit,
    max_megabytes,
    say,
    user_errors,
)

review_app = typer.Typer(
    help="Review drafts against the treaty in a browser; every change is kept; export the corrections.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")

Db = Annotated[Path, typer.Option("--db", help="The review database (one SQLite file).")]


@review_app.command("add")
@user_errors
def add(
    treaties: Annotated[list[Path], typer.Argument(help="Treaty files (.txt, .md, .html, .pdf).")],
    db: Db,
    model: ModelFolder = None,
    rules_only: RulesOnly = False,
    max_size: MaxSize = None,
) -> None:
    """Draft treaties into the review database (made if missing); prints ID<TAB>PATH for each.

    A treaty already in the database (the same text) is not drafted again. A treaty that cannot be read is
    reported and the others go on; exit code 1 if some failed, 2 if all did.
    """
    from nlp_coder.errors import InputError
    from nlp_coder.output import write_stdout
    from nlp_coder.review.intake import add_treaties
    from nlp_coder.review.store import open_store

    check_model_options(model, rules_only)
    for path in treaties:  # before any drafting
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.is_dir():
            raise InputError(f"{path}: is a folder; give treaty files")
    max_mb = max_megabytes(max_size)
    created = not db.exists()
    added = failed = 0
    with open_store(db, create=True) as store:
        loaded = drafting_model(model, rules_only)
        for result in add_treaties(store, treaties, loaded, max_mb):
            if result.error is not None:
                say(f"nlp-coder: error: {result.error}")
                failed += 1
                continue
            added += 1
            write_stdout(f"{result.treaty_id}\t{result.path}\n")
            if not result.new:
                say(f"nlp-coder: note: {result.path} is already in {db} (treaty {result.treaty_id})")
    if created and not added:  # nothing went in: leave no empty database behind
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    if failed:
        if added:
            say(f"added {added} of {added + failed} treaties; {failed} failed (listed above)")
        raise typer.Exit(1 if added else 2)


@review_app.command("serve")
@user_errors
def serve(
    db: Db,
    host: Annotated[
        str, typer.Option(help="Address to listen on; other than 127.0.0.1 needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8400,
    token: Annotated[
        str | None,
        typer.Option(envvar="NLP_CODER_TOKEN", help="The token every request needs (default: a random one)."),
    ] = None,
    blind: Annotated[
        bool, typer.Option("--blind", help="Hide the draft's answer until the coder has answered.")
    ] = False,
) -> None:
    """Serve the review in a browser: prints the URL to open (it carries the token). Ctrl-C stops it."""
    from nlp_coder.output import write_stdout
    from nlp_coder.review.server import serve as run

    def announce(url: str) -> None:
        write_stdout(url + "\n")
        say("open the URL above in a browser; Ctrl-C stops the server")

    run(db, host, port, token, blind, announce=announce)
    say("review server stopped")


@review_app.command("export")
@user_errors
def export(
    db: Db,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write (new, empty, or an earlier export).")
    ],
) -> None:
    """Export the reviewed treaties: sheets (codesheet layout), their JSON, atop.csv, and corpus.jsonl for
    `nlp-coder train` and `evaluate`. Only reviewed answers go on the sheets."""
    from nlp_coder.review.export import export as run

    result = run(db, output)
    for warning in result.warnings:
        say(f"nlp-coder: warning: {warning}")
    say(
        f"wrote {len(result.names)} reviewed treaties to {result.folder} (sheets/, json/, atop.csv, corpus.jsonl)"
    )


@review_app.command("agreement")
@user_errors
def agreement(
    db: Db,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")] = TableOrJson.table,
    output: Output = None,
) -> None:
    """Agreement between coders on the treaties both reviewed (percent, Cohen's kappa, Gwet's AC1), per
    question and overall, and the draft's agreement with each coder."""
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.codesheet.views import to_json
    from nlp_coder.review.agreement import agreement_report, report_table
    from nlp_coder.review.store import open_store

    dest = destination(output, (db,))
    with open_store(db) as store:
        report = agreement_report(store, load_codebook())
    emit(to_json(report) if format is TableOrJson.json else report_table(report), dest)

"""``nlp-coder corpus check``, ``nlp-coder train`` and ``nlp-coder evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp_coder.cli.common import Jobs, app, user_errors

corpus_app = typer.Typer(
    help="Corpora of treaties with gold codings (JSONL manifests).", no_args_is_help=True
)
app.add_typer(corpus_app, name="corpus")

AtopCsv = Annotated[
    Path | None, typer.Option("--atop-csv", help="ATOP 5.1 alliance-level CSV with the gold codes.")
]
DataRoot = Annotated[
    Path | None, typer.Option("--data-root", help="Resolve manifest paths against this folder.")
]


@corpus_app.command("check")
@user_errors
def corpus_check(
    manifest: Annotated[Path, typer.Argument(help="A corpus manifest (.jsonl).")],
    atop_csv: AtopCsv = None,
    data_root: DataRoot = None,
) -> None:
    """Validate a manifest: files exist and read, ATOP ids are known, sheets parse, annotations fit."""
    from nlp_coder.learn.corpus import check_corpus, read_manifest

    checks = check_corpus(read_manifest(manifest, data_root), atop_csv)
    problems = 0
    for c in checks:
        extra = f" sheet:{c.sheet_answers}" if c.entry.sheet else ""
        extra += f" annotations:{c.annotations}" if c.entry.annotations else ""
        atop = f" atop:{c.entry.atop_id}" if c.entry.atop_id else ""
        status = "ok" if not c.problems else "PROBLEM"
        typer.echo(f"{status:7s} {c.entry.id:40s} {c.chars:>8} chars {c.language or '?':3s}{atop}{extra}")
        for problem in c.problems:
            typer.echo(f"        - {problem}")
        problems += len(c.problems)
    typer.echo(f"{len(checks)} treaties, {problems} problem(s)")
    if problems:
        raise typer.Exit(2)


@app.command()
@user_errors
def train(
    manifests: Annotated[list[Path], typer.Argument(help="One or more corpus manifests (.jsonl).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The model folder to write (e.g. models/mine).")
    ],
    atop_csv: AtopCsv = None,
    data_root: DataRoot = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same corpus and seed give the same model files.")
    ] = 0,
    clauses: Annotated[
        Path | None,
        typer.Option(help="The clause bank (JSONL) the semantic heads learn from (default: the shipped one)."),
    ] = None,
    jobs: Jobs = 0,
    encoder: Annotated[
        str,
        typer.Option(
            help="The sentence encoder the semantic heads read: 'default' reuses the shipped default model's"
            " fine-tuned encoder, 'base' the pretrained one, 'fine-tune' fine-tunes a new one on the clause"
            " bank and the trade agreements' sentences (needs pip install -e '.[train]'; about 15 minutes"
            " on 2 cores), or a model folder whose fine-tuned encoder to reuse."
        ),
    ] = "default",
) -> None:
    """Train the learned predictors on coded treaties and save them as a model folder with a model card."""
    from nlp_coder.drafting.workers import default_jobs
    from nlp_coder.learn.train import train as run_train

    path = run_train(
        manifests,
        output,
        atop_csv=atop_csv,
        data_root=data_root,
        seed=seed,
        progress=True,
        clauses=clauses,
        jobs=jobs or default_jobs(),
        encoder=encoder,
    )
    typer.echo(f"wrote model {path} (model card: {path / 'README.md'})", err=True)


@app.command()
@user_errors
def evaluate(
    manifest: Annotated[Path, typer.Argument(help="A corpus manifest with gold (atop_id and/or sheet).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Report folder: metrics.json, summary.md, PNGs.")
    ] = None,
    model: Annotated[
        Path | None, typer.Option(help="Evaluate this model folder (no cross-validation).")
    ] = None,
    atop_csv: AtopCsv = None,
    data_root: DataRoot = None,
    drafts: Annotated[
        Path | None, typer.Option(help="Score drafts already made (JSON) instead of drafting.")
    ] = None,
    cv: Annotated[
        bool | None,
        typer.Option(
            "--cv/--no-cv", help="Leave-one-treaty-out cross-validation (default: for <= 30 treaties)."
        ),
    ] = None,
    train_extra: Annotated[
        list[Path] | None,
        typer.Option(help="Extra training manifests for the CV folds (e.g. weakly labelled texts)."),
    ] = None,
    jobs: Jobs = 0,
) -> None:
    """Draft every treaty of a manifest and compare with the gold: model vs rules vs majority prior."""
    from nlp_coder.drafting.workers import default_jobs
    from nlp_coder.learn.evaluate import evaluate as run_evaluate

    if model is not None and cv:
        from nlp_coder.errors import InputError

        raise InputError("--model evaluates a trained model as it is; it cannot be combined with --cv")
    result = run_evaluate(
        manifest,
        output,
        model,
        atop_csv,
        data_root,
        drafts,
        cv=False if model is not None else cv,
        train_extra=train_extra or [],
        progress=True,
        jobs=jobs or default_jobs(),
    )
    for name, system in result["systems"].items():
        o = system["overall"]
        typer.echo(
            f"{name:8s} acc {o['acc']}  macro F {o['macro_f']}  kappa {o['kappa']}  AC1 {o['ac1']}  "
            f"ECE {o['ece']}  coverage@95% {o['coverage95']}"
        )
    if output is not None:
        typer.echo(f"wrote {output}/metrics.json, summary.md and plots", err=True)

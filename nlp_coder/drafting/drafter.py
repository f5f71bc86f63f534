"""Drafting: a treaty in, a draft coding sheet out (answers, ATOP codes, evidence, confidence)."""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

from nlp_coder import __version__
from nlp_coder.codesheet.answers import Sheet, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.codesheet.sheet import render_sheet
from nlp_coder.drafting.reconcile import reconcile
from nlp_coder.predictors import rules_drafter
from nlp_coder.text.treaty import Treaty

MODEL_NAME = "rules"  # the name a draft made without a trained model carries


@dataclass
class Draft:
    """A drafted sheet for one treaty, with where it came from."""

    treaty: Treaty
    sheet: Sheet
    model_name: str = MODEL_NAME
    model_version: str = __version__

    def atop(self, codebook: Codebook | None = None) -> dict[str, int]:
        return self.sheet.atop(codebook)

    def to_dict(self, codebook: Codebook | None = None) -> dict:
        cb = codebook or load_codebook()
        return {
            "treaty": {
                "path": self.treaty.path,
                "text_sha256": self.treaty.sha256,
                "title": self.treaty.title,
                "language": self.treaty.language.code,
            },
            "model": {"name": self.model_name, "version": self.model_version},
            "answers": [_answer_dict(self.sheet.answers[n]) for n in sorted(self.sheet.answers)],
            "atop": self.atop(cb),
        }

    def to_sheet_text(self, codebook: Codebook | None = None) -> str:
        return render_sheet(self.sheet, codebook)

    def to_csv(self, codebook: Codebook | None = None) -> str:
        codes = self.atop(codebook)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["path", *codes])
        writer.writerow([self.treaty.path, *codes.values()])
        return buffer.getvalue()


def _answer_dict(answer: SheetAnswer) -> dict:
    return {
        "question": answer.question,
        "answer": answer.answer,
        "yes_no": answer.yes_no,
        "codes": dict(sorted(answer.codes.items())),
        "confidence": answer.confidence if answer.confidence is not None else 0.0,
        "needs_review": bool(answer.needs_review),
        "source": answer.source or "text",
        "evidence": [e.to_dict() for e in answer.evidence],
    }


def draft_treaty(treaty: Treaty, codebook: Codebook | None = None, model: object = None) -> Draft:
    """Draft every question of the codesheet for ``treaty`` (rules only when ``model`` is None)."""
    cb = codebook or load_codebook()
    answers = draft_answers(treaty, cb, model)
    name, version = (model.name, model.version) if model is not None else (MODEL_NAME, __version__)
    header = f"DRAFT by nlp-coder {__version__} (model {name}) from {treaty.path}"
    return Draft(treaty, Sheet(answers, header=header), name, version)


def render(draft: Draft, format: str, codebook: Codebook | None = None) -> str:
    """The draft as ``sheet`` text, ``json`` or a ``csv`` row."""
    from nlp_coder.codesheet.views import to_json

    if format == "json":
        return to_json(draft.to_dict(codebook))
    if format == "csv":
        return draft.to_csv(codebook)
    return draft.to_sheet_text(codebook)


SUFFIX = {"sheet": ".sheet.txt", "json": ".json", "csv": ".csv"}
TREATY_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".text", ".xhtml", ".xml")


DEFAULT_MAX_MB = 5.0  # above this much text, draft asks for --max-size (drafting time grows with size)
SECONDS_PER_MB = 17.0  # measured: a 50 MB text took 14 min on one core; for the size guard's estimate


def check_size(path: Path, chars: int, max_mb: float | None) -> None:
    """Refuse a text above ``max_mb`` megabytes, saying how long it would take (``None``: no limit)."""
    from nlp_coder.errors import InputError

    mb = chars / 1_000_000
    if max_mb is not None and mb > max_mb:
        seconds = mb * SECONDS_PER_MB
        took = f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"
        raise InputError(
            f"{path}: {mb:.3g} MB of text is above the {max_mb:g} MB limit (drafting it would take about "
            f"{took}); give --max-size {math.ceil(mb)} or more to draft it"
        )


def draft_file(
    path: str | Path,
    format: str = "sheet",
    codebook: Codebook | None = None,
    model: object = None,
    max_mb: float | None = None,
) -> str:
    """Read, check and draft one treaty file; the draft rendered in ``format``."""
    from nlp_coder.errors import LanguageError
    from nlp_coder.text.treaty import load_treaty

    path = Path(path)
    if max_mb is not None and path.suffix.lower() != ".pdf" and path.is_file():
        check_size(path, path.stat().st_size, max_mb)  # before reading: bytes bound the characters
    treaty = load_treaty(path)
    check_size(path, len(treaty.text), max_mb)
    if treaty.language.code != "en":
        raise LanguageError(
            f"{path}: text looks {treaty.language.name}, not English; nlp-coder drafts English texts"
        )
    return render(draft_treaty(treaty, codebook, model), format, codebook)


@dataclass
class BatchResult:
    """What a folder run did: the drafts written and the files that failed, each with its reason."""

    written: list[tuple[Path, Path]]
    failed: list[tuple[Path, str]]


def treaty_files(folder: Path) -> list[Path]:
    """The treaty files directly inside ``folder``, sorted by name."""
    from nlp_coder.errors import InputError

    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot list the folder ({exc.strerror})") from None
    files = [p for p in entries if p.is_file() and p.suffix.lower() in TREATY_SUFFIXES]
    if not files:
        raise InputError(f"{folder}: no treaty files (.txt, .md, .html, .pdf, .xml) in this folder")
    return files


def output_names(files: list[Path], format: str) -> dict[Path, str]:
    """The output file name of each input: its stem plus the format's suffix, or its whole name where two
    inputs share a stem (``t1.md`` and ``t1.txt`` give ``t1.md.sheet.txt`` and ``t1.txt.sheet.txt``)."""
    stems: dict[str, int] = {}
    for path in files:
        stems[path.stem.casefold()] = stems.get(path.stem.casefold(), 0) + 1
    return {
        path: (path.stem if stems[path.stem.casefold()] == 1 else path.name) + SUFFIX[format]
        for path in files
    }


def check_batch(folder: str | Path, out_dir: str | Path) -> tuple[list[Path], Path]:
    """Check a folder run before any drafting: the treaties to draft, and an output folder that can be
    written and is not the input folder."""
    from nlp_coder.output import OutputError, folder_output

    src, dst = Path(folder), Path(out_dir)
    files = treaty_files(src)
    folder_output(dst, what="drafts")
    if dst.exists() and os.path.samefile(src, dst):
        raise OutputError(f"{dst}: is the input folder; give another folder for the drafts")
    return files, dst


def draft_folder(
    folder: str | Path,
    out_dir: str | Path,
    format: str = "sheet",
    progress: bool = False,
    model: object = None,
    max_mb: float | None = None,
) -> BatchResult:
    """Draft every treaty file in ``folder`` into ``out_dir``. A file that cannot be read, drafted or
    written is recorded with its reason and the others go on."""
    from nlp_coder.errors import NlpCoderError
    from nlp_coder.output import make_folder, write_atomic

    files, dst = check_batch(folder, out_dir)
    names = output_names(files, format)
    make_folder(dst)
    result = BatchResult([], [])
    for path in _progress(files, progress):
        try:
            text = draft_file(path, format, model=model, max_mb=max_mb)
            result.written.append((path, write_atomic(dst / names[path], text, inputs=files)))
        except NlpCoderError as exc:
            result.failed.append((path, str(exc).removeprefix(f"{path}: ")))
    return result


def _progress(files: list[Path], show: bool):
    if not show:
        yield from files
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("drafting", total=len(files))
        for path in files:
            bar.update(task, description=f"drafting {path.name[:40]}")
            yield path
            bar.advance(task)


def draft_answers(treaty: Treaty, codebook: Codebook, model: object = None) -> dict[int, SheetAnswer]:
    """Rules, then the learned model where it won, then the reconciler."""
    answers = rules_drafter(codebook).draft(treaty)
    if model is not None:
        from nlp_coder.predictors.learned import LearnedPredictor

        answers = LearnedPredictor(model, codebook).apply(treaty, answers)
    return reconcile(answers, codebook)

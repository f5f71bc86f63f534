"""Drafting: a treaty in, a draft coding sheet out (answers, ATOP codes, evidence, confidence)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .codebook import Codebook, load_codebook
from .sheet import Sheet, SheetAnswer, render_sheet
from .treaty import Treaty

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
    from .predictors import draft_answers

    cb = codebook or load_codebook()
    answers = draft_answers(treaty, cb, model)
    name, version = (model.name, model.version) if model is not None else (MODEL_NAME, __version__)
    header = f"DRAFT by nlp-coder {__version__} (model {name}) from {treaty.path}"
    return Draft(treaty, Sheet(answers, header=header), name, version)


def render(draft: Draft, format: str, codebook: Codebook | None = None) -> str:
    """The draft as ``sheet`` text, ``json`` or a ``csv`` row."""
    from .views import to_json

    if format == "json":
        return to_json(draft.to_dict(codebook))
    if format == "csv":
        return draft.to_csv(codebook)
    return draft.to_sheet_text(codebook)


SUFFIX = {"sheet": ".sheet.txt", "json": ".json", "csv": ".csv"}
TREATY_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".text", ".xhtml", ".xml")


def draft_file(
    path: str | Path, format: str = "sheet", codebook: Codebook | None = None, model: object = None
) -> str:
    """Read, check and draft one treaty file; the draft rendered in ``format``."""
    from .errors import LanguageError
    from .treaty import load_treaty

    treaty = load_treaty(path)
    if treaty.language.code != "en":
        raise LanguageError(
            f"{path}: text looks {treaty.language.name}, not English; nlp-coder drafts English texts"
        )
    return render(draft_treaty(treaty, codebook, model), format, codebook)


def draft_folder(
    folder: str | Path,
    out_dir: str | Path,
    format: str = "sheet",
    progress: bool = False,
    model: object = None,
) -> list[tuple[Path, str]]:
    """Draft every treaty file in ``folder`` into ``out_dir``; returns the (file, error) of those that failed."""
    from .errors import InputError, NlpCoderError
    from .output import write_atomic

    src, dst = Path(folder), Path(out_dir)
    files = sorted(p for p in src.iterdir() if p.is_file() and p.suffix.lower() in TREATY_SUFFIXES)
    if not files:
        raise InputError(f"{src}: no treaty files (.txt, .md, .html, .pdf) in this folder")
    if dst.exists() and not dst.is_dir():
        raise InputError(f"{dst}: exists and is not a folder")
    dst.mkdir(parents=True, exist_ok=True)
    failures: list[tuple[Path, str]] = []
    for path in _progress(files, progress):
        try:
            text = draft_file(path, format, model=model)
            write_atomic(dst / (path.stem + SUFFIX[format]), text, inputs=files)
        except NlpCoderError as exc:
            failures.append((path, str(exc).removeprefix(f"{path}: ")))
    return failures


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

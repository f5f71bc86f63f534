"""Drafting: a treaty in, a draft coding sheet out (answers, ATOP codes, evidence, confidence)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from nlp_coder import __version__
from nlp_coder.codesheet.answers import Sheet, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.codesheet.sheet import render_sheet
from nlp_coder.drafting.reconcile import combine, reconcile, veto_types
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


def draft_answers(treaty: Treaty, codebook: Codebook, model: object = None) -> dict[int, SheetAnswer]:
    """Every predictor's candidates (the rules; with a model, its semantic heads), combined by the
    reconciler; then the learned passage classifiers where they won; then the consistency rules."""
    candidates = rules_drafter(codebook).candidates(treaty)
    semantic = None
    if model is not None:
        from nlp_coder.predictors.learned import SemanticPredictor

        semantic = SemanticPredictor(model, codebook).candidate(treaty)
        if semantic is not None:
            candidates[16].append(semantic)
    answers = combine(candidates, codebook)
    if model is not None:
        from nlp_coder.predictors.learned import LearnedPredictor

        before = dict(answers[16].codes) if 16 in answers else {}
        answers = LearnedPredictor(model, codebook).apply(treaty, answers)
        veto_types(answers, semantic, codebook, before)
    calibration = model.extras.get("calibration") if model is not None else None
    prior = model.prior if model is not None else None
    return reconcile(answers, codebook, calibration, prior)

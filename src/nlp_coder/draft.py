"""Drafting: a treaty in, a draft coding sheet out (answers, ATOP codes, evidence, confidence)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from . import __version__
from .codebook import Codebook, load_codebook
from .sheet import Sheet, SheetAnswer, render_sheet
from .treaty import Treaty

MODEL_NAME = "rules"


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


def draft_treaty(treaty: Treaty, codebook: Codebook | None = None) -> Draft:
    """Draft every question of the codesheet for ``treaty``."""
    from .predictors import default_drafter

    cb = codebook or load_codebook()
    answers = default_drafter(cb).draft(treaty)
    return Draft(treaty, Sheet(answers, header=f"DRAFT by nlp-coder {__version__} from {treaty.path}"))


def render(draft: Draft, format: str, codebook: Codebook | None = None) -> str:
    """The draft as ``sheet`` text, ``json`` or a ``csv`` row."""
    from .views import to_json

    if format == "json":
        return to_json(draft.to_dict(codebook))
    if format == "csv":
        return draft.to_csv(codebook)
    return draft.to_sheet_text(codebook)

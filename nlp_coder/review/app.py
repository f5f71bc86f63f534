"""The review web app: the pages coders use and the JSON API the pages are built on (scripts can use it too).

- ``GET /api/treaties``: ``[{id, title, path, reviewed, flagged, members}]``, the treaties needing most review
  first.
- ``GET /api/treaties/{id}``: ``{id, title, path, text, parts, answers: [{question, answer, codes, confidence,
  needs_review, evidence, status, version, comment, coder, source, draft}]}``.
- ``PUT /api/treaties/{id}/answers/{question}`` with ``{answer, codes, evidence, comment, coder, version}``:
  200 and the stored answer at its new version; 409 (with ``current``) when ``version`` is not the current one;
  400 for codes outside the codebook, evidence that does not slice the text, or a malformed body.
- ``GET /api/treaties/{id}/history``: ``[{question, coder, at, before, after, comment, version, blind}]``.
- ``GET /api/codebook``: the questions, their ATOP columns and codes, and the COW state names.

Blind review (``blind=True``): for ``?coder=NAME``, the answers NAME has not given yet come back hidden (no
text, codes, evidence or draft), so that the draft does not anchor the coder; each change records whether it
was made blind.

Access: see :mod:`nlp_coder.review.guard` (token, cookie, headers, body cap).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.review.edits import check_change, question_columns
from nlp_coder.review.guard import Guard
from nlp_coder.review.store import Conflict, NotFound, ReviewError, Store, open_store

HERE = Path(__file__).resolve().parent
HIDDEN = {
    "answer": "",
    "codes": {},
    "evidence": [],
    "comment": "",
    "confidence": None,
    "coder": None,
    "draft": None,
}


class AnswerIn(BaseModel):
    """The body of a PUT: the coder's answer, and the version of the answer it replaces."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(max_length=20_000)
    codes: dict[str, Any]
    evidence: list[Any]
    comment: str = ""
    coder: str
    version: int = Field(strict=True, ge=1)


def create_app(db: str | Path, token: str, blind: bool = False, codebook: Codebook | None = None) -> FastAPI:
    """The app over the review database ``db`` (checked to be one), reached with ``token``."""
    open_store(db).close()  # a bad database fails here, before the server starts
    cb = codebook or load_codebook()
    app = FastAPI(title="nlp-coder review", openapi_url=None, docs_url=None, redoc_url=None)
    pages = _templates()

    def store() -> Store:
        return open_store(db)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "current": exc.current}, status_code=409)

    @app.exception_handler(ReviewError)
    async def _bad(request: Request, exc: ReviewError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _first_problem(exc)}, status_code=400)

    # --- pages ----------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def treaty_list() -> HTMLResponse:
        with store() as s:
            treaties = s.summaries()
        html = pages.get_template("list.html").render(treaties=treaties, db=Path(db).name, blind=blind)
        return HTMLResponse(html)

    @app.get("/treaties/{treaty_id}", response_class=HTMLResponse)
    def treaty_page(treaty_id: int) -> HTMLResponse:
        with store() as s:
            treaty = s.treaty(treaty_id)
        html = pages.get_template("treaty.html").render(
            treaty=treaty, token=token, blind=blind, db=Path(db).name
        )
        return HTMLResponse(html)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # --- API ------------------------------------------------------------------------------------

    @app.get("/api/codebook")
    def codebook_api() -> dict:
        return codebook_view(cb)

    @app.get("/api/treaties")
    def treaties_api() -> list[dict]:
        with store() as s:
            return [
                {k: t[k] for k in ("id", "title", "path", "reviewed", "flagged", "members")}
                for t in s.summaries()
            ]

    @app.get("/api/treaties/{treaty_id}")
    def treaty_api(treaty_id: int, coder: str | None = None) -> dict:
        with store() as s:
            treaty = s.treaty(treaty_id)
            answers = s.answers(treaty_id)
            seen = s.answered_by(treaty_id, coder) if blind and coder else set()
        if blind:
            answers = [a if a["question"] in seen else {**a, **HIDDEN, "hidden": True} for a in answers]
        keys = ("id", "title", "path", "text", "text_sha256", "parts")
        return {**{k: treaty[k] for k in keys}, "blind": blind, "answers": answers}

    @app.put("/api/treaties/{treaty_id}/answers/{question}")
    def answer_api(treaty_id: int, question: int, body: AnswerIn) -> dict:
        with store() as s:
            treaty = s.treaty(treaty_id)
            if not 1 <= question <= len(cb.questions):
                raise NotFound(f"treaty {treaty_id} has no question {question}")
            change = check_change(
                cb,
                question,
                treaty["text"],
                treaty["parts"],
                answer=body.answer,
                codes=body.codes,
                evidence=body.evidence,
                comment=body.comment,
                coder=body.coder,
            )
            made_blind = blind and question not in s.answered_by(treaty_id, change.coder)
            return s.save_answer(treaty_id, question, change, body.version, blind=made_blind)

    @app.get("/api/treaties/{treaty_id}/history")
    def history_api(treaty_id: int, coder: str | None = None) -> list[dict]:
        with store() as s:
            history = s.history(treaty_id)
            if blind:
                seen = s.answered_by(treaty_id, coder) if coder else set()
                history = [h for h in history if h["question"] in seen]
        return history

    return Guard(app, token)


def codebook_view(cb: Codebook) -> dict:
    """What the page needs of the codebook: each question with the ATOP columns it may set, each column with
    its label and codes, and the names of COW states (for member and threat codes)."""
    from nlp_coder.codesheet.countries import load_countries

    return {
        "sections": {s.id: s.title for s in cb.sections},
        "questions": [
            {
                "number": q.number,
                "section": q.section,
                "text": q.text,
                "kind": q.kind,
                "from_text": q.from_text,
                "columns": question_columns(cb, q.number),
            }
            for q in cb.questions
        ],
        "columns": {
            name: {"label": c.label, "kind": c.kind, "codes": {str(k): v for k, v in c.codes.items()}}
            for name, c in cb.columns.items()
        },
        "states": {str(s.code): s.name for s in load_countries().states},
    }


def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )


def _first_problem(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "malformed request"
    err = errors[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "malformed request"))

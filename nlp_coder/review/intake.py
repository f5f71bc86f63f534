"""Treaties into the review database (``nlp-coder review add``): each is read, drafted by the drafter's JSON
contract, and stored with its text, parts, answers, evidence and confidences."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nlp_coder.errors import InputError, NlpCoderError
from nlp_coder.review.store import DraftAnswer, Store, TreatyRecord


@dataclass(frozen=True)
class Added:
    """What became of one treaty: its id (``new`` when it was drafted now), or the error that stopped it."""

    path: Path
    treaty_id: int | None = None
    new: bool = False
    error: str | None = None


def add_treaties(
    store: Store, paths: Iterable[Path], model: object = None, max_mb: float | None = None
) -> Iterator[Added]:
    """Draft and store each treaty; a treaty already in the database (the same text) is not drafted again.
    A treaty that cannot be read or drafted is reported and the others go on."""
    for path in paths:
        try:
            yield add_treaty(store, Path(path), model, max_mb)
        except NlpCoderError as exc:
            yield Added(Path(path), error=str(exc))


def add_treaty(store: Store, path: Path, model: object = None, max_mb: float | None = None) -> Added:
    from nlp_coder.drafting.drafter import check_size, draft_file
    from nlp_coder.text.treaty import load_treaty

    if max_mb is not None and path.suffix.lower() != ".pdf" and path.is_file():
        check_size(path, path.stat().st_size, max_mb)  # before reading: bytes bound the characters
    treaty = load_treaty(path)
    known = store.find(treaty.sha256)
    if known is not None:
        return Added(path, known, new=False)
    draft = json.loads(draft_file(path, "json", model=model, max_mb=max_mb))
    if draft["treaty"]["text_sha256"] != treaty.sha256:
        raise InputError(f"{path}: the file changed while it was being drafted; add it again")
    treaty_id, new = store.add_treaty(record_of(treaty, draft))
    return Added(path, treaty_id, new)


def record_of(treaty: object, draft: dict) -> TreatyRecord:
    """The database record of a treaty (``nlp_coder.text.treaty.Treaty``) and its draft (the JSON contract)."""
    answers = [
        DraftAnswer(
            question=a["question"],
            answer=a["answer"],
            yes_no=a["yes_no"],
            codes=a["codes"],
            evidence=a["evidence"],
            confidence=a["confidence"],
            needs_review=a["needs_review"],
            source=a["source"],
        )
        for a in draft["answers"]
    ]
    return TreatyRecord(
        path=str(Path(treaty.path).resolve()),
        title=treaty.title or Path(treaty.path).stem,
        text=treaty.text,
        text_sha256=treaty.sha256,
        parts=[p.to_dict() for p in treaty.parts],
        model=draft["model"],
        answers=answers,
    )

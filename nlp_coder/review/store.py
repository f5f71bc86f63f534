"""The review database: one SQLite file with the treaties, their drafts, the answers as reviewed and the
history of every change.

- ``PRAGMA application_id`` marks the file as ours: no other SQLite file is ever written to. The schema's
  version is ``PRAGMA user_version``; older files are migrated in numbered steps, each one transaction.
- WAL journal with ``synchronous=FULL``: a change is on disk when its transaction commits, so a server killed
  mid-write leaves a whole database holding every change it acknowledged.
- Every write is one ``BEGIN IMMEDIATE`` transaction. An answer carries a version, checked inside the
  transaction that replaces it: two coders never overwrite each other silently.
- History is append-only: triggers refuse to change or delete a row of it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nlp_coder.errors import NlpCoderError
from nlp_coder.review.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, statements

BUSY_SECONDS = 10.0  # how long a write waits for another one to finish


class ReviewError(NlpCoderError):
    """A review database, treaty or question that cannot be used."""


class NotFound(ReviewError):
    """No such treaty or question in the database."""


class Conflict(ReviewError):
    """The answer changed since the coder read it (its version is not the one given)."""

    def __init__(self, message: str, current: dict):
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class DraftAnswer:
    """One question as the drafter answered it."""

    question: int
    answer: str
    yes_no: str | None
    codes: dict[str, int]
    evidence: list[dict]
    confidence: float | None
    needs_review: bool
    source: str


@dataclass(frozen=True)
class TreatyRecord:
    """A treaty as it goes into the database: its text as read, its parts and its draft."""

    path: str
    title: str
    text: str
    text_sha256: str
    parts: list[dict]
    model: dict
    answers: list[DraftAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    """What a coder sets an answer to (checked by :mod:`nlp_coder.review.edits`)."""

    answer: str
    codes: dict[str, int]
    evidence: list[dict]
    comment: str
    coder: str


def dumps(value: object) -> str:
    """JSON as stored: keys sorted, no spaces, Unicode kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def now() -> str:
    """The time of a change, in UTC to the millisecond (ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def open_store(path: str | Path, create: bool = False) -> Store:
    """Open a review database (with ``create``, a new one where none exists), migrated to this schema.

    A file that is not an nlp-coder review database is refused before anything is written to it."""
    p = Path(path)
    if p.is_dir():
        raise ReviewError(f"{p}: is a folder, not a review database")
    exists = p.exists()
    if not exists and not create:
        raise ReviewError(f"{p}: no such review database (`nlp-coder review add TREATY --db {p}` makes one)")
    if not exists and not p.parent.is_dir():
        raise ReviewError(f"{p.parent}: the database's folder does not exist")
    uri = f"{p.resolve().as_uri()}?mode={'rw' if exists else 'rwc'}"
    try:
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, timeout=BUSY_SECONDS, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise ReviewError(f"{p}: cannot open the review database ({exc})") from None
    conn.row_factory = sqlite3.Row
    store = Store(conn, p)
    try:
        store._prepare(new=not exists)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ReviewError(f"{p}: is not an nlp-coder review database ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return store


class Store:
    """The review database, over one SQLite connection (one per thread or request)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------------

    def _value(self, sql: str, *args: object) -> object:
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row else None

    def _prepare(self, new: bool) -> None:
        if not new and self._value("PRAGMA application_id") != APPLICATION_ID:
            raise ReviewError(f"{self.path}: is not an nlp-coder review database")
        version = self._value("PRAGMA user_version")
        if version > SCHEMA_VERSION:
            raise ReviewError(
                f"{self.path}: made by a newer nlp-coder (schema {version}; this one reads up to {SCHEMA_VERSION})"
            )
        self.conn.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            self._migrate()
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        """Apply the missing migrations, each in its own transaction (the version read inside it, so two
        processes opening an old file at once migrate it once)."""
        for number, script in enumerate(MIGRATIONS, 1):
            with self.write():
                if self._value("PRAGMA user_version") >= number:
                    continue
                for statement in statements(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` (waits for other writers), committed or rolled back."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads that see one state of the database, whatever is written meanwhile."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    # --- treaties -------------------------------------------------------------------------------

    def add_treaty(self, record: TreatyRecord) -> tuple[int, bool]:
        """Store a drafted treaty with its 61 answers as drafts; (its id, True), or (the id it already
        has, False) when the same text is in the database."""
        with self.write() as conn:
            known = self.find(record.text_sha256)
            if known is not None:
                return known, False
            treaty = {k: getattr(record, k) for k in ("path", "title", "text", "text_sha256")}
            treaty.update(parts=dumps(record.parts), model=dumps(record.model), added_at=now())
            treaty_id = int(_insert(conn, "treaty", treaty).lastrowid)
            for a in record.answers:  # the draft first: an answer points at its draft
                common = {"treaty_id": treaty_id, "question": a.question, "answer": a.answer}
                common.update(codes=dumps(a.codes), evidence=dumps(a.evidence))
                draft = {"yes_no": a.yes_no, "confidence": a.confidence, "needs_review": int(a.needs_review)}
                _insert(conn, "draft", {**common, **draft, "source": a.source})
                _insert(conn, "answer", {**common, "status": "draft", "version": 1})
        return treaty_id, True

    def summaries(self) -> list[dict]:
        """Every treaty with its progress, those that need the most review first: flagged answers left,
        then answers left, then the order they were added in."""
        rows = self.conn.execute(
            """
            SELECT t.id, t.title, t.path,
                   SUM(a.status = 'reviewed') AS reviewed,
                   SUM(a.status = 'draft' AND d.needs_review) AS flagged,
                   COUNT(*) AS questions,
                   COALESCE(MAX(CASE WHEN a.question = 4 THEN a.answer END), '') AS members
            FROM treaty t
            JOIN answer a ON a.treaty_id = t.id
            JOIN draft d ON d.treaty_id = a.treaty_id AND d.question = a.question
            GROUP BY t.id
            ORDER BY flagged DESC, questions - reviewed DESC, t.id
            """
        )
        return [dict(r) for r in rows]

    def treaty(self, treaty_id: int) -> dict:
        """A treaty's record: id, title, path, text, its SHA-256, parts and the model that drafted it."""
        row = self.conn.execute(
            "SELECT id, title, path, text, text_sha256, parts, model FROM treaty WHERE id = ?", (treaty_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no treaty {treaty_id} in {self.path}")
        return {**dict(row), "parts": json.loads(row["parts"]), "model": json.loads(row["model"])}

    def find(self, text_sha256: str) -> int | None:
        """The id of the treaty with this text, if it is in the database."""
        found = self._value("SELECT id FROM treaty WHERE text_sha256 = ?", text_sha256)
        return None if found is None else int(found)

    def treaty_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM treaty ORDER BY id")]

    # --- answers --------------------------------------------------------------------------------

    _ANSWER_SQL = """
        SELECT a.question, a.answer, a.codes, a.evidence, a.comment, a.status, a.version, a.coder,
               d.answer, d.codes, d.evidence, d.confidence, d.needs_review, d.source, d.yes_no
        FROM answer a JOIN draft d ON d.treaty_id = a.treaty_id AND d.question = a.question
        WHERE a.treaty_id = ?"""

    def answers(self, treaty_id: int) -> list[dict]:
        """The 61 answers of a treaty in codesheet order, each with the draft it started from."""
        self.treaty(treaty_id)  # NotFound for an unknown treaty
        rows = self.conn.execute(self._ANSWER_SQL + " ORDER BY a.question", (treaty_id,)).fetchall()
        return [_answer(r) for r in rows]

    def answer(self, treaty_id: int, question: int) -> dict:
        row = self.conn.execute(self._ANSWER_SQL + " AND a.question = ?", (treaty_id, question)).fetchone()
        if row is None:
            self.treaty(treaty_id)
            raise NotFound(f"treaty {treaty_id} has no question {question}")
        return _answer(row)

    def save_answer(
        self, treaty_id: int, question: int, change: Change, version: int, blind: bool = False
    ) -> dict:
        """Replace an answer by the coder's, if it is still at ``version``; the change goes to the history in
        the same transaction. Raises Conflict (with the current answer) when someone changed it meanwhile."""
        with self.write() as conn:
            current = self.answer(treaty_id, question)
            if current["version"] != version:
                raise Conflict(
                    f"question {question} is at version {current['version']}, not {version}: "
                    f"{current['coder'] or 'someone'} changed it meanwhile; reload it",
                    current,
                )
            conn.execute(
                "UPDATE answer SET answer = ?, codes = ?, evidence = ?, comment = ?, status = 'reviewed', "
                "version = ?, coder = ? WHERE treaty_id = ? AND question = ? AND version = ?",
                (
                    change.answer,
                    dumps(change.codes),
                    dumps(change.evidence),
                    change.comment,
                    version + 1,
                    change.coder,
                    treaty_id,
                    question,
                    version,
                ),
            )
            after = {"answer": change.answer, "codes": change.codes, "evidence": change.evidence}
            conn.execute(
                "INSERT INTO history (treaty_id, question, version, coder, at, before, after, comment, blind) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    treaty_id,
                    question,
                    version + 1,
                    change.coder,
                    now(),
                    dumps(_state(current)),
                    dumps({**after, "status": "reviewed"}),
                    change.comment,
                    int(blind),
                ),
            )
            return self.answer(treaty_id, question)

    # --- history --------------------------------------------------------------------------------

    def history(self, treaty_id: int) -> list[dict]:
        """Every change to a treaty's answers, oldest first."""
        self.treaty(treaty_id)
        rows = self.conn.execute(
            "SELECT question, coder, at, before, after, comment, version, blind FROM history "
            "WHERE treaty_id = ? ORDER BY id",
            (treaty_id,),
        )
        return [
            {
                **dict(r),
                "before": json.loads(r["before"]),
                "after": json.loads(r["after"]),
                "blind": bool(r["blind"]),
            }
            for r in rows
        ]

    def answered_by(self, treaty_id: int, coder: str) -> set[int]:
        """The questions of a treaty that ``coder`` has answered."""
        rows = self.conn.execute(
            "SELECT DISTINCT question FROM history WHERE treaty_id = ? AND coder = ?", (treaty_id, coder)
        )
        return {r[0] for r in rows}

    def coder_answers(self) -> list[dict]:
        """Each coder's last answer to each question of each treaty, with the draft's answer beside it."""
        rows = self.conn.execute(
            """
            SELECT h.treaty_id, h.question, h.coder, h.after, h.blind, d.answer, d.codes
            FROM history h
            JOIN (SELECT MAX(id) AS last FROM history GROUP BY treaty_id, question, coder) l ON h.id = l.last
            JOIN draft d ON d.treaty_id = h.treaty_id AND d.question = h.question
            ORDER BY h.treaty_id, h.question, h.coder
            """
        ).fetchall()
        out = []
        for treaty_id, question, coder, after, blind, d_answer, d_codes in rows:
            given = json.loads(after)
            out.append(
                {
                    "treaty_id": treaty_id,
                    "question": question,
                    "coder": coder,
                    "answer": given["answer"],
                    "codes": given["codes"],
                    "blind": bool(blind),
                    "draft": {"answer": d_answer, "codes": json.loads(d_codes)},
                }
            )
        return out


def _insert(conn: sqlite3.Connection, table: str, values: dict) -> sqlite3.Cursor:
    """INSERT one row (table and column names come from this module, values are bound)."""
    columns, marks = ", ".join(values), ", ".join(f":{name}" for name in values)
    return conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def _answer(row: sqlite3.Row) -> dict:
    (question, answer, codes, evidence, comment, status, version, coder) = row[:8]
    d_answer, d_codes, d_evidence, confidence, needs_review, source, yes_no = row[8:]
    return {
        "question": question,
        "answer": answer,
        "codes": json.loads(codes),
        "confidence": confidence,
        "needs_review": bool(needs_review),
        "evidence": json.loads(evidence),
        "status": status,
        "version": version,
        "comment": comment,
        "coder": coder,
        "source": source,
        "draft": {
            "answer": d_answer,
            "yes_no": yes_no,
            "codes": json.loads(d_codes),
            "evidence": json.loads(d_evidence),
        },
    }


def _state(answer: dict) -> dict:
    return {k: answer[k] for k in ("answer", "codes", "evidence", "status")}

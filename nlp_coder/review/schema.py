"""The review database's schema, as numbered migrations.

``PRAGMA application_id`` marks a file as an nlp-coder review database, ``PRAGMA user_version`` says how many
migrations it has had. A new step is appended to ``MIGRATIONS``, never edited once released: an older file is
brought up to date one step at a time, each step in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

APPLICATION_ID = 0x4E4C4352  # "NLCR"

MIGRATIONS: tuple[str, ...] = (
    # 1: treaties, the draft's answers, the answers as reviewed, the history of changes
    f"""
    PRAGMA application_id = {APPLICATION_ID};
    CREATE TABLE treaty (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        text_sha256 TEXT NOT NULL UNIQUE,
        parts TEXT NOT NULL,
        model TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE draft (
        treaty_id INTEGER NOT NULL REFERENCES treaty (id),
        question INTEGER NOT NULL CHECK (question BETWEEN 1 AND 61),
        answer TEXT NOT NULL,
        yes_no TEXT,
        codes TEXT NOT NULL,
        evidence TEXT NOT NULL,
        confidence REAL,
        needs_review INTEGER NOT NULL,
        source TEXT NOT NULL,
        PRIMARY KEY (treaty_id, question)
    );
    CREATE TABLE answer (
        treaty_id INTEGER NOT NULL REFERENCES treaty (id),
        question INTEGER NOT NULL CHECK (question BETWEEN 1 AND 61),
        answer TEXT NOT NULL,
        codes TEXT NOT NULL,
        evidence TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('draft', 'reviewed')),
        version INTEGER NOT NULL CHECK (version >= 1),
        coder TEXT,
        PRIMARY KEY (treaty_id, question),
        FOREIGN KEY (treaty_id, question) REFERENCES draft (treaty_id, question)
    );
    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        treaty_id INTEGER NOT NULL REFERENCES treaty (id),
        question INTEGER NOT NULL,
        version INTEGER NOT NULL,
        coder TEXT NOT NULL,
        at TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        comment TEXT NOT NULL,
        blind INTEGER NOT NULL DEFAULT 0,
        UNIQUE (treaty_id, question, version)
    );
    CREATE INDEX history_by_coder ON history (coder, treaty_id, question);
    CREATE TRIGGER history_is_append_only_update BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    CREATE TRIGGER history_is_append_only_delete BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> Iterator[str]:
    """The SQL statements of a migration (a trigger's body kept whole)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {buffer.strip()[:60]}")

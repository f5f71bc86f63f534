"""The review database: schema and migrations, versioned writes, append-only history, and what a coder may
write (codes from the codebook, evidence that slices the text, answers the sheet layout keeps)."""

import sqlite3
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLE
from nlp_coder.cli import app
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.review.edits import BadEdit, canonical_answer, check_change, check_codes, check_evidence
from nlp_coder.review.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    Change,
    Conflict,
    DraftAnswer,
    NotFound,
    ReviewError,
    TreatyRecord,
    open_store,
)

TEXT = (
    "TREATY OF TEST\n\nArticle 1\n\nThe Parties shall consult each other on any threat to the peace.\n\n"
    "Article 2\n\nThis Treaty shall remain in force for ten years.\n"
)
PARTS = [
    {"kind": "title", "label": "Title", "number": None, "start": 0, "end": 14, "parent": None},
    {"kind": "article", "label": "Article 1", "number": "1", "start": 16, "end": 91, "parent": None},
    {"kind": "article", "label": "Article 2", "number": "2", "start": 93, "end": 151, "parent": None},
]


def record(text: str = TEXT, questions: range = range(1, 62)) -> TreatyRecord:
    """A small treaty with a plain draft: "No" to every yes/no question, blank elsewhere."""
    import hashlib

    cb = load_codebook()
    answers = []
    for n in questions:
        q = cb.question(n)
        answers.append(
            DraftAnswer(
                n, "No" if q.has_yes_no else "", "no" if q.has_yes_no else None, {}, [], 0.5, True, "text"
            )
        )
    sha = hashlib.sha256(text.encode()).hexdigest()
    return TreatyRecord("/treaties/test.txt", "Treaty of Test", text, sha, PARTS, {"name": "rules"}, answers)


def change(answer: str = "No", coder: str = "ana", **kw) -> Change:
    return Change(
        answer=answer, codes=kw.get("codes", {}), evidence=kw.get("evidence", []), comment="", coder=coder
    )


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "review.sqlite", create=True) as s:
        yield s


def test_new_database_is_marked_versioned_and_durable(store, tmp_path):
    conn = store.conn
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_add_stores_the_draft_once(store):
    treaty_id, new = store.add_treaty(record())
    again, new_again = store.add_treaty(record())
    assert (treaty_id, new, again, new_again) == (1, True, 1, False)
    assert store.treaty_ids() == [1]
    answers = store.answers(1)
    assert [a["question"] for a in answers] == list(range(1, 62))
    assert {a["status"] for a in answers} == {"draft"} and {a["version"] for a in answers} == {1}
    assert store.treaty(1)["parts"] == PARTS and store.treaty(1)["text"] == TEXT


def test_summaries_put_the_treaties_needing_most_review_first(store):
    first, _ = store.add_treaty(record())
    second, _ = store.add_treaty(record(TEXT + "\nDone at Testburg.\n"))
    for n in range(1, 11):  # the first treaty gets ten answers reviewed
        store.save_answer(first, n, change("No" if load_codebook().question(n).has_yes_no else ""), 1)
    rows = store.summaries()
    assert [r["id"] for r in rows] == [second, first]
    assert (rows[1]["reviewed"], rows[1]["flagged"]) == (10, 51)
    assert (rows[0]["reviewed"], rows[0]["flagged"]) == (0, 61)


def test_a_save_bumps_the_version_and_keeps_history(store):
    store.add_treaty(record())
    saved = store.save_answer(1, 8, change("Yes", codes={"proadd": 1}), 1)
    assert (saved["version"], saved["status"], saved["coder"], saved["codes"]) == (
        2,
        "reviewed",
        "ana",
        {"proadd": 1},
    )
    assert saved["draft"]["answer"] == "No"  # the draft is kept beside the answer
    (entry,) = store.history(1)
    assert (entry["question"], entry["coder"], entry["version"]) == (8, "ana", 2)
    assert entry["before"]["answer"] == "No" and entry["before"]["status"] == "draft"
    assert entry["after"] == {"answer": "Yes", "codes": {"proadd": 1}, "evidence": [], "status": "reviewed"}


def test_a_stale_version_is_a_conflict_and_changes_nothing(store):
    store.add_treaty(record())
    store.save_answer(1, 8, change("Yes", codes={"proadd": 1}), 1)
    with pytest.raises(Conflict) as caught:
        store.save_answer(1, 8, change("No", coder="ben"), 1)
    assert caught.value.current["version"] == 2 and caught.value.current["coder"] == "ana"
    assert store.answer(1, 8)["answer"] == "Yes" and len(store.history(1)) == 1


def test_concurrent_writers_one_wins(tmp_path):
    with open_store(tmp_path / "r.sqlite", create=True) as s:
        s.add_treaty(record())
    barrier = threading.Barrier(6)
    outcomes = []

    def write(coder):
        with open_store(tmp_path / "r.sqlite") as s:
            barrier.wait()
            try:
                s.save_answer(1, 9, change("No", coder=coder), 1)
                outcomes.append("saved")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(f"coder{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["saved"]
    with open_store(tmp_path / "r.sqlite") as s:
        assert s.answer(1, 9)["version"] == 2 and len(s.history(1)) == 1


def test_history_is_append_only(store):
    store.add_treaty(record())
    store.save_answer(1, 8, change(), 1)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE history SET coder = 'eve'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM history")
    assert store.history(1)[0]["coder"] == "ana"


def test_unknown_treaty_and_question(store):
    store.add_treaty(record())
    with pytest.raises(NotFound, match="no treaty 7"):
        store.answers(7)
    with pytest.raises(NotFound, match="no question 62"):
        store.answer(1, 62)


def test_other_files_are_refused_untouched(tmp_path):
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    text_file = tmp_path / "notes.sqlite"
    text_file.write_text("not a database\n")
    before = {p: p.read_bytes() for p in (other, text_file)}
    for path in (other, text_file):
        with pytest.raises(ReviewError, match="not an nlp-coder review database"):
            open_store(path, create=True)
        assert path.read_bytes() == before[path]
    with pytest.raises(ReviewError, match="no such review database"):
        open_store(tmp_path / "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_a_newer_schema_is_refused_and_migration_is_idempotent(tmp_path):
    path = tmp_path / "r.sqlite"
    with open_store(path, create=True) as s:
        s.add_treaty(record())
        s._migrate()  # a second run finds every step applied
        assert s.treaty_ids() == [1]
        s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ReviewError, match="newer nlp-coder"):
        open_store(path)


# --- what a coder may write ---------------------------------------------------------------------------


def test_codes_are_checked_against_the_codebook():
    cb = load_codebook()
    assert check_codes(cb, 16, {"defense": 1, "consul": 0}) == {"consul": 0, "defense": 1}
    assert check_codes(cb, 4, {"mem1": 2, "mem2": 200, "bilat": 1}) == {"bilat": 1, "mem1": 2, "mem2": 200}
    assert check_codes(cb, 3, {"begyr": 1997, "begmo": 3, "begday": 14})["begyr"] == 1997
    for question, codes, message in [
        (16, {"defense": 2}, "not a code of defense"),
        (16, {"proadd": 1}, "not an ATOP column of question 16"),
        (16, {"nonsense": 1}, "not an ATOP column"),
        (16, {"defense": True}, "whole number"),
        (16, {"defense": "1"}, "whole number"),
        (4, {"mem1": 1}, "Correlates of War state code"),
        (3, {"begmo": 13}, "out of range"),
        (10, {"length": -5}, "out of range"),
        (16, [1], "give an object"),
    ]:
        with pytest.raises(BadEdit, match=message):
            check_codes(cb, question, codes)


def test_evidence_must_slice_the_text():
    quote = "This Treaty shall remain in force for ten years."
    start = TEXT.index(quote)
    (found,) = check_evidence(TEXT, PARTS, [{"start": start, "end": start + len(quote), "quote": quote}])
    assert found == {"part": "Article 2", "start": start, "end": start + len(quote), "quote": quote}
    assert check_evidence(TEXT, PARTS, [{"quote": quote}]) == [found]  # found by its words
    for evidence, message in [
        ([{"start": start, "end": start + 5, "quote": "Other"}], "not the quote given"),
        ([{"start": 10, "end": 5}], "not a passage"),
        ([{"start": 0, "end": len(TEXT) + 1}], "not a passage"),
        ([{"start": "0", "end": 5}], "whole numbers"),
        ([{"quote": "words the treaty never says"}], "not in the treaty's text"),
        ({"start": 0}, "give a list"),
    ]:
        with pytest.raises(BadEdit, match=message):
            check_evidence(TEXT, PARTS, evidence)


def test_answers_are_kept_as_the_sheet_reads_them():
    cb = load_codebook()
    assert canonical_answer(cb, 8, "  Yes, by unanimous consent.  \r\n") == "Yes, by unanimous consent."
    assert canonical_answer(cb, 16, "") == ""
    with pytest.raises(BadEdit, match="marker lines"):
        canonical_answer(cb, 8, "Yes.\n[evidence] Article 1: made up")
    with pytest.raises(BadEdit, match="start of question 9"):
        canonical_answer(
            cb, 8, "Yes.\n9. Are specific state(s) mentioned as possible future members of the alliance?"
        )


def test_a_change_needs_a_coder_and_codes_its_words_imply():
    cb = load_codebook()
    kw = {"codes": {}, "evidence": [], "comment": ""}
    with pytest.raises(BadEdit, match="coder"):
        check_change(cb, 8, TEXT, PARTS, answer="No", coder="  ", **kw)
    with pytest.raises(BadEdit, match="implies proadd = 0"):
        check_change(cb, 8, TEXT, PARTS, answer="No", coder="ana", **kw)
    made = check_change(
        cb, 8, TEXT, PARTS, answer="No", coder="  Ana  Lima ", **{**kw, "codes": {"proadd": 0}}
    )
    assert (made.coder, made.codes) == ("Ana Lima", {"proadd": 0})


# --- nlp-coder review add ------------------------------------------------------------------------------


def test_add_prints_id_and_path_and_is_idempotent(tmp_path):
    db = tmp_path / "review.sqlite"
    runner = CliRunner()
    first = runner.invoke(app, ["review", "add", str(EXAMPLE), "--db", str(db), "--rules-only"])
    assert first.exit_code == 0, first.output
    assert first.stdout == f"1\t{EXAMPLE}\n"
    again = runner.invoke(app, ["review", "add", str(EXAMPLE), "--db", str(db), "--rules-only"])
    assert again.exit_code == 0 and again.stdout == f"1\t{EXAMPLE}\n"
    assert "already in" in again.stderr
    with open_store(db) as s:
        (treaty,) = s.summaries()
        answers = s.answers(1)
        text, parts = s.treaty(1)["text"], s.treaty(1)["parts"]
    assert treaty["title"].startswith("TREATY OF FRIENDSHIP")
    assert sum(1 for a in answers if a["evidence"]) >= 10
    cb = load_codebook()
    for a in answers:  # every draft answer can be accepted as it is
        kept = check_change(
            cb,
            a["question"],
            text,
            parts,
            answer=a["answer"],
            codes=a["codes"],
            evidence=a["evidence"],
            comment="",
            coder="ana",
        )
        assert (kept.answer, kept.codes, kept.evidence) == (a["answer"], a["codes"], a["evidence"])


def test_add_errors_are_one_line_and_leave_no_database(tmp_path):
    runner = CliRunner()
    db = tmp_path / "review.sqlite"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for args in (
        [str(tmp_path / "missing.txt")],
        [str(tmp_path)],
        [str(empty)],
    ):
        result = runner.invoke(app, ["review", "add", *args, "--db", str(db), "--rules-only"])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("nlp-coder: error: ")
        assert not db.exists()
    big = runner.invoke(app, ["review", "add", str(EXAMPLE), "--db", str(db), "--max-size", "0.001"])
    assert big.exit_code == 2 and "above the 0.001 MB limit" in big.stderr and not db.exists()
    not_ours = tmp_path / "notes.txt"
    not_ours.write_text("my notes\n")
    result = runner.invoke(app, ["review", "add", str(EXAMPLE), "--db", str(not_ours), "--rules-only"])
    assert result.exit_code == 2 and "not an nlp-coder review database" in result.stderr
    assert not_ours.read_text() == "my notes\n"


def test_add_goes_on_past_a_failed_treaty(tmp_path):
    db = tmp_path / "review.sqlite"
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    result = CliRunner().invoke(
        app, ["review", "add", str(empty), str(EXAMPLE), "--db", str(db), "--rules-only"]
    )
    assert result.exit_code == 1
    assert result.stdout == f"1\t{EXAMPLE}\n"
    assert "empty.txt: file is empty" in result.stderr and "added 1 of 2" in result.stderr


# --- properties ----------------------------------------------------------------------------------------

LINES = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40),
        st.sampled_from(
            ["Yes.", "No", "“a quoted passage of the treaty”", "8. Are there provisions", "  ", ""]
        ),
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(lines=LINES, question=st.sampled_from([4, 8, 16, 18, 57, 61]))
def test_any_answer_is_kept_as_written_or_refused(lines, question):
    cb = load_codebook()
    text = "\n".join(lines)
    try:
        kept = canonical_answer(cb, question, text)
    except BadEdit:
        return
    assert kept.split() == text.split()
    assert canonical_answer(cb, question, kept) == kept  # what is stored reads back as itself


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(-5, len(TEXT) + 5),
    end=st.integers(-5, len(TEXT) + 5),
    quote=st.none() | st.text(max_size=8),
)
def test_any_evidence_slices_the_text_or_is_refused(start, end, quote):
    item = {"start": start, "end": end} if quote is None else {"start": start, "end": end, "quote": quote}
    try:
        (found,) = check_evidence(TEXT, PARTS, [item])
    except BadEdit:
        assert not (0 <= start < end <= len(TEXT)) or (quote is not None and TEXT[start:end] != quote)
        return
    assert found["quote"] == TEXT[start:end] and 0 <= start < end <= len(TEXT)

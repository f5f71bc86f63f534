"""Export and the loop back to training, and agreement between coders.

The round trip: add the example treaty (default model), correct three answers through the API, export, read
the exported sheet with ``nlp-coder sheet``, and train on the exported corpus."""

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conftest import EXAMPLE
from nlp_coder.cli import app
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.review.agreement import agreement_report
from nlp_coder.review.app import create_app
from nlp_coder.review.store import Change, DraftAnswer, TreatyRecord, open_store

TOKEN = "export-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SHEET = "sheets/0001-veloria_ostmark_treaty.sheet.txt"

CORRECTIONS = {
    16: {
        "answer": "Defense Pact, Consultation Pact (Article 3(1), Article 4): the peaceful settlement of "
        "disputes in Article 2(2) is no pledge of nonaggression.",
        "codes": {"active": 1, "consul": 1, "defense": 1, "neutral": 0, "nonagg": 0, "offense": 0},
        "passage": "Should either High Contracting Party become the object of an armed attack in its territory",
    },
    31: {
        "answer": "Yes. Article 8(2): regular exchange of officers and joint exercises in peacetime.",
        "codes": {"milcon": 2},
        "passage": "Such cooperation shall include the regular exchange of officers",
    },
    57: {"answer": "A friendship treaty with a defence pledge; see the coder's comment on Q16.", "codes": {}},
}


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """The example treaty added with the default model, three answers corrected through the API."""
    folder = tmp_path_factory.mktemp("roundtrip")
    db = folder / "review.sqlite"
    added = run("review", "add", EXAMPLE, "--db", db)
    assert added.exit_code == 0, added.output
    client = TestClient(create_app(db, TOKEN), headers=AUTH)
    text = client.get("/api/treaties/1").json()["text"]
    for question, fix in CORRECTIONS.items():
        evidence = []
        if "passage" in fix:
            start = text.index(fix["passage"])
            evidence = [{"start": start, "end": text.index(".", start) + 1}]
        version = client.get("/api/treaties/1").json()["answers"][question - 1]["version"]
        body = {"answer": fix["answer"], "codes": fix["codes"], "evidence": evidence, "comment": "checked"}
        response = client.put(
            f"/api/treaties/1/answers/{question}", json={**body, "coder": "ana", "version": version}
        )
        assert response.status_code == 200, response.text
    return db


def test_round_trip_sheet_reads_back_the_corrections(reviewed, tmp_path):
    out = tmp_path / "export"
    result = run("review", "export", "--db", reviewed, "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "atop.csv",
        "corpus.jsonl",
        "json/0001-veloria_ostmark_treaty.json",
        SHEET,
    ]
    read = run("sheet", out / SHEET, "--format", "json")
    assert read.exit_code == 0, read.output
    answers = {a["question"]: a for a in json.loads(read.stdout)["answers"]}
    assert sorted(answers) == sorted(CORRECTIONS)  # only reviewed answers are gold
    for question, fix in CORRECTIONS.items():
        assert answers[question]["answer"] == fix["answer"]
        assert answers[question]["codes"] == fix["codes"]
    assert answers[31]["evidence"][0]["quote"].startswith(CORRECTIONS[31]["passage"])
    assert answers[31]["evidence"][0]["part"] == "Article 8(2)"
    row = next(csv.DictReader(io.StringIO((out / "atop.csv").read_text())))
    assert (row["defense"], row["nonagg"], row["consul"], row["milcon"], row["proadd"]) == (
        "1",
        "0",
        "1",
        "2",
        "",
    )
    full = json.loads((out / "json/0001-veloria_ostmark_treaty.json").read_text())
    assert len(full["answers"]) == 61 and full["reviewed"] == 3
    assert full["answers"][15]["draft"]["codes"]["nonagg"] == 1 and full["answers"][15]["coder"] == "ana"


def test_round_trip_train_accepts_the_exported_corpus(reviewed, tmp_path):
    out = tmp_path / "export"
    assert run("review", "export", "--db", reviewed, "-o", out).exit_code == 0
    (line,) = [json.loads(x) for x in (out / "corpus.jsonl").read_text().splitlines()]
    assert (
        set(line) == {"id", "text", "sheet", "note"} and (out / line["text"]).resolve() == EXAMPLE.resolve()
    )
    check = run("corpus", "check", out / "corpus.jsonl")
    assert check.exit_code == 0 and "sheet:3" in check.stdout, check.output
    model = tmp_path / "model"
    trained = run("train", out / "corpus.jsonl", "-o", model)
    assert trained.exit_code == 0, trained.output
    meta = json.loads((model / "meta.json").read_text())
    assert meta["data"]["treaties"] == 1 and meta["data"]["manifests"] == ["corpus.jsonl"]
    scored = run("evaluate", out / "corpus.jsonl", "--model", model, "-o", tmp_path / "report")
    assert scored.exit_code == 0, scored.output
    metrics = json.loads((tmp_path / "report" / "metrics.json").read_text())
    columns = metrics["systems"]["rules"]["columns"]  # gold: the reviewed answers' codes, and only those
    assert columns["nonagg"]["n"] == columns["milcon"]["n"] == 1 and columns["proadd"]["n"] == 0
    assert columns["nonagg"]["acc"] == 0.0  # the rules still read Article 2(2) as nonaggression


def test_export_is_byte_for_byte_the_same_and_replaces_only_an_export(reviewed, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second, first):  # the last one replaces an earlier export
        assert run("review", "export", "--db", reviewed, "-o", out).exit_code == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert "20" not in (first / SHEET).read_text().split("\n1. ")[0]  # no date in the header


def test_export_refuses_what_it_must_not_write(reviewed, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x\n")
    for out in (mine, a_file, a_file / "sub"):
        result = run("review", "export", "--db", reviewed, "-o", out)
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, (out, result.output)
    assert (mine / "notes.txt").read_text() == "keep me\n" and sorted(p.name for p in mine.iterdir()) == [
        "notes.txt"
    ]
    assert a_file.read_text() == "x\n"
    missing = run("review", "export", "--db", tmp_path / "none.sqlite", "-o", tmp_path / "out")
    assert missing.exit_code == 2 and "no such review database" in missing.stderr


def test_export_of_nothing_reviewed_is_refused(tmp_path):
    db = tmp_path / "review.sqlite"
    with open_store(db, create=True) as store:
        store.add_treaty(treaty_record(0))
    result = run("review", "export", "--db", db, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "nothing to export" in result.stderr
    assert not (tmp_path / "out").exists()


# --- agreement ------------------------------------------------------------------------------------------


def treaty_record(i: int) -> TreatyRecord:
    """A small treaty whose draft says No to every yes/no question (with the codes No implies)."""
    import hashlib

    from nlp_coder.codesheet.answers import SheetAnswer
    from nlp_coder.codesheet.implied import implied_codes

    cb = load_codebook()
    text = f"TREATY NUMBER {i}\n\nArticle 1\n\nThe Parties shall consult each other.\n"
    answers = []
    for q in cb.questions:
        said = "No" if q.has_yes_no else ""
        codes, _ = implied_codes(q, SheetAnswer(q.number, said, "no" if said else None), cb)
        answers.append(DraftAnswer(q.number, said, "no" if said else None, codes, [], 0.6, True, "text"))
    sha = hashlib.sha256(text.encode()).hexdigest()
    return TreatyRecord(f"/t/{i}.txt", f"Treaty {i}", text, sha, [], {"name": "rules"}, answers)


def code(store, treaty_id, question, coder, yes, blind=False):
    column = {8: "proadd", 9: "futmem"}[question]
    answer = store.answer(treaty_id, question)
    change = Change("Yes" if yes else "No", {column: int(yes)}, [], "", coder)
    store.save_answer(treaty_id, question, change, answer["version"], blind=blind)


@pytest.fixture
def two_coders(tmp_path):
    """Ten treaties: ana and ben code Q8 (hand-computed below) and Q9 on four of them, all No."""
    ana = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    ben = [1, 1, 1, 1, 1, 0, 0, 0, 0, 1]
    db = tmp_path / "review.sqlite"
    with open_store(db, create=True) as store:
        for i in range(10):
            treaty_id, _ = store.add_treaty(treaty_record(i))
            code(store, treaty_id, 8, "ana", not ana[i])  # changed her mind: only her last answer counts
            code(store, treaty_id, 8, "ana", ana[i], blind=i < 5)
            code(store, treaty_id, 8, "ben", ben[i])
            if i < 4:
                code(store, treaty_id, 9, "ana", False)
                code(store, treaty_id, 9, "ben", False)
    return db


def test_agreement_between_coders_by_hand(two_coders):
    # Q8: po = 8/10; kappa pe = .6*.6 + .4*.4 = .52 -> (.8-.52)/.48 = .5833; AC1 pe = 2*.6*.4 = .48 -> .32/.52
    with open_store(two_coders) as store:
        report = agreement_report(store, load_codebook())
    (pair,) = report["pairs"]
    assert pair["coders"] == ["ana", "ben"] and pair["treaties"] == 10
    assert pair["questions"][8] == {"n": 10, "agreement": 0.8, "kappa": 0.5833, "ac1": 0.6154}
    # Q9: both always No: kappa undefined (pe = 1), AC1 1
    assert pair["questions"][9] == {"n": 4, "agreement": 1.0, "kappa": None, "ac1": 1.0}
    # overall: agreement pooled (12 of 14), kappa and AC1 the mean over questions
    assert pair["overall"] == {"n": 14, "agreement": 0.8571, "kappa": 0.5833, "ac1": 0.8077}


def test_agreement_of_the_draft_with_each_coder_by_hand(two_coders):
    # draft says No everywhere; ana: 6 Yes of 10 on Q8: po = .4; kappa pe = .4*1 = .4 -> 0;
    # AC1 pi = (.3, .7), pe = .42 -> (.4 - .42)/.58 = -.0345
    with open_store(two_coders) as store:
        report = agreement_report(store, load_codebook())
    ana = next(d for d in report["draft"] if d["coder"] == "ana")
    assert ana["questions"][8] == {"n": 10, "agreement": 0.4, "kappa": 0.0, "ac1": -0.0345}
    assert ana["blind"]["n"] == 5 and ana["blind"]["agreement"] == 0.0  # her blind answers were all Yes


def test_agreement_command(two_coders, tmp_path):
    table = run("review", "agreement", "--db", two_coders)
    assert table.exit_code == 0, table.output
    assert "Coders ana and ben (10 treaties both reviewed)" in table.stdout
    assert "agreement 85.7%, kappa 0.583, AC1 0.808" in table.stdout
    as_json = run("review", "agreement", "--db", two_coders, "--format", "json", "-o", tmp_path / "a.json")
    assert as_json.exit_code == 0
    assert json.loads((tmp_path / "a.json").read_text())["pairs"][0]["questions"]["8"]["kappa"] == 0.5833
    assert run("review", "agreement", "--db", tmp_path / "missing.sqlite").exit_code == 2

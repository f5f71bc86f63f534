import csv
import io
import json

import pytest

from conftest import EXAMPLE, TREATIES
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.codesheet.sheet import parse_sheet
from nlp_coder.drafting.batch import draft_folder
from nlp_coder.drafting.drafter import draft_treaty, render
from nlp_coder.text.treaty import load_treaty

KEYS = {"question", "answer", "yes_no", "codes", "confidence", "needs_review", "source", "evidence"}


@pytest.fixture(scope="module")
def example():
    treaty = load_treaty(EXAMPLE)
    return treaty, draft_treaty(treaty)


def test_json_contract(example):
    treaty, draft = example
    data = json.loads(render(draft, "json"))
    assert set(data) == {"treaty", "model", "answers", "atop"}
    assert data["treaty"]["text_sha256"] == treaty.sha256 and data["treaty"]["language"] == "en"
    assert [a["question"] for a in data["answers"]] == list(range(1, 62))
    for answer in data["answers"]:
        assert set(answer) == KEYS
        assert 0.0 <= answer["confidence"] <= 1.0
        assert answer["source"] in ("text", "external")
        assert answer["needs_review"] or answer["confidence"] >= 0.9
        for ev in answer["evidence"]:
            assert treaty.text[ev["start"] : ev["end"]] == ev["quote"]
            assert ev["part"]


def test_example_obligations_and_codes(example):
    _, draft = example
    atop = draft.atop()
    assert (atop["defense"], atop["consul"], atop["nonagg"], atop["offense"], atop["neutral"]) == (
        1,
        1,
        1,
        0,
        0,
    )
    assert atop["active"] == 1 and atop["bilat"] == 1
    assert (atop["begyr"], atop["begmo"], atop["begday"]) == (1997, 3, 14)
    assert (atop["speclgth"], atop["length"], atop["proren"], atop["renewlgt"]) == (1, 240, 2, 60)
    assert atop["estmode"] == 1 and atop["reflnun"] == 2 and atop["noothall"] == 1


def test_external_questions_are_never_guessed(example):
    _, draft = example
    cb = load_codebook()
    for q in cb.questions:
        answer = draft.sheet.answers[q.number]
        if not q.from_text and q.number != 58:
            assert answer.source == "external" and answer.answer == "" and not answer.codes
    assert "treaty text" in draft.sheet.answers[58].answer


def test_sheet_output_parses_back_to_the_same_codes(example):
    _, draft = example
    sheet = parse_sheet(render(draft, "sheet"))
    assert sheet.atop() == draft.atop()
    for number, answer in draft.sheet.answers.items():
        back = sheet.answers[number]
        assert back.confidence == answer.confidence and back.source == answer.source


def test_csv_is_one_row_of_atop_columns(example):
    _, draft = example
    rows = list(csv.DictReader(io.StringIO(render(draft, "csv"))))
    assert len(rows) == 1 and rows[0]["defense"] == "1" and "mem1" not in rows[0]


def test_same_input_same_output_byte_for_byte():
    first = render(draft_treaty(load_treaty(EXAMPLE)), "json")
    second = render(draft_treaty(load_treaty(EXAMPLE)), "json")
    assert first == second


def test_folder_drafting_reports_failures_and_goes_on(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "roman.txt").write_text(
        (TREATIES / "roman_caps.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "dutch.txt").write_text((TREATIES / "dutch.txt").read_text(encoding="utf-8"), encoding="utf-8")
    result = draft_folder(src, tmp_path / "out", "json")
    assert sorted(p.name for p, _ in result.failed) == ["dutch.txt", "empty.txt"]
    assert sorted(p.name for p, _ in result.written) == ["good.txt", "roman.txt"]
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["good.json", "roman.json"]
    roman = json.loads((tmp_path / "out" / "roman.json").read_text(encoding="utf-8"))
    assert roman["atop"]["pubsecr"] == 1  # the secret additional protocol


def test_state_codes_follow_the_date_of_the_treaty():
    from nlp_coder.codesheet.countries import load_countries

    table = load_countries()
    code = table.code_for("Federal Republic of Germany")
    assert table.code_in(code, 1970) == 260 and table.code_in(code, 2007) == 255
    assert table.code_in(220, 1921) == 220


def test_two_workers_write_the_same_drafts_as_one(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for fixture in ("roman_caps.txt", "chapters.txt", "real_parties.txt", "ordinal_words.txt"):
        (src / fixture).write_bytes((TREATIES / fixture).read_bytes())
    (src / "example.txt").write_bytes(EXAMPLE.read_bytes())
    (src / "empty.txt").write_bytes(b"")
    one = draft_folder(src, tmp_path / "one", "json", jobs=1)
    two = draft_folder(src, tmp_path / "two", "json", jobs=2)
    assert [p.name for p, _ in one.failed] == [p.name for p, _ in two.failed] == ["empty.txt"]
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert len(names) == 5 and names == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name

"""The clause bank and the datasets built beside it: span annotations and the weak negatives of trade
agreements."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import SHARED, needs_shared
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.errors import InputError
from nlp_coder.learn.clauses import (
    OBLIGATION_TYPES,
    load_clauses,
    read_clauses,
    span_dataset,
    tota_weak_dataset,
)
from nlp_coder.paths import CORPORA_DIR
from nlp_coder.text.treaty import load_treaty

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "corpora" / "clauses.jsonl"


@pytest.fixture(scope="module")
def bank():
    return load_clauses(BANK)


@pytest.fixture(scope="module")
def rows(bank):
    return [*bank["train"], *bank["test"]]


def test_the_shipped_bank_is_where_the_loader_looks():
    assert (CORPORA_DIR / "clauses.jsonl").resolve() == BANK.resolve()


def test_the_bank_loads_as_train_and_test_with_every_line(bank):
    assert set(bank) == {"train", "test"}
    lines = [x for x in BANK.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert len(bank["train"]) + len(bank["test"]) == len(lines)
    for split in ("train", "test"):
        assert set(bank[split]["split"]) == {split}
    wanted = {"id", "text", "question", "column", "code", "label", "split", "also", "conditional"}
    assert wanted | {"near_miss_of", "kind", "style", "note"} <= set(bank["train"].column_names)


def test_every_obligation_type_has_40_wordings_and_other_columns_10(rows):
    q16 = Counter(r["column"] for r in rows if r["question"] == 16 and r["label"] == "positive")
    for column in OBLIGATION_TYPES:
        assert q16[column] >= 40, column
    others = Counter(r["column"] for r in rows if r["question"] != 16 and r["label"] == "positive")
    assert others and min(others.values()) >= 10, others.most_common()[-3:]
    positives = sum(r["label"] == "positive" for r in rows)
    assert sum(r["label"] == "near_miss" for r in rows) >= positives


def test_each_obligation_type_has_near_misses_and_conditional_wordings(rows):
    for column in OBLIGATION_TYPES:
        mine = [r for r in rows if r["question"] == 16 and r["column"] == column]
        assert sum(r["label"] == "near_miss" for r in mine) >= 30, column
        assert sum(r["conditional"] for r in mine if r["label"] == "positive") >= 10, column
        eras = {r["era"] for r in mine if r["label"] == "positive"}
        assert {"19c", "interwar", "coldwar", "modern"} <= eras <= {"19c", "interwar", "coldwar", "modern", "plain"}


def test_q16_near_misses_name_what_they_resemble_and_what_they_are(rows):
    for r in rows:
        if r["question"] == 16 and r["label"] == "near_miss":
            assert r["near_miss_of"] == r["column"] and r["code"] == 0 and r["kind"], r["id"]
        elif r["question"] == 16:
            assert r["code"] == 1 and r["column"] not in r["also"], r["id"]


def test_the_test_split_is_about_a_quarter_of_every_column_and_label(rows):
    groups = Counter((r["question"], r["column"], r["label"]) for r in rows)
    tests = Counter((r["question"], r["column"], r["label"]) for r in rows if r["split"] == "test")
    for key, n in groups.items():
        if n >= 12:
            assert 0.15 <= tests[key] / n <= 0.35, (key, tests[key], n)
    assert 0.22 <= sum(tests.values()) / len(rows) <= 0.28


def test_no_text_or_near_duplicate_is_in_both_splits(bank):
    from rapidfuzz import fuzz, process

    train, test = sorted(set(bank["train"]["text"])), sorted(set(bank["test"]["text"]))
    assert not set(train) & set(test)
    scores = process.cdist(test, train, scorer=fuzz.ratio, score_cutoff=90, workers=1)
    pairs = [(test[i], train[j]) for i, j in zip(*scores.nonzero(), strict=True)]
    assert not pairs, pairs[:3]


def test_no_clause_is_repeated_for_the_same_column(rows):
    seen = Counter((r["text"], r["question"], r["column"]) for r in rows)
    assert [k for k, n in seen.items() if n > 1] == []
    assert len({r["id"] for r in rows}) == len(rows)


def test_every_question_column_and_code_is_in_the_codebook(rows):
    cb = load_codebook()
    for r in rows:
        column = cb.column(r["column"])
        assert r["column"] in cb.question(r["question"]).columns, r["id"]
        assert not column.codes or r["code"] in column.codes, r["id"]
        assert set(r["also"]) <= set(OBLIGATION_TYPES) - {r["column"]}, r["id"]


GOOD = {
    "id": "x-1", "text": "Should either Party be attacked, the other shall come to its aid.", "question": 16,
    "column": "defense", "code": 1, "label": "positive", "era": "modern", "split": "train",
}  # fmt: skip


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ('{"id": "x-2", "text": ', "JSON"),
        (json.dumps({**GOOD, "id": "x-2", "label": "yes"}), "label"),
        (json.dumps({**GOOD, "id": "x-2", "colour": "red"}), "colour"),
        (json.dumps({**GOOD, "id": "x-2", "code": "1"}), "code"),
        (json.dumps({**GOOD, "id": "x-2", "column": "alliance"}), "alliance"),
        (json.dumps({**GOOD, "id": "x-2", "question": 35}), "question 35"),
        (json.dumps({**GOOD, "id": "x-2", "also": ["friendship"]}), "ATOP column"),
        (json.dumps(GOOD), "twice"),
    ],
)
def test_a_bad_line_is_refused_with_its_file_and_line(tmp_path, bad, problem):
    path = tmp_path / "bank.jsonl"
    path.write_text(f"# a comment\n{json.dumps(GOOD)}\n{bad}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"bank\.jsonl:3: .*{problem}"):
        read_clauses(path)


def test_an_empty_bank_is_refused(tmp_path):
    path = tmp_path / "bank.jsonl"
    path.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(InputError, match="no clauses"):
        load_clauses(path)


TOY = """TREATY OF FRIENDSHIP BETWEEN ARDEN AND BREL

The Republic of Arden and the Kingdom of Brel have agreed as follows:

Article 1

Should either Party be attacked in its home territory, the other shall assist it with all its forces.

Article 2

The Parties shall consult on matters of trade whenever either of them so requests.

Article 3

This Treaty shall remain in force for ten years.
"""

TRADE = """AGREEMENT ON TRADE BETWEEN ARDEN AND BREL

Article 1

Goods of either Party shall be taxed at the frontier of the other at the rates in Annex A. Customs duties shall be eliminated within five years.

Article 2

This Agreement takes effect thirty days after the later of the two notifications.
"""


@pytest.fixture
def manifest(tmp_path):
    (tmp_path / "toy.txt").write_text(TOY, encoding="utf-8")
    (tmp_path / "trade.txt").write_text(TRADE, encoding="utf-8")
    sha = load_treaty(tmp_path / "toy.txt").sha256
    text = load_treaty(tmp_path / "toy.txt").text

    def span(words: str, **fields) -> str:
        start = text.index(words)
        return json.dumps({**fields, "start": start, "end": start + len(words), "text_sha256": sha})

    (tmp_path / "toy.jsonl").write_text(
        "\n".join(
            [
                "# toy treaty, all articles",
                span("Should either Party be attacked", question=16, codes={"defense": 1}),
                span("in its home territory", question=19, codes={"conditio": 1, "defcon": 1}),
                span("The Parties shall consult on matters of trade", question=16, codes={"consul": 1},
                     positive=False),
                span("This Treaty shall remain in force for ten years.", question=10, codes={}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )  # fmt: skip
    lines = [
        {"id": "toy", "text": "toy.txt", "annotations": "toy.jsonl"},
        {"id": "trade", "text": "trade.txt", "weak": True},
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_span_dataset_has_one_row_per_span_and_column_with_the_quoted_text(manifest):
    spans = span_dataset(manifest)
    text = load_treaty(manifest.parent / "toy.txt").text
    assert spans.column_names == [
        "treaty_id",
        "question",
        "start",
        "end",
        "text",
        "column",
        "code",
        "positive",
    ]
    assert len(spans) == 5  # the Q19 span settles two columns
    for row in spans:
        assert row["treaty_id"] == "toy" and row["text"] == text[row["start"] : row["end"]]
    by = {(r["question"], r["column"]): r for r in spans}
    assert by[(16, "defense")]["text"].startswith("Should either Party") and by[(16, "defense")]["positive"]
    assert by[(16, "defense")]["code"] == 1
    assert {(19, "conditio"), (19, "defcon")} <= set(by)
    assert by[(16, "consul")]["positive"] is False
    assert by[(10, None)]["code"] is None


def test_span_dataset_refuses_annotations_of_another_text(manifest):
    toy = manifest.parent / "toy.txt"
    toy.write_text(TOY.replace("ten years", "twenty years"), encoding="utf-8")
    with pytest.raises(InputError, match="different text"):
        span_dataset(manifest)


def test_tota_weak_dataset_gives_every_sentence_of_weak_treaties_as_a_negative(manifest):
    weak = tota_weak_dataset(manifest)
    text = load_treaty(manifest.parent / "trade.txt").text
    assert weak.column_names == ["treaty_id", "start", "end", "text", "label", "part", "language"]
    assert set(weak["treaty_id"]) == {"trade"} and set(weak["label"]) == {"none"}
    assert all(r["text"] == text[r["start"] : r["end"]] for r in weak)
    starts = weak["start"]
    assert starts == sorted(starts) and len(weak) >= 3
    assert any("Customs duties shall be eliminated" in t for t in weak["text"])
    assert "article" in set(weak["part"]) or "paragraph" in set(weak["part"])


def test_the_datasets_are_the_same_each_time(manifest):
    assert span_dataset(manifest).to_dict() == span_dataset(manifest).to_dict()
    assert tota_weak_dataset(manifest).to_dict() == tota_weak_dataset(manifest).to_dict()
    assert load_clauses(BANK)["test"].to_dict() == load_clauses(BANK)["test"].to_dict()


@needs_shared
def test_span_dataset_of_the_shared_alliance_texts():
    spans = span_dataset(ROOT / "corpora" / "shared.jsonl")
    assert {"nato-1949", "anzac-1944", "oecs-1981", "lisbon-2007"} == set(spans["treaty_id"])
    nato = [r for r in spans if r["treaty_id"] == "nato-1949" and r["column"] == "defense" and r["positive"]]
    assert nato and all("attack" in r["text"].lower() for r in nato)


@needs_shared
def test_tota_weak_dataset_of_a_few_shared_trade_agreements(tmp_path):
    lines = (ROOT / "corpora" / "tota.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    few = tmp_path / "few.jsonl"
    few.write_text("\n".join(lines) + "\n", encoding="utf-8")
    weak = tota_weak_dataset(few, data_root=ROOT / "corpora")
    assert len(set(weak["treaty_id"])) == 2 and len(weak) > 50
    assert SHARED.is_dir()


def test_drafting_never_imports_datasets_or_scikit_learn():
    """Both are for training; scikit-learn's import alone is about 0.9 s of a draft's start-up."""
    code = (
        "import sys\n"
        "from nlp_coder.cli import main\n"
        f"sys.argv = ['nlp-coder', 'draft', {str(ROOT / 'tests/fixtures/treaties/real_parties.txt')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('datasets' in sys.modules, 'sklearn' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == "False False"

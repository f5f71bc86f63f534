import json

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TREATIES, make_pdf
from nlp_coder.cli.common import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_codebook_json_lists_61_questions():
    result = run("codebook", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert len(data["questions"]) == 61 and "defense" in data["columns"]


def test_codebook_table():
    result = run("codebook")
    assert result.exit_code == 0 and "61 questions" in result.stdout and "proadd" in result.stdout


def test_segment_json_contract():
    result = run("segment", EXAMPLE, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) >= {"text", "text_sha256", "parts"}
    for part in data["parts"]:
        assert set(part) == {"kind", "label", "number", "start", "end", "parent"}
        assert data["text"][part["start"] : part["end"]].strip()
    assert sum(p["kind"] == "article" for p in data["parts"]) == 12


def test_segment_notes_non_english():
    result = run("segment", TREATIES / "dutch.txt")
    assert result.exit_code == 0 and "Dutch" in result.stderr


def test_sheet_json_has_answers_and_atop():
    result = run("sheet", TREATIES / "sheet_fragment.txt", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["answers"][0]["question"] == 6 and data["atop"]["estmode"] == 1


def test_output_file_is_written_and_input_never_overwritten(tmp_path):
    out = tmp_path / "parts.json"
    assert run("segment", EXAMPLE, "-f", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["parts"]
    copy = tmp_path / "treaty.txt"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    before = copy.read_bytes()
    result = run("segment", copy, "-o", copy)
    assert result.exit_code == 2 and "overwrite" in result.stderr
    assert copy.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def _bad_inputs(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.txt").write_bytes("Traité".encode("latin-1") * 20)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n%garbage")
    make_pdf(tmp_path / "scan.pdf", [])
    return ["missing.txt", ".", "empty.txt", "binary.bin", "latin1.txt", "broken.pdf", "scan.pdf"]


@pytest.mark.parametrize("command", ["segment", "draft"])
def test_bad_treaty_input_is_one_line_and_exit_2(tmp_path, command):
    for name in _bad_inputs(tmp_path):
        path = tmp_path / name if name != "." else tmp_path
        result = run(command, path)
        assert result.exit_code == 2, (name, result.output)
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("nlp-coder: error:"), (name, result.stderr)
        assert "Traceback" not in result.output


def test_sheet_errors(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("Nothing here looks like a coding sheet.\n", encoding="utf-8")
    result = run("sheet", note)
    assert result.exit_code == 2 and "no recognisable ATOP questions" in result.stderr
    assert run("sheet").exit_code == 2
    assert run("sheet", "--from-atop", note).exit_code == 2


def test_draft_refuses_non_english():
    result = run("draft", TREATIES / "dutch.txt")
    assert result.exit_code == 2 and "not English" in result.stderr


def test_draft_json_is_deterministic_and_quotes_are_slices():
    first = run("draft", EXAMPLE, "--format", "json")
    second = run("draft", EXAMPLE, "--format", "json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert len(data["answers"]) == 61
    text = json.loads(run("segment", EXAMPLE, "-f", "json").stdout)["text"]
    for answer in data["answers"]:
        for ev in answer["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["quote"]


def test_draft_folder_needs_output_and_reports_failures(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "b.txt").write_bytes(b"")
    assert run("draft", src).exit_code == 2
    result = run("draft", src, "-o", tmp_path / "out", "-f", "csv")
    assert result.exit_code == 1 and "b.txt" in result.stderr  # 1: some items of the batch failed
    assert "drafted 1 of 2 treaties" in result.stderr
    assert (tmp_path / "out" / "a.csv").exists()

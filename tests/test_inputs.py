"""Inputs a user can get wrong: corpus manifests, annotation files, YAML configs, model folders and
evaluation without gold. Each is refused with one line naming the file (and line), exit code 2 on the
command line, never a traceback. Every fixture is written here, in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nlp_coder.cli.common import app
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.errors import ConfigError, InputError
from nlp_coder.learn.corpus import read_manifest
from nlp_coder.learn.labels import read_annotations
from nlp_coder.predictors.model import DEFAULT_MODEL, ModelError, load_model
from nlp_coder.predictors.provisions import load_provisions

runner = CliRunner()

TREATY = (
    "TREATY OF FRIENDSHIP BETWEEN ALPHA AND BETA\n\n"
    "The High Contracting Parties have agreed as follows:\n\n"
    "Article 1\n\nShould either Party be the victim of an armed attack, the other Party shall render it "
    "military assistance.\n\n"
    "Article 2\n\nThis Treaty shall enter into force on the date of signature.\n\n"
    "Done at Testville on 1 May 1990.\n"
)
BINARY = bytes(range(256)) * 4  # NUL bytes and invalid UTF-8 sequences, like an executable


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def assert_user_error(result, *fragments: str) -> str:
    """Exit code 2, no traceback, and exactly one stderr line "nlp-coder: error: ..." holding ``fragments``."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("nlp-coder: error:"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture
def treaty(tmp_path: Path) -> Path:
    path = tmp_path / "treaty.txt"
    path.write_text(TREATY, encoding="utf-8")
    return path


def write_manifest(tmp_path: Path, *rows: object, name: str = "m.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8"
    )
    return path


# --- 1. corpus manifests -------------------------------------------------------------------------

GOOD = {"id": "a", "text": "treaty.txt"}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"id": ["x"], "text": "treaty.txt"}, "id: must be a string, not a list"),
        ({"id": 1, "text": "treaty.txt"}, "id: must be a string, not the integer 1"),
        ({"id": "", "text": "treaty.txt"}, "id: must not be empty"),
        ({"id": "  ", "text": "treaty.txt"}, "id: must not be blank"),
        ({"id": "b"}, "text: required, but missing"),
        ({"id": "b", "text": ""}, "text: must not be empty"),
        ({"id": "b", "text": 7}, "text: must be a string, not the integer 7"),
        (
            {**GOOD, "id": "b", "weak": "false"},
            'weak: must be true or false (a JSON boolean), not the string "false"',
        ),
        ({**GOOD, "id": "b", "weak": 0}, "weak: must be true or false (a JSON boolean), not the integer 0"),
        (
            {**GOOD, "id": "b", "atop_id": 3180.9},
            "atop_id: must be a whole number (a JSON integer), not the number 3180.9",
        ),
        (
            {**GOOD, "id": "b", "atop_id": 3180.0},
            "atop_id: must be a whole number (a JSON integer), not the number 3180.0",
        ),
        (
            {**GOOD, "id": "b", "atop_id": "3180"},
            'atop_id: must be a whole number (a JSON integer), not the string "3180"',
        ),
        (
            {**GOOD, "id": "b", "atop_id": True},
            "atop_id: must be a whole number (a JSON integer), not the boolean true",
        ),
        (
            {**GOOD, "id": "b", "phase": 1.5},
            "phase: must be a whole number (a JSON integer), not the number 1.5",
        ),
        ({**GOOD, "id": "b", "sheet": 5}, "sheet: must be a string, not the integer 5"),
        ({**GOOD, "id": "b", "annotations": ["x"]}, "annotations: must be a string, not a list"),
        ({**GOOD, "id": "b", "note": None}, "note: must be a string, not null"),
        (
            {**GOOD, "id": "b", "sheets": "s.txt"},
            "sheets: unknown key (known keys: annotations, atop_id, id,",
        ),
        (["a", "treaty.txt"], 'each line must be a JSON object {"id": ..., "text": ...}, not a list'),
        ('{"id": "b", "text": "treaty.txt", "id": "c"}', "id: the key is given twice"),
        ("{'id': 'b'}", "not valid JSON"),
        ({"id": "a", "text": "other.txt"}, "id: duplicate id 'a' (first on line 1)"),
    ],
)
def test_manifest_line_is_validated(tmp_path, row, expected):
    manifest = write_manifest(tmp_path, GOOD, row)
    with pytest.raises(InputError) as caught:
        read_manifest(manifest)
    assert str(caught.value).startswith(f"{manifest}:2: {expected}"), str(caught.value)


def test_manifest_ids_1_and_string_1_no_longer_collide_silently(tmp_path):
    manifest = write_manifest(tmp_path, {"id": "1", "text": "t.txt"}, {"id": 1, "text": "u.txt"})
    with pytest.raises(InputError, match=r"m\.jsonl:2: id: must be a string, not the integer 1$"):
        read_manifest(manifest)


def test_valid_manifest_keeps_its_types(tmp_path):
    row = {
        "id": "x-1",
        "text": "t/x.txt",
        "atop_id": 3180,
        "phase": 2,
        "sheet": "s/x.txt",
        "annotations": None,
        "weak": False,
        "note": "ok",
    }
    manifest = write_manifest(tmp_path, row, {"id": "y", "text": "y.txt", "weak": True})
    corpus = read_manifest(manifest)
    x, y = corpus.entries
    assert (x.id, x.atop_id, x.phase, x.weak, x.annotations) == ("x-1", 3180, 2, False, None)
    assert x.text == tmp_path / "t/x.txt" and x.sheet == tmp_path / "s/x.txt" and x.line == 1
    assert y.weak is True and y.line == 2


def test_manifest_error_on_the_command_line(tmp_path):
    manifest = write_manifest(tmp_path, GOOD, {"id": ["x"], "text": "treaty.txt"})
    assert_user_error(run("corpus", "check", manifest), f"{manifest}:2: id: must be a string, not a list")
    manifest = write_manifest(tmp_path, GOOD, {**GOOD, "id": "b", "weak": "false"})
    assert_user_error(run("corpus", "check", manifest), f"{manifest}:2: weak: must be true or false")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BINARY, ":1: cannot read manifest: binary data (a NUL byte), not UTF-8 text"),
        (
            b'{"id": "a", "text": "t.txt"}\n{"id": "caf\xe9", "text": "t.txt"}\n',
            ":2: cannot read manifest: not UTF-8 text (byte 0xe9",
        ),
    ],
    ids=["binary", "latin-1"],
)
def test_binary_or_latin1_manifest(tmp_path, data, expected):
    manifest = tmp_path / "m.jsonl"
    manifest.write_bytes(data)
    with pytest.raises(InputError, match="cannot read manifest"):
        read_manifest(manifest)
    assert_user_error(run("corpus", "check", manifest), f"{manifest}{expected}")
    assert_user_error(run("evaluate", manifest), f"{manifest}{expected}")


# --- 2. annotation files ----------------------------------------------------------------------------

SPAN = {"question": 16, "codes": {"defense": 1}, "start": 0, "end": 10}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({**SPAN, "start": "0"}, 'start: must be a whole number (a JSON integer), not the string "0"'),
        ({**SPAN, "end": 10.5}, "end: must be a whole number (a JSON integer), not the number 10.5"),
        ({**SPAN, "question": 62}, "question: must be less than or equal to 61, not the integer 62"),
        ({**SPAN, "start": -1}, "start: must be greater than or equal to 0"),
        ({**SPAN, "start": 10, "end": 10}, "end (10) must be greater than start (10)"),
        ({**SPAN, "codes": ["defense"]}, "codes: must be a mapping (a JSON object), not a list"),
        (
            {**SPAN, "codes": {"defense": True}},
            "codes.defense: must be a whole number (a JSON integer), not the boolean true",
        ),
        (
            {**SPAN, "positive": "false"},
            'positive: must be true or false (a JSON boolean), not the string "false"',
        ),
        ({**SPAN, "postive": False}, "postive: unknown key"),
        ({"codes": {}, "start": 0, "end": 10}, "question: required, but missing"),
        ({**SPAN, "text_sha256": "abc"}, "text_sha256: must match pattern"),
        ([16, 0, 10], "each line must be a JSON object (one span), not a list"),
        ("16, 0, 10", "not valid JSON"),
    ],
)
def test_annotation_line_is_validated(tmp_path, row, expected):
    path = tmp_path / "ann.jsonl"
    line = row if isinstance(row, str) else json.dumps(row)
    path.write_text(f"# header comment\n{json.dumps(SPAN)}\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_annotations(path)
    assert str(caught.value).startswith(f"{path}:3: {expected}"), str(caught.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (BINARY, ":1: cannot read annotations: binary data (a NUL byte), not UTF-8 text"),
        (
            json.dumps(SPAN).encode() + b'\n{"question": 16, "note": "r\xe9sum\xe9"}\n',
            ":2: cannot read annotations: not UTF-8 text (byte 0xe9",
        ),
    ],
    ids=["binary", "latin-1"],
)
def test_binary_or_latin1_annotations(tmp_path, treaty, data, expected):
    path = tmp_path / "ann.jsonl"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_annotations(path)
    assert str(caught.value).startswith(f"{path}{expected}"), str(caught.value)
    # corpus check lists it as the entry's problem (exit code 2), not a traceback
    manifest = write_manifest(tmp_path, {"id": "a", "text": treaty.name, "annotations": path.name})
    result = run("corpus", "check", manifest)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert f"- annotations: {path}{expected}" in result.stdout


def test_annotations_that_fit_are_read(tmp_path):
    path = tmp_path / "ann.jsonl"
    rows = [SPAN, {**SPAN, "positive": False, "note": "checked", "text_sha256": "0" * 64}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first, second = read_annotations(path)
    assert (first.question, first.start, first.end, first.codes, first.positive) == (
        16,
        0,
        10,
        {"defense": 1},
        True,
    )
    assert second.positive is False
    with pytest.raises(InputError, match=r"ann\.jsonl:2: annotation made on a different text"):
        read_annotations(path, "1" * 64)


# --- 3. configs ---------------------------------------------------------------------------------------


def test_binary_config_is_a_config_error(tmp_path):
    config = tmp_path / "ls"
    config.write_bytes(BINARY)
    assert_user_error(
        run("codebook", "--config", config),
        f"{config}:1: cannot read codebook config: binary data (a NUL byte), not UTF-8 text",
    )
    with pytest.raises(ConfigError, match="binary data"):
        load_provisions(config)


def test_latin1_config_names_the_line(tmp_path):
    config = tmp_path / "codebook.yaml"
    config.write_bytes(b"name: ATOP\nversion: '5.1'\nsections: []  # caf\xe9\n")
    assert_user_error(
        run("codebook", "--config", config),
        f"{config}:3: cannot read codebook config: not UTF-8 text (byte 0xe9",
    )


def _shipped_codebook() -> dict:
    from nlp_coder.codesheet.codebook import DEFAULT_CODEBOOK

    return yaml.safe_load(DEFAULT_CODEBOOK.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda cb: [cb], "a codebook config must be a mapping, not a list"),
        (lambda cb: None, "a codebook config must be a mapping, not null"),
        (
            lambda cb: {**cb, "questions": ["x", *cb["questions"][1:]]},
            'question #1: must be a mapping (a JSON object), not the string "x"',
        ),
        (lambda cb: {**cb, "questions": {"a": 1}}, "questions: must be a list, not a mapping (object)"),
        (lambda cb: {**cb, "columns": [1, 2]}, "columns: must be a mapping (a JSON object), not a list"),
        (lambda cb: {**cb, "sections": "I"}, 'sections: must be a list, not the string "I"'),
        (
            lambda cb: {**cb, "questions": [{**cb["questions"][0], "number": "one"}, *cb["questions"][1:]]},
            'question #1: number: must be a whole number (a JSON integer), not the string "one"',
        ),
        (lambda cb: {**cb, "colums": {}}, "colums: unknown key"),
    ],
)
def test_malformed_codebook_config(tmp_path, edit, expected):
    config = tmp_path / "codebook.yaml"
    config.write_text(yaml.safe_dump(edit(_shipped_codebook())), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_codebook(config)
    assert str(caught.value).startswith(f"{config}: {expected}"), str(caught.value)
    assert_user_error(run("codebook", "--config", config), f"{config}: {expected}")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([1, 2], "a provisions config must be a mapping with 'questions', not a list"),
        ({"questions": [1]}, "questions: must be a mapping (a JSON object), not a list"),
        ({"questions": {16: {"cues": "x"}}}, 'questions.16.cues: must be a list, not the string "x"'),
        (
            {"questions": {16: {"cues": [{"id": "a", "summary": "b", "any": ["("]}]}}},
            "questions.16.cues.0.any: pattern '(' is not a valid regular expression",
        ),
        ({"questions": {16: {"cues": [], "mode": "some"}}}, "questions.16.mode: must be 'first' or 'all'"),
    ],
)
def test_malformed_provisions_config(tmp_path, data, expected):
    config = tmp_path / "provisions.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_provisions(config)
    assert str(caught.value).startswith(f"{config}: {expected}"), str(caught.value)


def test_deeply_nested_yaml_is_refused_not_a_crash(tmp_path):
    config = tmp_path / "deep.yaml"
    config.write_text("- " * 100_000 + "x\n", encoding="utf-8")
    assert_user_error(
        run("codebook", "--config", config), f"{config}: not a usable codebook config (nested too deeply)"
    )


# --- 4. model folders ---------------------------------------------------------------------------------


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL, copy)
    return copy


def edit_meta(folder: Path, change) -> None:
    path = folder / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(meta)), encoding="utf-8")


def _drop(key):
    return lambda meta: {k: v for k, v in meta.items() if k != key}


def test_the_shipped_model_is_named_after_its_folder():
    """Drafts name the model that made them: the shipped one must not carry the name of a folder it was
    trained into elsewhere and copied from."""
    meta = json.loads((DEFAULT_MODEL / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == DEFAULT_MODEL.name


def test_shipped_model_copy_loads(model_copy):
    model = load_model(model_copy)
    assert model.classifiers and model.idf is not None
    assert model.meta == json.loads((DEFAULT_MODEL / "meta.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda meta: [meta], "meta.json: must be a JSON object, not a list"),
        (_drop("files"), "meta.json: files: required, but missing"),
        (lambda meta: {**meta, "files": {}}, "meta.json: files: lists no files, so nothing could be checked"),
        (
            lambda meta: {**meta, "files": None},
            "meta.json: files: must be a mapping (a JSON object), not null",
        ),
        (
            lambda meta: {**meta, "targets": {**meta["targets"], "q99": {**meta["targets"]["q6"]}}},
            "meta.json: targets: q99: its weight files are not in files (weights/q99/coef_index.npy",
        ),
        (
            lambda meta: {**meta, "targets": {**meta["targets"], "../x": {**meta["targets"]["q6"]}}},
            "meta.json: targets: target name '../x' cannot be a folder under weights/",
        ),
        (
            lambda meta: {
                **meta,
                "targets": {**meta["targets"], "q6": {**meta["targets"]["q6"], "winner": "both"}},
            },
            "meta.json: targets.q6.winner: must be 'model' or 'rules'",
        ),
        (
            lambda meta: {**meta, "seed": "0"},
            'meta.json: seed: must be a whole number (a JSON integer), not the string "0"',
        ),
        (
            lambda meta: {**meta, "format": "nlp-coder-model/9"},
            "meta.json: format: unknown model format 'nlp-coder-model/9'",
        ),
        (
            lambda meta: {**meta, "files": {**meta["files"], "../meta.json": "0" * 64}},
            "meta.json: files: '../meta.json' is not a path under weights/",
        ),
    ],
)
def test_edited_meta_json_is_refused(model_copy, change, expected):
    edit_meta(model_copy, change)
    with pytest.raises(ModelError) as caught:
        load_model(model_copy)
    assert str(caught.value).startswith(f"{model_copy}/{expected}"), str(caught.value)


def test_meta_json_refused_on_the_command_line(model_copy, treaty):
    edit_meta(model_copy, lambda meta: [meta])
    assert_user_error(
        run("draft", treaty, "--model", model_copy), f"{model_copy}/meta.json: must be a JSON object"
    )
    shutil.copy(DEFAULT_MODEL / "meta.json", model_copy / "meta.json")
    edit_meta(model_copy, _drop("files"))
    assert_user_error(run("draft", treaty, "--model", model_copy), f"{model_copy}/meta.json: files: required")


def test_weight_files_must_match_files_exactly(model_copy):
    # a weight file left out of "files" is refused (no longer silently unchecked)
    edit_meta(
        model_copy,
        lambda meta: {
            **meta,
            "files": {k: v for k, v in meta["files"].items() if k != "weights/q6/coef_value.npy"},
        },
    )
    with pytest.raises(
        ModelError,
        match=r"meta\.json: targets: q6: its weight files are not in files \(weights/q6/coef_value\.npy\)$",
    ):
        load_model(model_copy)
    shutil.copy(DEFAULT_MODEL / "meta.json", model_copy / "meta.json")
    edit_meta(
        model_copy,
        lambda meta: {**meta, "files": {k: v for k, v in meta["files"].items() if k != "weights/idf.npy"}},
    )
    with pytest.raises(ModelError, match=r"files: weights/idf\.npy is not listed"):
        load_model(model_copy)
    # a file added under weights/ after training is refused
    shutil.copy(DEFAULT_MODEL / "meta.json", model_copy / "meta.json")
    (model_copy / "weights" / "q6" / "extra.npy").write_bytes(
        (model_copy / "weights" / "q6" / "coef_value.npy").read_bytes()
    )
    with pytest.raises(ModelError, match=r"weights/q6/extra\.npy not listed in meta\.json files"):
        load_model(model_copy)
    # a target whose weight folder is gone
    shutil.rmtree(model_copy / "weights" / "q6")
    with pytest.raises(ModelError, match=r"missing model file weights/q6/"):
        load_model(model_copy)


def test_binary_meta_json(model_copy):
    (model_copy / "meta.json").write_bytes(BINARY)
    with pytest.raises(ModelError, match=r"meta\.json:1: cannot read model metadata: binary data"):
        load_model(model_copy)


# --- 5. evaluate without gold -------------------------------------------------------------------------


def _no_drafting(monkeypatch):
    import nlp_coder.learn.evaluate as ev

    def fail(*args, **kwargs):
        raise AssertionError("drafted although there is no gold")

    monkeypatch.setattr(ev, "draft_json", fail)
    monkeypatch.setattr(ev, "cross_validated", fail)


def test_evaluate_without_gold_exits_2_before_drafting(tmp_path, treaty, monkeypatch):
    from nlp_coder.learn.evaluate import evaluate

    _no_drafting(monkeypatch)
    manifest = write_manifest(tmp_path, {"id": "a", "text": treaty.name}, {"id": "b", "text": treaty.name})
    expected = f"{manifest}: no gold to score against: give --atop-csv for entries with atop_id, or sheets"
    line = assert_user_error(run("evaluate", manifest), expected)
    assert "(no entry has an atop_id or a sheet)" in line
    assert "acc None" not in runner.invoke(app, ["evaluate", str(manifest)]).stdout
    with pytest.raises(InputError, match="no gold to score against"):
        evaluate(manifest)
    with pytest.raises(InputError, match="no gold to score against"):
        evaluate(manifest, drafts=tmp_path)  # drafts are scored, never gold


def test_evaluate_with_atop_ids_but_no_csv(tmp_path, treaty, monkeypatch):
    _no_drafting(monkeypatch)
    manifest = write_manifest(
        tmp_path, {"id": "a", "text": treaty.name, "atop_id": 9001}, {"id": "b", "text": treaty.name}
    )
    assert_user_error(
        run("evaluate", manifest, "--no-cv"),
        "no gold to score against: give --atop-csv for entries with atop_id, or sheets",
        "(no entry has a sheet, and no ATOP csv was given for the 1 with an atop_id)",
    )


def test_evaluate_with_gold_still_runs(tmp_path, treaty):
    from nlp_coder.learn.evaluate import evaluate

    manifest = write_manifest(tmp_path, {"id": "a", "text": treaty.name, "atop_id": 9001})
    atop_csv = tmp_path / "atop.csv"
    atop_csv.write_text("atopid,defense,consul\n9001,1,0\n", encoding="utf-8")
    result = evaluate(manifest, atop_csv=atop_csv, cv=False, model_path=None)
    assert result["systems"]["rules"]["overall"]["acc"] is not None

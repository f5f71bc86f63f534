"""Property tests over the whole command line: any bytes, any encoding, any manifest, and every command
ends with exit code 0 or 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import EXAMPLE
from nlp_coder.cli.common import app

runner = CliRunner()
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]
SUFFIXES = [".txt", ".md", ".html", ".pdf", ".xml", ".jsonl", ".yaml", ".csv"]


def assert_clean(result, *codes: int) -> None:
    allowed = codes or (0, 2)
    assert result.exit_code in allowed, (result.exit_code, result.output)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert lines and lines[-1].startswith("nlp-coder: error:"), result.stderr


def invoke(*args) -> object:
    return runner.invoke(app, [str(a) for a in args])


texts = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=400
) | st.sampled_from(
    ["", "Article 1\n\nThe Parties shall consult.", EXAMPLE.read_text(encoding="utf-8")[:2000]]
)
contents = st.binary(max_size=600) | st.tuples(texts, st.sampled_from(ENCODINGS)).map(
    lambda pair: pair[0].encode(pair[1], errors="replace")
)


@FUZZ
@given(data=contents, suffix=st.sampled_from(SUFFIXES))
def test_file_commands_take_any_bytes(tmp_path_factory, data, suffix):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    for args in (
        ["segment", path],
        ["draft", path, "--rules-only"],
        ["sheet", path],
        ["codebook", "--config", path],
        ["sheet", "--from-atop", path, "--id", "1"],
    ):
        assert_clean(invoke(*args))
    assert path.read_bytes() == data  # an input is never touched


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
KEYS = ["id", "text", "atop_id", "phase", "sheet", "annotations", "weak", "note", "extra"]
rows = st.dictionaries(st.sampled_from(KEYS), json_values | st.sampled_from(["t.txt", "a.jsonl"]), max_size=7)
manifests = st.lists(rows.map(json.dumps) | st.text(max_size=40), min_size=0, max_size=4).map("\n".join)


def _fixture_files(folder: Path) -> None:
    (folder / "t.txt").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "a.jsonl").write_bytes(b'{"question": 16, "start": 0, "end": 5}\n\xff\xfe')


@FUZZ
@given(manifest=manifests, encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_learning_commands_take_any_manifest(tmp_path_factory, manifest, encoding):
    folder = tmp_path_factory.mktemp("manifest")
    _fixture_files(folder)
    path = folder / "corpus.jsonl"
    path.write_bytes(manifest.encode(encoding, errors="replace"))
    assert_clean(invoke("corpus", "check", path))
    assert_clean(invoke("evaluate", path, "--no-cv"))
    # train needs a gold label to learn from; any manifest must end cleanly, with or without a model
    assert_clean(invoke("train", path, "-o", folder / "model"))

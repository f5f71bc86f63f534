"""Every team annotation file fits the treaty it was made on: same text (sha256), spans inside it."""

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from nlp_coder.learn.labels import read_annotations

ANNOTATIONS = ROOT / "corpora" / "annotations"
FILES = sorted(ANNOTATIONS.glob("*.jsonl"))
_SOURCE = re.compile(r"^#\s*source:\s*\.\./shared/data/(\S+)", re.M)


def _source(path: Path) -> Path | None:
    m = _SOURCE.search(path.read_text(encoding="utf-8"))
    return SHARED / m.group(1) if m else None


def test_there_are_annotation_files():
    assert FILES, "corpora/annotations holds the team's annotations"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_annotation_lines_are_well_formed(path):
    from nlp_coder.codesheet.codebook import load_codebook

    columns = set(load_codebook().columns)
    rows = [
        json.loads(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rows
    assert _source(path) is not None, "the header names the treaty file the offsets refer to"
    assert len({r["text_sha256"] for r in rows}) == 1
    for r in rows:
        assert 1 <= r["question"] <= 61
        assert isinstance(r["codes"], dict)
        assert set(r["codes"]) <= columns, r
        assert len(r.get("note", "")) < 200


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_annotations_fit_their_treaty(path):
    from nlp_coder.text.treaty import load_treaty

    source = _source(path)
    if not SHARED.is_dir() or source is None or not source.exists():
        pytest.skip(f"the treaty text ({source}) is not present on this machine (../shared/data)")
    treaty = load_treaty(source)
    labels = read_annotations(path, treaty.sha256)
    assert labels
    for lab in labels:
        assert 0 <= lab.start < lab.end <= len(treaty.text), lab
        assert treaty.text[lab.start : lab.end].strip(), lab

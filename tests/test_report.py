"""The evaluation report folder: five files, readable summary, reproducible plots."""

from __future__ import annotations

import json

import pytest

from nlp_coder.learn.metrics import coverage_curve, reliability
from nlp_coder.learn.report import write_report

pytest.importorskip("matplotlib")

FILES = ["metrics.json", "summary.md", "reliability.png", "coverage.png", "columns.png"]
PNGS = FILES[2:]


def small_metrics() -> dict:
    conf = [0.95, 0.9, 0.85, 0.7, 0.65, 0.6, 0.4, 0.3]
    ok = [1, 1, 1, 0, 1, 1, 0, 0]
    column = {"n": 8, "acc": 0.75, "p": 0.8, "r": 0.6667, "f": 0.7273, "kappa": 0.4667, "ac1": 0.5}
    return {
        "corpus": {"treaties": 8, "gold": "atop-sample"},
        "first_system": "model",
        "systems": {
            "model": {
                "overall": {
                    "acc": 0.75,
                    "macro_f": 0.7,
                    "kappa": 0.45,
                    "ac1": 0.5,
                    "ece": 0.12,
                    "brier": 0.18,
                    "coverage95": 0.375,
                },
                "columns": {"defense": column, "offense": {**column, "f": None, "p": None}},
                "calibration": reliability(conf, ok, n_bins=5),
                "coverage": coverage_curve(conf, ok),
            },
            "rules": {
                "overall": {
                    "acc": 0.625,
                    "macro_f": 0.5,
                    "kappa": 0.2,
                    "ac1": 0.3,
                    "ece": None,
                    "brier": None,
                },
                "columns": {"defense": {**column, "acc": 0.625, "f": 0.5}, "offense": {**column, "f": 0.4}},
                "calibration": None,
                "coverage": None,
            },
            "prior": {
                "overall": {"acc": 0.5, "macro_f": None, "kappa": 0.0, "ac1": 0.1},
                "columns": {"defense": {**column, "acc": 0.5, "f": None}},
                "calibration": None,
                "coverage": None,
            },
        },
    }


def test_write_report_files(tmp_path):
    metrics = small_metrics()
    paths = write_report(metrics, tmp_path / "report")
    assert [p.name for p in paths] == FILES
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    # no temporary files left behind
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == sorted(FILES)

    text = (tmp_path / "report" / "metrics.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and json.loads(text) == metrics
    assert text == json.dumps(metrics, sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    summary = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    for name in ("model", "rules", "prior"):
        assert name in summary
    assert "| model | 0.7500 |" in summary
    assert "–" in summary  # None values
    assert "## Calibration" in summary and "| [0.8, 1] | 3 | 0.9000 | 1.0000 |" in summary
    assert "| [0, 0.2) | 0 | – | – |" in summary

    for png in PNGS:
        data = (tmp_path / "report" / png).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"Software" not in data


def test_pngs_are_byte_identical(tmp_path):
    metrics = small_metrics()
    write_report(metrics, tmp_path / "a")
    write_report(metrics, tmp_path / "b")
    write_report(metrics, tmp_path / "a")  # overwriting in place
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_write_report_without_systems(tmp_path):
    paths = write_report({"corpus": {}, "systems": {}, "first_system": None}, tmp_path)
    assert [p.name for p in paths] == FILES
    assert "No systems." in (tmp_path / "summary.md").read_text(encoding="utf-8")

"""Shared fixtures: the team's toy treaties, and ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TREATIES = FIXTURES / "treaties"
SHARED = ROOT.parent / "shared" / "data"
EXAMPLE = ROOT / "examples" / "veloria_ostmark_treaty.txt"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present on this machine")


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED


def make_pdf(path: Path, lines: list[str]) -> Path:
    """Write a minimal one-page PDF with ``lines`` of Helvetica text (no dependency needed)."""
    ops = ["BT", "/F1 11 Tf", "72 760 Td", "14 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@pytest.fixture(autouse=True)
def small_clause_bank(monkeypatch):
    """Training in tests learns its semantic heads from a small team-written clause bank (the shipped one
    takes minutes to embed and to calibrate on)."""
    import nlp_coder.learn.clauses as clauses

    monkeypatch.setattr(clauses, "DEFAULT_CLAUSES", FIXTURES / "clauses_small.jsonl")

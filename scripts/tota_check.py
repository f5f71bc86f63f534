"""Check article segmentation against the ToTA trade-agreement corpus.

What it measures: for every English treaty in ``tota/xml`` (meta ``<language>en</language>``) the script
rebuilds the plain text a printed edition would show with :func:`nlp_coder.tota.read_tota_xml` (the
reader of ``.xml`` treaty files) - the treaty name as a title line, a ``CHAPTER n Name`` line per
numbered chapter, and per article a heading line ``<number> <name>`` followed by its text (runs of two
or more spaces, the corpus's paragraph breaks, become newlines; unnumbered preamble articles are text
only). It runs :func:`nlp_coder.segment.segment` on that text
and compares the number of ``article`` parts found (top-level and nested) with the number of
``<article>`` elements that carry a ``number`` attribute.

It reports the share of treaties whose count matches exactly, within ±1 and within 5%, the total
time, and the worst mismatches with the heading formats their numbers use. Texts are built in
memory only; nothing is written except the optional ``--json`` report.

    python3 scripts/tota_check.py [--data DIR] [--limit N] [--worst 25] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from nlp_coder.text.reader import decode_text
from nlp_coder.text.segment import segment
from nlp_coder.text.tota import read_tota_xml

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "treaties" / "tota" / "xml"
_WORDS = (
    "ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|THIRTEEN|FOURTEEN|FIFTEEN|"
    "SIXTEEN|SEVENTEEN|EIGHTEEN|NINETEEN|TWENTY|THIRTY|FORTY|FIFTY"
)


def heading_format(number: str) -> str:
    """The shape of a heading number: digits become 9, Roman numerals R, letter prefixes A, words W."""
    shape = re.sub(r"\d+", "9", number.strip())
    shape = re.sub(rf"\b(?:{_WORDS})(?:-(?:{_WORDS}))?\b", "W", shape, flags=re.I)
    shape = re.sub(r"\b[IVXLC]+\b(?!-9)", "R", shape)
    return re.sub(r"\b[A-Z]{1,3}(?=-9)", "A", shape)


def rebuild(path: Path) -> tuple[str, list[str], str, str]:
    """The printed text of a treaty file, the ``number`` attributes of its articles in order, and its
    meta name and language (as :func:`nlp_coder.tota.read_tota_xml` reads them)."""
    doc = read_tota_xml(decode_text(path, path.read_bytes()), str(path))
    return doc.text, doc.numbers, doc.name, doc.language


def check_file(path: Path) -> dict | None:
    """Per-file result, or None when the treaty is not in English."""
    text, numbers, name, language = rebuild(path)
    if language != "en":
        return None
    formats = list(dict.fromkeys(heading_format(n) for n in numbers))
    t0 = time.perf_counter()
    parts = segment(text)
    seconds = time.perf_counter() - t0
    articles = [p for p in parts if p.kind == "article"]
    return {
        "file": path.name,
        "name": name,
        "expected": len(numbers),
        "found": len(articles),
        "nested": sum(p.parent is not None for p in articles),
        "containers": sum(p.kind in ("annex", "protocol") for p in parts),
        "formats": formats[:3],
        "chars": len(text),
        "seconds": round(seconds, 3),
    }


def _share(rows: list[dict], ok) -> str:
    hits = sum(1 for r in rows if ok(r["expected"], r["found"]))
    return f"{hits}/{len(rows)} ({100 * hits / len(rows):.1f}%)" if rows else "0/0"


def report(rows: list[dict], elapsed: float, worst: int) -> str:
    lines = [
        f"English treaties:  {len(rows)}",
        f"exact match:       {_share(rows, lambda e, f: e == f)}",
        f"within ±1:         {_share(rows, lambda e, f: abs(e - f) <= 1)}",
        f"within 5%:         {_share(rows, lambda e, f: abs(e - f) <= 0.05 * e)}",
        f"articles expected: {sum(r['expected'] for r in rows)}, found: {sum(r['found'] for r in rows)}",
        f"time: {elapsed:.1f}s total, {sum(r['seconds'] for r in rows):.1f}s in segment()",
    ]
    bad = [r for r in rows if r["found"] != r["expected"]]
    bad.sort(key=lambda r: (abs(r["found"] - r["expected"]), -r["expected"]), reverse=True)
    if bad:
        lines += [
            "",
            f"worst {min(worst, len(bad))} of {len(bad)} mismatches:",
            f"{'file':<14}{'expected':>9}{'found':>7}{'diff':>7}  formats",
        ]
        for r in bad[:worst]:
            diff, formats = r["found"] - r["expected"], " | ".join(r["formats"])
            lines.append(f"{r['file']:<14}{r['expected']:>9}{r['found']:>7}{diff:>+7}  {formats}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of ToTA XML files")
    ap.add_argument("--limit", type=int, help="only the first N files, sorted by name")
    ap.add_argument("--worst", type=int, default=25, help="how many mismatches to list (default 25)")
    ap.add_argument("--json", type=Path, help="write the per-file results to this JSON file")
    args = ap.parse_args(argv)

    files = sorted(args.data.glob("*.xml"), key=lambda p: p.name)
    if args.limit is not None:
        files = files[: args.limit]
    if not files:
        print(f"no XML files in {args.data}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    rows = [r for path in files if (r := check_file(path)) is not None]
    elapsed = time.perf_counter() - t0
    print(report(rows, elapsed, args.worst))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

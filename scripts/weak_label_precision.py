"""Precision of the heading weak labels (configs/weak_labels.yaml), from hand judgements.

Runs :func:`nlp_coder.weak.weak_labels` over every English treaty of the ToTA corpus (``tota/xml``,
meta ``<language>en</language>``), counts the labels per question, and reads the hand judgements in
``corpora/weak_label_check.jsonl`` (one line per judged label: ``file``, ``article`` - the ``number``
attribute of the ToTA article -, ``question``, ``correct``, ``note``) to report precision per question
and overall. Judged labels the current rules no longer produce are listed as stale.

``--draw N`` instead prints a seeded random sample of N labels to judge, as JSONL lines with
``correct: null``: at least ``--per-question`` of each question where the corpus has that many (even
when that takes the sample past N), any rest spread in proportion to the counts. The judge reads each
article in the shared corpus and fills in ``correct`` and a short ``note`` (never quoting the text).
The sample in corpora/weak_label_check.jsonl was drawn with ``--draw 120 --seed 7``: 14 questions have
labels, two of them fewer than 10, so it holds 135 labels.

    python3 scripts/weak_label_precision.py [--data DIR] [--check FILE] [--json PATH]
    python3 scripts/weak_label_precision.py --draw 120 --seed 7 > /tmp/sample.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from pathlib import Path

from nlp_coder.learn.weak import load_weak_rules, weak_labels
from nlp_coder.text.reader import decode_text
from nlp_coder.text.tota import read_tota_xml
from nlp_coder.text.treaty import load_treaty

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "treaties" / "tota" / "xml"
DEFAULT_CHECK = ROOT / "corpora" / "weak_label_check.jsonl"


def corpus_labels(data: Path, rules_path: Path | None = None) -> list[dict]:
    """Every weak label over the English ToTA treaties: file, article number, question, offsets."""
    rules = load_weak_rules(rules_path)
    rows: list[dict] = []
    for path in sorted(data.glob("*.xml"), key=lambda p: p.name):
        doc = read_tota_xml(decode_text(path, path.read_bytes()), str(path))
        if doc.language != "en":
            continue
        treaty = load_treaty(path)
        starts = [a.start for a in doc.articles]
        for label in weak_labels(treaty, rules):
            k = bisect_right(starts, label.start) - 1
            article = doc.articles[k].number.strip() if k >= 0 else "?"
            rows.append(
                {
                    "file": path.name,
                    "article": article,
                    "question": label.question,
                    "start": label.start,
                    "end": label.end,
                }
            )
    return rows


def draw(rows: list[dict], n: int, per_question: int, seed: int) -> list[dict]:
    """A seeded sample of ``n`` labels: ``per_question`` of each question (all where fewer), the rest
    in proportion to how many labels each question has."""
    rng = random.Random(seed)
    by_q: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_q[row["question"]].append(row)
    quota = {q: min(per_question, len(v)) for q, v in by_q.items()}
    left = n - sum(quota.values())
    total = sum(len(v) - quota[q] for q, v in by_q.items())
    if left > 0 and total:
        shares = {q: left * (len(v) - quota[q]) / total for q, v in by_q.items()}
        extra = {q: int(s) for q, s in shares.items()}
        for q in sorted(shares, key=lambda q: shares[q] - extra[q], reverse=True)[
            : left - sum(extra.values())
        ]:
            extra[q] += 1
        for q in quota:
            quota[q] = min(len(by_q[q]), quota[q] + extra[q])
    sample: list[dict] = []
    for q in sorted(by_q):
        sample += rng.sample(by_q[q], quota[q])
    return sample


def read_check(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row.get("correct"), bool):
            raise SystemExit(f"{path}:{n}: 'correct' must be true or false")
        rows.append(row)
    return rows


def precision_report(rows: list[dict], judged: list[dict]) -> dict:
    counts = Counter(r["question"] for r in rows)
    produced = {(r["file"], r["article"], r["question"]) for r in rows}
    per_q: dict[int, list[bool]] = defaultdict(list)
    stale = []
    for j in judged:
        key = (j["file"], j["article"], int(j["question"]))
        if key not in produced:
            stale.append(key)
            continue
        per_q[int(j["question"])].append(bool(j["correct"]))
    questions = sorted(set(counts) | set(per_q))
    table = []
    for q in questions:
        marks = per_q.get(q, [])
        table.append(
            {
                "question": q,
                "labels": counts.get(q, 0),
                "judged": len(marks),
                "correct": sum(marks),
                "precision": round(sum(marks) / len(marks), 3) if marks else None,
            }
        )
    all_marks = [m for marks in per_q.values() for m in marks]
    # Precision weighted by how many labels each question has (the sample over-represents rare ones).
    weighted = sum(counts[q] * sum(m) / len(m) for q, m in per_q.items() if m and counts.get(q)) / max(
        1, sum(counts[q] for q, m in per_q.items() if m and counts.get(q))
    )
    return {
        "questions": table,
        "labels": len(rows),
        "judged": len(all_marks),
        "correct": sum(all_marks),
        "precision": round(sum(all_marks) / len(all_marks), 3) if all_marks else None,
        "precision_weighted_by_labels": round(weighted, 3) if all_marks else None,
        "stale": [list(s) for s in stale],
    }


def format_report(rep: dict) -> str:
    lines = [f"{'question':>8}{'labels':>8}{'judged':>8}{'correct':>9}{'precision':>11}"]
    for row in rep["questions"]:
        p = "-" if row["precision"] is None else f"{row['precision']:.2f}"
        lines.append(f"{row['question']:>8}{row['labels']:>8}{row['judged']:>8}{row['correct']:>9}{p:>11}")
    p = "-" if rep["precision"] is None else f"{rep['precision']:.3f}"
    lines.append(f"{'all':>8}{rep['labels']:>8}{rep['judged']:>8}{rep['correct']:>9}{p:>11}")
    if rep["precision_weighted_by_labels"] is not None:
        lines.append(
            f"precision weighted by each question's label count: {rep['precision_weighted_by_labels']:.3f}"
        )
    if rep["stale"]:
        lines.append(
            f"{len(rep['stale'])} judged label(s) no longer produced by the rules: {rep['stale'][:5]}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of ToTA XML files")
    ap.add_argument("--rules", type=Path, help="weak-label rules (default configs/weak_labels.yaml)")
    ap.add_argument("--check", type=Path, default=DEFAULT_CHECK, help="hand judgements (JSONL)")
    ap.add_argument("--json", type=Path, help="write the report as JSON to this file")
    ap.add_argument("--draw", type=int, help="print a sample of this many labels to judge, and stop")
    ap.add_argument("--per-question", type=int, default=10, help="sample at least this many per question")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    if not args.data.is_dir():
        print(f"no ToTA folder at {args.data}", file=sys.stderr)
        return 1
    rows = corpus_labels(args.data, args.rules)
    if args.draw:
        for row in draw(rows, args.draw, args.per_question, args.seed):
            out = {k: row[k] for k in ("file", "article", "question")}
            print(json.dumps({**out, "correct": None, "note": ""}, ensure_ascii=False))
        return 0
    judged = read_check(args.check) if args.check.exists() else []
    rep = precision_report(rows, judged)
    print(format_report(rep))
    if args.json:
        args.json.write_text(json.dumps(rep, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

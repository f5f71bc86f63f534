"""Benchmark drafting end to end: the import floor, one draft, folders of 10, 100 and all English ToTA
agreements at ``--jobs 1`` and ``--jobs 2``, and one text grown from 10 KB to 10 MB.

Every figure comes from the real command run in a subprocess: wall time (median of ``--runs`` for the
single drafts), treaties and MB per second, and the peak of the summed resident memory of the command and
all its worker processes (sampled every 50 ms from /proc). Folders are English ToTA agreements from
../shared (the first N by number); without ../shared they are copies of the example treaty.

    python scripts/bench_draft.py [--runs 3] [--sizes 10 100 all] [--grow-mb 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "veloria_ostmark_treaty.txt"
SHARED = ROOT.parent / "shared" / "data" / "treaties"
TOTA = SHARED / "tota" / "xml"
NATO = SHARED / "nl_verdragenbank" / "north_atlantic_treaty_1949_en.md"


def _tree_rss_kb(root: int) -> int:
    """Summed resident memory of ``root`` and its descendants, in kB (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in tree)


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak summed resident MB of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return seconds, peak / 1024


def timed(cmd: list[str], runs: int) -> dict:
    results = [run(cmd) for _ in range(runs)]
    return {
        "median_s": round(statistics.median(s for s, _ in results), 3),
        "runs": runs,
        "peak_mb": round(max(m for _, m in results), 1),
    }


def interleaved(first: list[str], second: list[str], runs: int) -> dict:
    """Both commands run in turn, ``runs`` times each (so a change in the machine's load hits both alike):
    their medians and the ratio of the second to the first."""
    a, b = [], []
    for _ in range(runs):
        a.append(run(first)[0])
        b.append(run(second)[0])
    ma, mb = statistics.median(a), statistics.median(b)
    return {
        "floor_median_s": round(ma, 3),
        "draft_median_s": round(mb, 3),
        "ratio": round(mb / ma, 2),
        "runs": runs,
    }


def english_tota() -> list[Path]:
    import xml.etree.ElementTree as ET

    out = []
    for path in sorted(TOTA.glob("*.xml"), key=lambda p: int(p.stem.split("_")[1])):
        if (ET.parse(path).getroot().findtext("meta/language") or "").strip() == "en":
            out.append(path)
    return out


def make_folder(folder: Path, files: list[Path], n: int) -> None:
    folder.mkdir()
    if files:
        for path in files[:n]:
            os.symlink(path, folder / path.name)
    else:
        for i in range(n):
            shutil.copy(EXAMPLE, folder / f"treaty_{i:03d}.txt")


def grown_text(target_bytes: int) -> str:
    """The example treaty's articles repeated (and renumbered) until the text has ``target_bytes``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    head, _, rest = text.partition("Article 1")
    articles = re.split(r"\n(?=Article \d+)", "Article 1" + rest)
    body, n = [], 0
    while len(head) + sum(map(len, body)) < target_bytes:
        for article in articles:
            n += 1
            body.append(re.sub(r"^Article \d+", f"Article {n}", article) + "\n")
    return head + "".join(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", nargs="*", default=["10", "100", "all"])
    parser.add_argument("--jobs", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--grow-mb", type=float, default=10.0, help="largest grown text (0: skip)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cli = shutil.which("nlp-coder") or sys.exit("nlp-coder is not installed (pip install -e .)")
    report: dict[str, dict] = {}

    def show(name: str, figures: dict) -> None:
        report[name] = figures
        print(f"{name:42s} {json.dumps(figures)}", flush=True)

    show("import spacy, sklearn (floor)", timed([sys.executable, "-c", "import spacy, sklearn"], args.runs))
    show("nlp-coder --help", timed([cli, "--help"], args.runs))
    show("draft example", timed([cli, "draft", str(EXAMPLE), "-f", "json"], args.runs))
    if NATO.is_file():
        show("draft NATO 1949", timed([cli, "draft", str(NATO), "-f", "json"], args.runs))
        floor = [sys.executable, "-c", "import spacy, sklearn"]
        show(
            "NATO draft / floor, interleaved",
            interleaved(floor, [cli, "draft", str(NATO), "-f", "json"], max(args.runs, 5)),
        )
    files = english_tota() if TOTA.is_dir() else []
    with tempfile.TemporaryDirectory() as tmp:
        if files:
            largest = max(files[:100], key=lambda p: p.stat().st_size)
            show(
                f"draft largest of 100 ({largest.name})", timed([cli, "draft", str(largest), "-f", "json"], 1)
            )
        for size in args.sizes:
            n = len(files) if size == "all" else int(size)
            if size == "all" and not files:
                continue
            src = Path(tmp, f"in{n}")
            make_folder(src, files, n)
            mb = sum(p.stat().st_size for p in src.iterdir()) / 1e6
            for jobs in args.jobs:
                out = Path(tmp, f"out{n}-{jobs}")
                seconds, peak = run(
                    [cli, "draft", str(src), "-o", str(out), "-f", "json", "--jobs", str(jobs)]
                )
                show(
                    f"folder of {n} ({mb:.1f} MB), --jobs {jobs}",
                    {
                        "s": round(seconds, 1),
                        "treaties_per_s": round(n / seconds, 2),
                        "mb_per_s": round(mb / seconds, 3),
                        "peak_mb": round(peak, 1),
                    },
                )
        size = 10_000
        while args.grow_mb and size <= args.grow_mb * 1_000_000:
            path = Path(tmp, f"grown_{size}.txt")
            path.write_text(grown_text(size), encoding="utf-8")
            seconds, peak = run([cli, "draft", str(path), "-f", "json", "--max-size", "0"])
            show(
                f"one text of {size / 1e6:g} MB",
                {
                    "s": round(seconds, 2),
                    "s_per_mb": round(seconds / (size / 1e6), 2),
                    "peak_mb": round(peak, 1),
                },
            )
            size *= 10
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

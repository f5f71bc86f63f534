"""Benchmark drafting end to end: start-up floor, one `nlp-coder draft`, and a folder of 100 treaties.

Each figure is the median wall time of a few runs of the real command in a subprocess, with the peak
resident memory of the child. The folder holds 100 treaties: English ToTA agreements rebuilt from
../shared when it is there (real sizes, 2-60 pages), otherwise copies of the example treaty.

    python scripts/bench_draft.py [--runs 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "veloria_ostmark_treaty.txt"
TOTA = ROOT.parent / "shared" / "data" / "treaties" / "tota" / "xml"


_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def timed(cmd: list[str], runs: int) -> dict:
    """Median wall time and peak resident memory of ``cmd``, each run measured in a fresh parent."""
    times, peaks = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _MEASURE, *cmd], check=True, capture_output=True, text=True
        )
        seconds, rss_kb = out.stdout.split()
        times.append(float(seconds))
        peaks.append(int(rss_kb))
    return {
        "median_s": round(statistics.median(times), 3),
        "runs": runs,
        "peak_rss_mb": round(max(peaks) / 1024, 1),
    }


def make_folder(folder: Path, n: int = 100) -> str:
    if TOTA.is_dir():
        import xml.etree.ElementTree as ET

        count = 0
        for path in sorted(TOTA.glob("*.xml"), key=lambda p: int(p.stem.split("_")[1])):
            if (ET.parse(path).getroot().findtext("meta/language") or "").strip() == "en":
                shutil.copy(path, folder / path.name)
                count += 1
                if count == n:
                    break
        return f"{count} English ToTA agreements (XML)"
    for i in range(n):
        shutil.copy(EXAMPLE, folder / f"treaty_{i:03d}.txt")
    return f"{n} copies of the example treaty"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cli = shutil.which("nlp-coder") or sys.exit("nlp-coder is not installed (pip install -e .)")
    report = {
        "import spacy, sklearn (floor)": timed([sys.executable, "-c", "import spacy, sklearn"], args.runs),
        "nlp-coder --help": timed([cli, "--help"], args.runs),
        "draft example (json)": timed([cli, "draft", str(EXAMPLE), "-f", "json"], args.runs),
    }
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp, "in"), Path(tmp, "out")
        src.mkdir()
        what = make_folder(src)
        size = sum(p.stat().st_size for p in src.iterdir())
        result = timed([cli, "draft", str(src), "-o", str(out), "-f", "json"], 1)
        result["input"] = f"{what}, {size / 1e6:.1f} MB"
        report["draft folder of 100"] = result
    for name, figures in report.items():
        print(f"{name:32s} {figures}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

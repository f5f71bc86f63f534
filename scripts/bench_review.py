"""Benchmark the review workspace: how long the treaty page takes to load for a ~200 KB treaty, and how many
bytes the review database holds per treaty.

- The 200 KB treaty is synthetic: the example treaty's articles (written by the team) repeated with their
  numbers, the parties' order and the cross-references varied, between its title and preamble and its final
  clauses.
- Both treaties are drafted into a new database by the real ``nlp-coder review add`` (default model unless
  ``--rules-only``); the database's size is read after each, with its WAL checkpointed.
- The page is served by the real ``nlp-coder review serve`` in a subprocess. Page load, server side: the three
  requests the page makes (the HTML, ``/api/treaties/{id}``, ``/api/codebook``), median of ``--runs``. Page
  load in the browser (Debian's headless Chromium, when installed): from the start of navigation to the
  moment the text and the 61 questions are on the page (the page's ``review-ready`` performance mark), a fresh
  load each run, median of ``--runs``.
- History: bytes per change, from ``--changes`` saves through the API.

    python scripts/bench_review.py [--kb 200] [--runs 5] [--changes 200] [--rules-only] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "veloria_ostmark_treaty.txt"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TOKEN = "bench-review-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def synthetic_treaty(kb: float) -> str:
    """About ``kb`` KB of treaty: the example's articles repeated and varied, renumbered in order."""
    text = EXAMPLE.read_text(encoding="utf-8")
    heads = list(re.finditer(r"^Article (\d+)\n", text, re.M))
    opening = text[: heads[0].start()]
    final_at = text.index("Done at")
    bodies = [
        text[h.end() : (heads[i + 1].start() if i + 1 < len(heads) else final_at)]
        for i, h in enumerate(heads)
    ]
    swaps = [
        ("either High Contracting Party", "either Party"),
        ("the High Contracting Parties", "the Contracting Parties"),
        ("Article 3", "Article {ref}"),
    ]
    out = [opening]
    size, n = len(opening.encode()), 0
    target = kb * 1000 - len(text[final_at:].encode())
    while size < target:
        body = bodies[n % len(bodies)]
        round_ = n // len(bodies)
        if round_ % 2:
            for old, new in swaps:
                body = body.replace(old, new.format(ref=max(1, n - 5)))
        n += 1
        piece = f"Article {n}\n{body}"
        out.append(piece)
        size += len(piece.encode())
    out.append(text[final_at:])
    return "".join(out)


def checkpointed_size(db: Path) -> int:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db.stat().st_size


def add(db: Path, treaty: Path, rules_only: bool) -> tuple[int, float]:
    command = [sys.executable, "-m", "nlp_coder", "review", "add", str(treaty), "--db", str(db)]
    command += ["--rules-only"] if rules_only else []
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(done.stdout.split("\t")[0]), time.perf_counter() - start


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "nlp_coder", "review", "serve", "--db", str(db), "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    url = proc.stdout.readline().strip()
    if not url:
        raise SystemExit("the review server did not start")
    return proc, url


def server_side(base: str, treaty_id: int, runs: int) -> dict:
    import httpx

    times, sizes = [], {}
    with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
        for _ in range(runs + 1):  # the first run warms up
            start = time.perf_counter()
            for path in (f"/treaties/{treaty_id}", f"/api/treaties/{treaty_id}", "/api/codebook"):
                response = client.get(path)
                response.raise_for_status()
                sizes[path] = len(response.content)
            times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times[1:]), "bytes": sizes}


def in_browser(url: str, treaty_id: int, runs: int) -> float | None:
    """Median ms from navigation start to the page's ``review-ready`` mark, or None without Chromium."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return None
    import os

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory() as profile:
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1500,950",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            driver.get(url)  # the token becomes a cookie
            page = url.split("/?")[0] + f"/treaties/{treaty_id}"
            marks = []
            for _ in range(runs + 1):
                driver.get("about:blank")
                driver.get(page)
                WebDriverWait(driver, 60).until(
                    lambda d: d.execute_script("return performance.getEntriesByName('review-ready').length")
                )
                marks.append(
                    driver.execute_script("return performance.getEntriesByName('review-ready')[0].startTime")
                )
        finally:
            driver.quit()
    return statistics.median(marks[1:])


def history_bytes(db: Path, base: str, treaty_id: int, changes: int) -> float:
    """Bytes the database grows by per saved change (answer and history row)."""
    import httpx

    from nlp_coder.codesheet.codebook import load_codebook

    cb = load_codebook()
    questions = [q for q in cb.questions if q.has_yes_no and len(q.columns) == 1]
    before = checkpointed_size(db)
    with httpx.Client(base_url=base, headers=AUTH, timeout=60) as client:
        answers = client.get(f"/api/treaties/{treaty_id}").json()["answers"]
        versions = {a["question"]: a["version"] for a in answers}
        for i in range(changes):
            q = questions[i % len(questions)]
            body = {
                "answer": f"No (checked, pass {i})",
                "codes": {q.columns[0]: 0},
                "evidence": [],
                "comment": "checked against the text",
                "coder": "bench",
                "version": versions[q.number],
            }
            response = client.put(f"/api/treaties/{treaty_id}/answers/{q.number}", json=body)
            response.raise_for_status()
            versions[q.number] = response.json()["version"]
    return (checkpointed_size(db) - before) / changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=float, default=200, help="Size of the synthetic treaty in KB.")
    parser.add_argument("--runs", type=int, default=5, help="Page loads to take the median of.")
    parser.add_argument("--changes", type=int, default=200, help="Saves to measure the history's growth.")
    parser.add_argument("--rules-only", action="store_true", help="Draft with the rules alone.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = folder / "synthetic_treaty.txt"
        big.write_text(synthetic_treaty(args.kb), encoding="utf-8")
        db = folder / "review.sqlite"
        from nlp_coder.review.store import open_store

        open_store(db, create=True).close()
        empty = checkpointed_size(db)
        example_id, example_add = add(db, EXAMPLE, args.rules_only)
        with_example = checkpointed_size(db)
        big_id, big_add = add(db, big, args.rules_only)
        with_big = checkpointed_size(db)
        proc, url = start_server(db)
        try:
            base = url.split("/?")[0]
            server = server_side(base, big_id, args.runs)
            browser = in_browser(url, big_id, args.runs)
            per_change = history_bytes(db, base, example_id, args.changes)
        finally:
            proc.terminate()
            proc.wait()
        figures = {
            "synthetic treaty (bytes of UTF-8 text)": big.stat().st_size,
            "add: example treaty (s, incl. start-up)": round(example_add, 2),
            "add: synthetic treaty (s, incl. start-up)": round(big_add, 2),
            "db bytes, empty schema": empty,
            "db bytes added by the example treaty (6.3 KB text)": with_example - empty,
            "db bytes added by the synthetic treaty": with_big - with_example,
            "db bytes per saved change (answer + history)": round(per_change),
            "page load, server side (HTML + treaty JSON + codebook, ms)": round(1000 * server["seconds"], 1),
            "page load, bytes (HTML, treaty JSON, codebook)": list(server["bytes"].values()),
            "page load in Chromium, navigation to text and questions shown (ms)": (
                round(browser, 1) if browser is not None else "Chromium not installed"
            ),
        }
    width = max(len(k) for k in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

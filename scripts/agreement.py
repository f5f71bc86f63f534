"""Agreement of drafts with ATOP 5.1 on the shared alliance texts, against the majority-class prior.

Drafts each English alliance text in ../shared/data/treaties (the four ATOP alliances; NATO accession
protocols are not separate alliances and are left out) and compares the draft's ATOP codes with the
dataset's row for the phase the text belongs to, over the columns a treaty's text can tell
(``Codebook.text_columns``, members excluded). A column the draft leaves uncoded counts as a
disagreement. Also reports calibration: how often answers at each confidence are right.

    python scripts/agreement.py [--shared ../shared/data] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.drafting.drafter import draft_treaty
from nlp_coder.text.treaty import load_treaty

# (file under treaties/, atopid, phase, whose signature date the text carries: the alliance's or the phase's)
TEXTS = [
    ("nl_verdragenbank/north_atlantic_treaty_1949_en.md", 3180, 2, "alliance"),  # Art. 6 as amended in 1951
    ("dfat_historical/australia_new_zealand_agreement_1944-01-21.md", 2565, 0, "alliance"),
    ("globalgov_ggo/ORGECS_1981O_oecs_treaty_1981.txt", 3900, 0, "alliance"),
    ("globalgov_ggo/ECLSBN_2007O_treaty_of_lisbon_2007.txt", 4175, 2, "phase"),  # the amending treaty itself
]
SKIP = {"mem", "atopid", "cowid", "cow4id"}


def phase_rows(path: Path) -> dict[tuple[int, int], dict[str, str]]:
    rows = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            rows[(int(row["atopid"]), int(row["phase"]))] = row
    return rows


def alliance_rows(path: Path) -> dict[int, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {int(r["atopid"]): r for r in csv.DictReader(fh)}


def majority(path: Path, columns: list[str]) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {c: Counter(r[c] for r in rows if r.get(c, "") != "").most_common(1)[0][0] for c in columns}


def seed_quote_checks(shared: Path, cb, alliances: dict[int, dict[str, str]]) -> list[dict]:
    """Each passage the seed sheet quotes, drafted as a one-article treaty, against ATOP row 4520.

    The passage is checked on the question whose columns it evidences (Q18's quote on Q16's types).
    """
    from nlp_coder.codesheet.sheet import read_sheet
    from nlp_coder.text.treaty import treaty_from_text

    sheet = read_sheet(shared / "sheets" / "atop_4520_sheet.txt")
    gold = alliances[4520]
    checks = []
    for number, answer in sorted(sheet.answers.items()):
        target = 16 if number == 18 else number
        columns = [c for c in cb.question(target).columns if c in gold and c != "active"]
        for ev in answer.evidence:
            text = f"TREATY\n\nThe Parties have agreed as follows:\n\nArticle 1\n\n{ev.quote}\n"
            drafted = draft_treaty(treaty_from_text(text)).sheet.answers[target]
            got = {c: drafted.codes.get(c) for c in columns}
            want = {c: int(gold[c]) for c in columns}
            checks.append(
                {
                    "question": target,
                    "draft": got,
                    "gold": want,
                    "right": got == want,
                    "confidence": drafted.confidence or 0.0,
                }
            )
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    cb = load_codebook()
    columns = [c for c in cb.text_columns() if c not in SKIP]
    rows = phase_rows(args.shared / "atop" / "atop5_1aph.csv")
    prior = majority(args.shared / "atop" / "atop5_1a.csv", columns)
    report: dict = {"texts": {}, "columns": columns}
    calib: list[tuple[float, bool]] = []
    totals = Counter()
    first = alliance_rows(args.shared / "atop" / "atop5_1a.csv")
    for rel, atopid, phase, dated in TEXTS:
        gold = dict(rows[(atopid, phase)])
        if dated == "alliance":  # a later phase starts at its amendment, not at the text's signature
            gold.update({c: first[atopid][c] for c in ("begyr", "begmo", "begday")})
        draft = draft_treaty(load_treaty(args.shared / "treaties" / rel))
        codes = draft.atop(cb)
        scored = [c for c in columns if gold.get(c, "") != ""]
        agree = [c for c in scored if str(codes.get(c)) == gold[c]]
        base = [c for c in scored if prior[c] == gold[c]]
        wrong = {c: (codes.get(c), gold[c]) for c in scored if c not in agree}
        q16 = {c: (codes.get(c), int(gold[c])) for c in ("defense", "offense", "neutral", "nonagg", "consul")}
        for answer in draft.sheet.answers.values():
            cols = [c for c in answer.codes if c in scored]
            if answer.source == "text" and cols:
                calib.append((answer.confidence or 0.0, all(str(answer.codes[c]) == gold[c] for c in cols)))
        totals.update(scored=len(scored), agree=len(agree), prior=len(base))
        report["texts"][rel] = {
            "atopid": atopid,
            "phase": phase,
            "columns": len(scored),
            "agreement": round(len(agree) / len(scored), 3),
            "prior_agreement": round(len(base) / len(scored), 3),
            "q16": q16,
            "disagreements": wrong,
        }
        print(
            f"{atopid}.{phase} {Path(rel).name[:40]:40s} agree {len(agree)}/{len(scored)} "
            f"= {len(agree) / len(scored):.1%} (prior {len(base) / len(scored):.1%})"
        )
        print(f"    Q16 draft/gold: {q16}")
        print(f"    disagreements: {wrong}")
    seed = seed_quote_checks(args.shared, cb, first)
    report["seed_quotes"] = seed
    for item in seed:
        calib.append((item["confidence"], item["right"]))
        print(
            f"seed quote Q{item['question']}: draft {item['draft']} gold {item['gold']} "
            f"confidence {item['confidence']}"
        )
    overall = totals["agree"] / totals["scored"]
    print(f"overall agreement {overall:.1%} vs majority prior {totals['prior'] / totals['scored']:.1%}")
    bins = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    report["calibration"] = []
    for lo, hi in bins:
        inside = [ok for conf, ok in calib if lo <= conf < hi]
        if inside:
            share = sum(inside) / len(inside)
            report["calibration"].append({"bin": [lo, hi], "n": len(inside), "accuracy": round(share, 3)})
            print(f"confidence [{lo:.1f}, {min(hi, 1.0):.1f}): {len(inside)} answers, {share:.1%} right")
    report["overall"] = {
        "agreement": round(overall, 3),
        "prior": round(totals["prior"] / totals["scored"], 3),
    }
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()

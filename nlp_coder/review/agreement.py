"""Agreement between coders who reviewed the same treaty, and of the draft with each coder.

What a coder coded is their last answer to a question (from the history). Two answers agree when their ATOP
codes are equal; answers without codes are compared by their yes/no, or else by their words. For every pair of
coders and for the draft against each coder, per question and overall:

- percent agreement: the share of (treaty, question) items both gave the same answer;
- Cohen's kappa: (po - pe) / (1 - pe), pe from each rater's own distribution of answers;
- Gwet's AC1: (po - pe) / (1 - pe), pe = sum_k pi_k (1 - pi_k) / (K - 1) over the raters' mean distribution.

The formulas are those of :mod:`nlp_coder.learn.metrics` (the same ones ``evaluate`` reports). Overall
agreement pools every item; overall kappa and AC1 are the mean over questions, as in ``evaluate``, since a
kappa over items of different questions would compare answers that do not share categories. Undefined values
(fewer than two items; both raters constant on one answer for kappa) are None. The draft's agreement is also
given over the answers a coder gave blind (the draft hidden), where it was no anchor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from itertools import combinations

from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.learn.metrics import accuracy, cohen_kappa, gwet_ac1, macro
from nlp_coder.review.store import Store, dumps

Item = tuple[int, int]  # (treaty id, question)


def answer_label(cb: Codebook, question: int, answer: str, codes: dict[str, int]) -> str:
    """What an answer says, as one comparable value: its codes, else its yes/no, else its words."""
    from nlp_coder.codesheet.sheet import yes_no_of

    if codes:
        return dumps(codes)
    q = cb.question(question)
    if q.has_yes_no:
        return yes_no_of(q, answer) or ""
    return " ".join(answer.lower().split())


def scores(items: list[Item], first: Callable[[Item], str], second: Callable[[Item], str]) -> dict:
    """Per question and overall: ``{n, agreement, kappa, ac1}`` of two raters over ``items``."""
    per_question = {}
    for question in sorted({q for _, q in items}):
        mine = [k for k in items if k[1] == question]
        a, b = [first(k) for k in mine], [second(k) for k in mine]
        per_question[question] = {
            "n": len(mine),
            "agreement": accuracy(a, b),
            "kappa": cohen_kappa(a, b),
            "ac1": gwet_ac1(a, b),
        }
    overall = {
        "n": len(items),
        "agreement": accuracy([first(k) for k in items], [second(k) for k in items]),
        "kappa": macro([v["kappa"] for v in per_question.values()]),
        "ac1": macro([v["ac1"] for v in per_question.values()]),
    }
    return {"overall": overall, "questions": per_question}


def agreement_report(store: Store, cb: Codebook) -> dict:
    """Agreement of every pair of coders on the treaties both reviewed, and of the draft with each coder."""
    coded: dict[Item, dict[str, str]] = defaultdict(dict)
    drafted: dict[Item, str] = {}
    blind: set[tuple[int, int, str]] = set()
    for row in store.coder_answers():
        item = (row["treaty_id"], row["question"])
        coded[item][row["coder"]] = answer_label(cb, row["question"], row["answer"], row["codes"])
        drafted[item] = answer_label(cb, row["question"], row["draft"]["answer"], row["draft"]["codes"])
        if row["blind"]:
            blind.add((*item, row["coder"]))
    coders = sorted({c for by in coded.values() for c in by})
    pairs = []
    for a, b in combinations(coders, 2):
        items = sorted(k for k, by in coded.items() if a in by and b in by)
        if items:
            result = scores(items, lambda k, a=a: coded[k][a], lambda k, b=b: coded[k][b])
            pairs.append({"coders": [a, b], "treaties": len({t for t, _ in items}), **result})
    draft = []
    for c in coders:
        items = sorted(k for k, by in coded.items() if c in by)
        unseen = [k for k in items if (*k, c) in blind]
        result = scores(items, drafted.__getitem__, lambda k, c=c: coded[k][c])
        draft.append(
            {
                "coder": c,
                "treaties": len({t for t, _ in items}),
                **result,
                "blind": scores(unseen, drafted.__getitem__, lambda k, c=c: coded[k][c])["overall"],
            }
        )
    return {"coders": coders, "pairs": pairs, "draft": draft}


def _number(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}%" if percent else f"{value:.3f}"


def _lines(result: dict) -> list[str]:
    o = result["overall"]
    out = [
        f"  overall: {o['n']} answers, agreement {_number(o['agreement'], True)}, "
        f"kappa {_number(o['kappa'])}, AC1 {_number(o['ac1'])}",
        f"  {'question':>8}  {'n':>4}  {'agreement':>9}  {'kappa':>6}  {'AC1':>6}",
    ]
    for q, v in result["questions"].items():
        out.append(
            f"  {q:>8}  {v['n']:>4}  {_number(v['agreement'], True):>9}  {_number(v['kappa']):>6}  "
            f"{_number(v['ac1']):>6}"
        )
    return out


def report_table(report: dict) -> str:
    """The report as text: each pair of coders, then the draft against each coder."""
    lines: list[str] = []
    if not report["coders"]:
        return "No answer has been reviewed yet.\n"
    if not report["pairs"]:
        lines.append("No treaty has been reviewed by two coders yet.")
    for pair in report["pairs"]:
        a, b = pair["coders"]
        lines += [f"Coders {a} and {b} ({pair['treaties']} treaties both reviewed)", *_lines(pair), ""]
    for row in report["draft"]:
        blind = row["blind"]
        lines += [f"Draft and {row['coder']} ({row['treaties']} treaties)", *_lines(row)]
        lines += [
            f"  blind answers only: {blind['n']} answers, agreement {_number(blind['agreement'], True)}, "
            f"kappa {_number(blind['kappa'])}, AC1 {_number(blind['ac1'])}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"

"""The reconciler: combines the predictors' candidate answers, makes them consistent with the codebook's
logic and flags what to review.

Combining: a question's answer is its most confident candidate (pipeline order breaks exact ties), except
Q16, whose five obligation types are combined type by type: a type is claimed when the cue rules find it or
the semantic heads give its best sentence a probability of at least their claim threshold; each claimed type
keeps the evidence of whoever found it, and Q18 describes every claimed type.

Consistency rules (each lowers the confidence of the answers it changes and sets ``needs_review``):
- no condition (Q19) without the obligation it limits (Q16); ``conditio`` summarises the four;
- ``active`` is defense or offense;
- a term length (Q10) only with a fixed term, a renewal term (Q12) only with a renewal provision;
- ``bilat`` follows the number of members found (Q4);
- an answer with no evidence from the text is never above 0.9, and anything below 0.9 needs review.
"""

from __future__ import annotations

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.codesheet.implied import CONDITION_COLUMNS, TYPE_COLUMNS
from nlp_coder.codesheet.prior import CodePrior, kind_of
from nlp_coder.predictors.base import Candidate
from nlp_coder.predictors.obligations import TYPE_NAMES

REVIEW_BELOW = 0.9
CONFLICT_PENALTY = 0.15


def combine(candidates: dict[int, list[Candidate]], codebook: Codebook) -> dict[int, SheetAnswer]:
    """One answer per question from its candidates."""
    answers = {}
    added: dict[str, Evidence] = {}
    for number, found in sorted(candidates.items()):
        scored = [c for c in found if c.scores]
        plain = [c for c in found if not c.scores]
        best = max(plain or found, key=lambda c: c.answer.confidence or 0.0)  # first of equals
        answers[number] = best.answer
        if number == 16 and scored and plain:
            answers[16], added = _combine_types(best.answer, scored[0], codebook)
    if added and 18 in answers:
        _describe_types(answers[18], added)
    return answers


def _combine_types(
    rules: SheetAnswer, semantic: Candidate, codebook: Codebook
) -> tuple[SheetAnswer, dict[str, Evidence]]:
    """Q16 from the rules' types and the semantic heads' types, and the evidence of the types only the heads
    found. The heads claim a type when its best sentence reaches their claim threshold; a type the cue rules
    found is dropped, its quote kept and flagged, when the heads doubt it (``doubted_types``)."""
    codes = dict(rules.codes)
    added = {
        column: semantic.quotes[column]
        for column in TYPE_COLUMNS
        if not codes.get(column) and semantic.answer.codes.get(column) and column in semantic.quotes
    }
    doubted = doubted_types(codes, semantic, rules.evidence)
    if not added and not doubted:
        return rules, {}
    codes.update({column: 1 for column in added})
    codes.update({column: 0 for column in doubted})
    evidence = list(rules.evidence)
    for ev in added.values():
        if not any(ev.start == e.start for e in evidence):
            evidence.append(ev)
    labels = [o.label for o in codebook.question(16).options if any(codes.get(c) for c in o.codes)]
    text = ", ".join(labels) if labels else "None"
    if doubted:
        names = ", ".join(TYPE_NAMES[c] for c in doubted)
        text += f" (the cues also found {names}, but the semantic heads do not read it as a promise: check)"
    scores = [semantic.scores[c] for c in added] + [1.0 - p for p in doubted.values()]
    answer = SheetAnswer(
        16,
        text,
        rules.yes_no,
        codes,
        evidence=evidence,
        confidence=round(min(rules.confidence or 1.0, *scores), 2),
        needs_review=True,
        source="text",
    )
    return answer, added


def doubted_types(
    codes: dict[str, int], semantic: Candidate, evidence: list[Evidence] | None = None
) -> dict[str, float]:
    """The claimed types the heads doubt (short of their own claim), with the score that decided: a type
    whose quoted sentences (those the heads read) all score below ``veto`` for it, however some other
    sentence scores; or, with no quoted sentence the heads read, a type no sentence of the treaty reaches
    ``veto`` for once yielded. A cue that fires on "consultation" about a threat to the balance of payments
    is judged on that sentence, not on the treaty's best one; and a cue's offence on a sentence that states
    offence and defence at once ("in any war, whoever began it") stands when the heads read offence there,
    though they yield it to defence when they claim types themselves. A quoted sentence the heads read as a
    type the cue's type yields to, by far (``Candidate.supports``), counts as reading it at 0. Without
    ``evidence``, only the treaty-wide test applies."""
    out = {}
    spans = [(e.start, e.end) for e in evidence or [] if e.start is not None and e.end is not None]
    read = [scores for s, e, scores in semantic.read if any(s < end and start < e for start, end in spans)]
    for c in TYPE_COLUMNS:
        if not codes.get(c):
            continue
        best = semantic.scores.get(c, 0.0)
        if best >= semantic.claims.get(c, 1.0):
            continue
        quoted = max((r.get(c, 0.0) if semantic.supports(r, c) else 0.0 for r in read), default=None)
        if best < semantic.veto and (quoted is None or quoted < semantic.veto):
            out[c] = best if quoted is None else max(best, quoted)
        elif quoted is not None and quoted < semantic.veto:
            out[c] = quoted
    return out


def veto_types(
    answers: dict[int, SheetAnswer],
    semantic: Candidate | None,
    codebook: Codebook,
    before: dict[str, int] | None = None,
) -> None:
    """After the passage classifiers have added types: a type they added (not in ``before``, Q16's codes
    as the cues and heads left them) that the heads score below their veto on every sentence is dropped
    (quote kept, flagged), as for the cues' types. A type already there was judged with its quotes."""
    q16 = answers.get(16)
    if q16 is None or semantic is None:
        return
    added = {c: v for c, v in q16.codes.items() if not (before or {}).get(c)}
    # judged on the treaty's best sentence, not on the classifiers' quotes: a passage classifier quotes the
    # passage that scored highest for the whole target, not the sentence that states the promise
    doubted = doubted_types(added, semantic)
    if not doubted:
        return
    for c in doubted:
        q16.codes[c] = 0
    names = ", ".join(TYPE_NAMES[c] for c in doubted)
    labels = [o.label for o in codebook.question(16).options if any(q16.codes.get(c) for c in o.codes)]
    q16.answer = (
        f"{', '.join(labels) if labels else 'None'} (the passage classifiers also found {names}, but the "
        "semantic heads do not read it as a promise: check)"
    )
    q16.confidence = min(q16.confidence or 1.0, *(1.0 - p for p in doubted.values()))
    q16.needs_review = True


def _describe_types(q18: SheetAnswer, added: dict[str, Evidence]) -> None:
    """Q18 names every claimed type with a quote: the types found only by the heads are added to it."""
    lines = [line for line in q18.answer.splitlines() if line] if q18.evidence else []
    for column, ev in added.items():
        quote = " ".join(ev.quote.split())
        lines.append(f"{TYPE_NAMES[column].capitalize()} ({ev.part or 'text'}, semantic heads): “{quote}”")
        q18.evidence.append(ev)
    q18.answer = "\n".join(lines)
    q18.needs_review = True


def reconcile(
    answers: dict[int, SheetAnswer],
    codebook: Codebook,
    calibration: dict | None = None,
    prior: CodePrior | None = None,
) -> dict[int, SheetAnswer]:
    """Adjust ``answers`` in place for consistency and return them. With a model's ``calibration`` (a
    monotone map fitted on out-of-treaty answers), each confidence becomes the probability that the answer
    is right, and an answer needs review below the threshold that keeps 95% of those above it right.
    With a ``prior`` learned from ATOP, each yes/no provision's evidence is weighed against how often
    alliances of the treaty's era and kind have the provision."""
    if prior is not None:
        _weigh_by_prior(answers, codebook, prior)
    _complete_codes(answers, codebook)
    _obligations_and_conditions(answers)
    _terms(answers)
    _members(answers)
    for answer in answers.values():
        if answer.source == "external":
            answer.needs_review = True
            continue
        if answer.confidence is None:
            answer.confidence = 0.0
        if calibration is not None:
            calibrated = _calibrated(calibration, answer.confidence)
            answer.needs_review = calibrated < calibration["review_below"]  # as the threshold was chosen
            answer.confidence = round(calibrated, 2)
            continue
        if not answer.evidence and answer.confidence > 0.89 and answer.question != 58:
            answer.confidence = 0.89
        answer.confidence = round(answer.confidence, 2)
        answer.needs_review = bool(answer.needs_review) or answer.confidence < REVIEW_BELOW
    return answers


def _weigh_by_prior(answers: dict[int, SheetAnswer], codebook: Codebook, prior: CodePrior) -> None:
    """Bayes' rule on the odds: the prior odds of the provision (ATOP, given the kind of alliance the drafted
    obligations make, era and bilateral) times the odds the evidence gives on its own (the answer's
    confidence, read as a 50:50 judgement). A Yes that falls below even odds becomes No (its quote kept,
    flagged); a No for a common provision loses confidence, and one that falls below even odds becomes a
    flagged Yes with the provision's most common code, when the question pins a single column (in ATOP, an
    alliance of a stated length nearly always provides for its renewal, however it words it).
    """
    year = answers[3].codes.get("begyr") if 3 in answers else None
    bilateral = answers[4].codes.get("bilat") if 4 in answers else None
    kind = kind_of(answers[16].codes) if 16 in answers else None
    drafted = {c: v for a in answers.values() for c, v in a.codes.items()}
    for number, answer in answers.items():
        q = codebook.question(number)
        if not q.has_yes_no or answer.yes_no not in ("yes", "no") or answer.source != "text":
            continue
        if not q.implies.on_no or any(q.implies.on_no.values()):
            continue  # only where Yes means the provision is there (non-zero) and No that it is not
        pinned = q.implies.yes_nonzero or q.columns
        rates = [prior.p_nonzero(c, year, bilateral, kind, drafted) for c in pinned]
        known = [r for r in rates if r is not None]
        if not known:
            continue
        p0 = min(max(max(known), 0.01), 0.99)
        c = min(max(answer.confidence or 0.5, 0.01), 0.99)
        evidence_odds = c / (1 - c) if answer.yes_no == "yes" else (1 - c) / c
        odds = p0 / (1 - p0) * evidence_odds
        p_yes = odds / (1 + odds)
        if answer.yes_no == "yes" and p_yes < 0.5:
            share = f"{p0:.0%}"
            answer.answer = (
                f"No (a cue was found, but too weak for a provision only {share} of such alliances have: "
                f"check the quote). " + answer.answer
            )
            answer.yes_no = "no"
            answer.codes = dict(q.implies.on_no)
            answer.needs_review = True
        elif answer.yes_no == "no" and p_yes > 0.5 and len(pinned) == 1 and pinned[0] in prior.modes:
            answer.answer = (
                f"Yes (no cue was found, but {p0:.0%} of such alliances have this provision: check the "
                f"treaty). " + answer.answer
            )
            answer.yes_no = "yes"
            answer.codes = {**answer.codes, pinned[0]: prior.modes[pinned[0]]}
            answer.needs_review = True
        answer.confidence = round(p_yes if answer.yes_no == "yes" else 1 - p_yes, 4)


def _calibrated(calibration: dict, confidence: float) -> float:
    import numpy as np

    return float(np.interp(confidence, calibration["x"], calibration["y"]))


def _complete_codes(answers: dict[int, SheetAnswer], codebook: Codebook) -> None:
    """A yes/no answer codes all its question's columns: a No gives the codebook's zeros, a Yes leaves
    the columns it does not pin at their "nothing in the treaty" value (one organisation found: no second)."""
    for number, answer in answers.items():
        q = codebook.question(number)
        if not q.has_yes_no or answer.source == "external" or answer.yes_no is None:
            continue
        if answer.yes_no == "no":
            for column, value in q.implies.on_no.items():
                answer.codes.setdefault(column, value)
        else:
            pinned = set(q.implies.yes_nonzero)
            for column in q.columns:
                default = codebook.column(column).default
                if column not in answer.codes and column not in pinned and default is not None:
                    answer.codes[column] = default
    # a column that several questions share (conres: Q51, Q52) is at its default when all answer No
    for column in {c for q in codebook.questions if q.has_yes_no for c in q.columns}:
        askers = [a for n, a in answers.items() if column in codebook.question(n).columns]
        if askers and all(a.yes_no == "no" for a in askers) and not any(column in a.codes for a in askers):
            default = codebook.column(column).default
            if default is not None:
                askers[0].codes[column] = default


def _lower(answer: SheetAnswer, by: float = CONFLICT_PENALTY) -> None:
    answer.confidence = max(0.0, (answer.confidence or 0.0) - by)
    answer.needs_review = True


def _obligations_and_conditions(answers: dict[int, SheetAnswer]) -> None:
    q16, q19 = answers.get(16), answers.get(19)
    if q16 is None:
        return
    types = {c: q16.codes.get(c, 0) for c in TYPE_COLUMNS}
    q16.codes["active"] = int(bool(types["defense"] or types["offense"]))
    if q19 is None:
        return
    for obligation, column in CONDITION_COLUMNS.items():
        if q19.codes.get(column) and not types.get(obligation):
            q19.codes[column] = 0
            _lower(q19)
    q19.codes["conditio"] = int(any(q19.codes.get(c) for c in CONDITION_COLUMNS.values()))
    if not any(types.values()) and q19.codes["conditio"] == 0 and q19.answer != "none":
        q19.answer, q19.evidence = "none", []
        _lower(q19)


def _terms(answers: dict[int, SheetAnswer]) -> None:
    q10, q12 = answers.get(10), answers.get(12)
    if q10 is not None and q10.codes.get("speclgth") != 1 and q10.codes.get("length"):
        q10.codes["length"] = 0
        _lower(q10)
    if q12 is not None and not q12.codes.get("proren") and q12.codes.get("renewlgt"):
        q12.codes["renewlgt"] = 0
        _lower(q12)


def _members(answers: dict[int, SheetAnswer]) -> None:
    q4 = answers.get(4)
    if q4 is None:
        return
    members = [k for k in q4.codes if k.startswith("mem")]
    if len(members) >= 2:
        q4.codes["bilat"] = int(len(members) <= 2)
    elif members:
        _lower(q4)

"""Supervision as labelled passages: targets, passages, and labels from every kind of gold.

Targets are the codesheet's yes/no provisions (``q8``, ``q35``...), the treaty form (``q6``), secrecy
(``q7``) and the five obligation types of Q16. A passage is a leaf part of the treaty (a paragraph, or
an article without paragraphs, or the preamble), or text no part holds. Labels come from:

- span labels (team annotations; gold-sheet quotes located in the text; weak labels from headings):
  passages they cover are positive; in an annotated or weakly labelled treaty the others are negative;
- document codes (ATOP row or a gold sheet's codes): a treaty coded "no" makes all its passages
  negative; a treaty coded "yes" is a bag with at least one positive passage, taken to be the passages
  where the rules find their evidence (multiple-instance learning).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.learn.corpus import Corpus, Entry
from nlp_coder.learn.labels import SpanLabel
from nlp_coder.text.passages import MAX_PASSAGE, passages
from nlp_coder.text.treaty import Treaty

TYPE_TARGETS = ("defense", "offense", "neutral", "nonagg", "consul")


@dataclass(frozen=True)
class Target:
    name: str
    question: int
    columns: tuple[str, ...]

    def doc_label(self, codes: dict[str, int], cb: Codebook) -> int | None:
        """1/0 from document codes, None when they do not say."""
        known = [c for c in self.columns if c in codes and codes[c] is not None]
        if not known:
            return None
        if self.name == "q6":
            return int(codes["estmode"] == 1)
        return int(any(codes[c] != (cb.column(c).default or 0) for c in known))


def targets(cb: Codebook) -> list[Target]:
    out = [Target("q6", 6, ("estmode",)), Target("q7", 7, ("pubsecr",))]
    out += [Target(t, 16, (t,)) for t in TYPE_TARGETS]
    for q in cb.questions:
        if q.has_yes_no and q.from_text and q.columns:
            out.append(Target(f"q{q.number}", q.number, tuple(q.columns)))
    return out


@dataclass
class Example:
    doc: str
    start: int
    end: int
    text: str
    labels: dict[str, int] = field(default_factory=dict)  # target -> 0/1


@dataclass
class DocumentSupervision:
    entry: Entry
    treaty: Treaty
    codes: dict[str, int] | None
    spans: list[SpanLabel]
    exhaustive: bool  # spans mark every passage that evidences a provision ...
    covers: frozenset[int] | None = None  # ... of these questions only (None: of all)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return inter > 0 and (inter >= 0.5 * (b[1] - b[0]) or inter >= 0.5 * (a[1] - a[0]))


def _span_targets(label: SpanLabel, all_targets: list[Target]) -> list[str]:
    if label.question == 16 or label.question == 18:
        named = [t for t in TYPE_TARGETS if label.codes.get(t)]
        return named
    return [t.name for t in all_targets if t.question == label.question]


def supervision(corpus: Corpus, atop_csv: Path | None, cb: Codebook) -> Iterator[DocumentSupervision]:
    """Read each treaty of a corpus with its codes and span labels."""
    read = Supervisor(atop_csv, cb)
    for entry in corpus.entries:
        yield read(entry)


class Supervisor:
    """Reads one entry's treaty with its codes and span labels; the ATOP rows and weak-label rules are
    loaded once, when it is made (so worker processes forked after that share them)."""

    def __init__(self, atop_csv: Path | None, cb: Codebook):
        from nlp_coder.codesheet.atop import load_atop

        self.cb = cb
        self.phases = _phase_rows(atop_csv) if atop_csv else {}
        self.rows = load_atop(atop_csv) if atop_csv else {}
        self._weak_rules = None

    def weak_rules(self):
        from nlp_coder.learn.weak import load_weak_rules

        self._weak_rules = self._weak_rules or load_weak_rules()
        return self._weak_rules

    def __call__(self, entry: Entry) -> DocumentSupervision:
        from nlp_coder.codesheet.atop import row_codes
        from nlp_coder.codesheet.sheet import read_sheet
        from nlp_coder.learn.align import align_quote
        from nlp_coder.learn.labels import read_annotations
        from nlp_coder.text.treaty import load_treaty

        cb = self.cb
        treaty = load_treaty(entry.text)
        codes: dict[str, int] | None = None
        if entry.atop_id is not None and entry.atop_id in self.rows:
            row = self.phases.get((entry.atop_id, entry.phase or 0)) or self.rows[entry.atop_id]
            codes = row_codes(row, cb)
        spans: list[SpanLabel] = []
        exhaustive = False
        if entry.sheet is not None:
            sheet = read_sheet(entry.sheet, cb)
            codes = {**sheet.atop(cb), **(codes or {})}
            for number, answer in sheet.answers.items():
                for ev in answer.evidence:
                    found = align_quote(ev.quote, treaty.text)
                    if found is not None:
                        q_codes = (
                            sheet.answers[16].codes if number == 18 and 16 in sheet.answers else answer.codes
                        )
                        spans.append(
                            SpanLabel(
                                16 if number == 18 else number, found.start, found.end, dict(q_codes), "sheet"
                            )
                        )
        if entry.annotations is not None:
            spans += read_annotations(entry.annotations, treaty.sha256)
            exhaustive = True
        covers = None
        if entry.weak:
            from nlp_coder.learn.weak import weak_labels

            weak_rules = self.weak_rules()
            spans += weak_labels(treaty, weak_rules)
            if not exhaustive:  # headings speak for their own questions; a trade text has no obligation types
                covers = frozenset({r.question for r in weak_rules.rules} | {16})
        return DocumentSupervision(entry, treaty, codes, spans, exhaustive or entry.weak, covers)


def _phase_rows(path: Path) -> dict[tuple[int, int], dict]:
    """Phase-level rows (atop5_1aph.csv beside the alliance file), keyed by (atopid, phase)."""
    import csv

    from nlp_coder.codesheet.atop import _number

    ph = Path(path).with_name("atop5_1aph.csv")
    if not ph.exists():
        return {}
    with ph.open(newline="", encoding="utf-8") as fh:
        return {
            (int(r["atopid"]), int(r["phase"])): {k: _number(v) for k, v in r.items()}
            for r in csv.DictReader(fh)
        }


def label_passages(
    doc: DocumentSupervision,
    all_targets: list[Target],
    cb: Codebook,
    rules_evidence: dict[str, list[tuple[int, int]]],
) -> list[Example]:
    """Examples of one treaty: each passage with the targets it is known to be positive or negative for."""
    examples = [
        Example(doc.entry.id, s, e, doc.treaty.text[s:e][:MAX_PASSAGE]) for s, e in passages(doc.treaty)
    ]
    positives: dict[str, list[tuple[int, int]]] = {}
    checked_negatives: dict[str, list[tuple[int, int]]] = {}
    for label in doc.spans:
        bucket = positives if label.positive else checked_negatives
        for name in _span_targets(label, all_targets):
            bucket.setdefault(name, []).append((label.start, label.end))
    for target in all_targets:
        doc_label = target.doc_label(doc.codes, cb) if doc.codes else None
        if doc_label == 0:
            for ex in examples:
                ex.labels[target.name] = 0
            continue
        spans = positives.get(target.name, [])
        known_all = doc.exhaustive and (doc.covers is None or target.question in doc.covers)
        negatives_elsewhere = known_all and (bool(spans) or doc_label != 1)
        if not spans and doc_label == 1:  # a positive bag: the rules' evidence is the likely instance
            spans = rules_evidence.get(target.name, [])
        refuted = checked_negatives.get(target.name, [])
        for ex in examples:
            where = (ex.start, ex.end)
            if any(_overlaps(where, span) for span in spans):
                ex.labels[target.name] = 1
            elif negatives_elsewhere or any(_overlaps(where, span) for span in refuted):
                ex.labels[target.name] = 0
    return examples


def rules_evidence(treaty: Treaty, cb: Codebook) -> dict[str, list[tuple[int, int]]]:
    """Where the rules find evidence, by target (used as the likely instances inside positive bags)."""
    from nlp_coder.drafting.reconcile import combine
    from nlp_coder.predictors import rules_drafter
    from nlp_coder.predictors.obligations import ObligationPredictor

    drafter = rules_drafter(cb)
    answers = combine(drafter.candidates(treaty), cb)
    found = {
        f"q{n}": [(e.start, e.end) for e in a.evidence if e.start is not None]
        for n, a in answers.items()
        if a.yes_no != "no"
    }
    obligations = next(p for p in drafter.predictors if isinstance(p, ObligationPredictor))
    for match in obligations.types_.matches(treaty, 16):
        for column, value in match.cue.codes.items():
            if column in TYPE_TARGETS and value:
                found.setdefault(column, []).append((match.start, match.end))
    return found


def collect(
    corpus_list: Iterable[Corpus],
    atop_csv: Path | None,
    cb: Codebook,
    progress: bool = False,
    jobs: int = 1,
) -> tuple[list[Example], dict[str, str]]:
    """Labelled passages of every treaty, and each treaty's text hash by id; the treaties are read and
    labelled by ``jobs`` processes (the same examples, in the same order, whatever ``jobs`` is)."""
    from nlp_coder.drafting.workers import pmap

    entries = [e for corpus in corpus_list for e in corpus.entries]
    read = Supervisor(atop_csv, cb)
    if any(e.weak for e in entries):
        read.weak_rules()  # loaded once, before the workers start
    all_targets = targets(cb)

    def label(entry: Entry) -> tuple[list[Example], str]:
        doc = read(entry)
        evidence = rules_evidence(doc.treaty, cb) if doc.codes else {}  # only positive bags need it
        return label_passages(doc, all_targets, cb, evidence), doc.treaty.sha256

    labelled = pmap(label, entries, jobs, progress, "labelling")
    examples = [ex for found, _ in labelled for ex in found]
    return examples, {e.id: sha for e, (_, sha) in zip(entries, labelled, strict=True)}


def _progress(items: list, show: bool, what: str):
    if not show:
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(what, total=len(items))
        for item in items:
            yield item
            bar.advance(task)

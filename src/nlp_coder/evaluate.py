"""Evaluation: draft every treaty of a manifest and compare the drafts with the gold codes.

Systems compared in one run: the learned model (cross-validated leave-one-treaty-out on small
corpora, so no treaty is drafted by a model that saw it), the rules-only drafter, and the
majority-class prior from the ATOP dataset. Gold is the ATOP row of the treaty's alliance (and phase)
and, where the manifest gives one, the gold sheet.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .codebook import Codebook, load_codebook
from .corpus import Corpus, Entry, read_manifest
from .errors import InputError

SKIP_COLUMNS = {"mem", "atopid", "cowid", "cow4id"}
CV_MAX_TREATIES = 30


@dataclass
class Scored:
    """One system's codes and answers for one treaty."""

    codes: dict[str, int]
    answers: list[dict] = field(default_factory=list)  # the draft JSON's answers


def gold_codes(entry: Entry, atop_csv: Path | None, cb: Codebook) -> dict[str, int]:
    """Gold codes of a manifest entry: its gold sheet's, then the ATOP row (phase-aware) on top."""
    from .atop import load_atop, row_codes
    from .dataset import _phase_rows
    from .sheet import read_sheet

    codes: dict[str, int] = {}
    if entry.sheet is not None:
        codes.update(read_sheet(entry.sheet, cb).atop(cb))
    if entry.atop_id is not None and atop_csv is not None:
        rows = load_atop(atop_csv)
        if entry.atop_id not in rows:
            raise InputError(
                f"{atop_csv}: no alliance with atopid {entry.atop_id} (manifest line {entry.line})"
            )
        row = _phase_rows(atop_csv).get((entry.atop_id, entry.phase or 0)) or rows[entry.atop_id]
        if entry.phase:  # a later phase begins at its amendment; the text carries the alliance's signature
            row = {**row, **{c: rows[entry.atop_id].get(c) for c in ("begyr", "begmo", "begday")}}
        codes.update({k: v for k, v in row_codes(row, cb).items() if v is not None})
    return codes


def check_has_gold(corpus: Corpus, atop_csv: Path | None) -> None:
    """InputError unless some entry has gold: a sheet, or an atop_id with the ATOP csv to look it up in.
    (Drafts given with ``--drafts`` are what is scored, never gold.)"""
    if any(e.sheet is not None or (e.atop_id is not None and atop_csv is not None) for e in corpus.entries):
        return
    with_id = sum(e.atop_id is not None for e in corpus.entries)
    if with_id:
        why = f"no entry has a sheet, and no ATOP csv was given for the {with_id} with an atop_id"
    else:
        why = "no entry has an atop_id or a sheet"
    raise InputError(
        f"{corpus.manifest}: no gold to score against: give --atop-csv for entries with atop_id, "
        f"or sheets ({why})"
    )


def majority_prior(atop_csv: Path, columns: list[str]) -> dict[str, int]:
    from .atop import load_atop

    rows = list(load_atop(atop_csv).values())
    prior = {}
    for c in columns:
        values = Counter(r.get(c) for r in rows if r.get(c) is not None)
        if values:
            prior[c] = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return prior


def scored_columns(cb: Codebook) -> list[str]:
    return [c for c in cb.text_columns() if c not in SKIP_COLUMNS]


def _members(codes: dict[str, int]) -> tuple[int, ...]:
    return tuple(sorted(v for k, v in codes.items() if k.startswith("mem") and k[3:].isdigit()))


def system_metrics(
    golds: list[dict[str, int]], systems: list[Scored], columns: list[str], cb: Codebook
) -> dict:
    """Per-column and overall metrics, calibration and coverage for one system over all treaties."""
    from . import metrics as m

    per_column = {}
    for c in columns:
        gold = [g.get(c) for g in golds]
        pred = [s.codes.get(c) for s in systems]
        default = cb.column(c).default if cb.column(c).default is not None else 0
        per_column[c] = m.column_metrics(gold, pred, default)
    member_pairs = [
        (_members(g), _members(s.codes)) for g, s in zip(golds, systems, strict=True) if _members(g)
    ]
    confidences, correct = [], []
    for gold, scored in zip(golds, systems, strict=True):
        for answer in scored.answers:
            cols = [c for c in answer["codes"] if c in gold and c in columns]
            if answer.get("source") == "text" and cols:
                confidences.append(float(answer.get("confidence", 0.0)))
                correct.append(all(answer["codes"][c] == gold[c] for c in cols))
    has_conf = bool(confidences)
    accs = [v["acc"] for v in per_column.values()]
    pairs = [
        (g.get(c), s.codes.get(c))
        for g, s in zip(golds, systems, strict=True)
        for c in columns
        if g.get(c) is not None
    ]
    overall = {
        "acc": round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None,
        "macro_acc": m.macro(accs),
        "macro_f": m.macro([v["f"] for v in per_column.values()]),
        "kappa": m.macro([v["kappa"] for v in per_column.values()]),
        "ac1": m.macro([v["ac1"] for v in per_column.values()]),
        "members_exact": round(sum(a == b for a, b in member_pairs) / len(member_pairs), 4)
        if member_pairs
        else None,
        "ece": m.ece(confidences, correct) if has_conf else None,
        "brier": m.brier(confidences, correct) if has_conf else None,
        "coverage95": m.coverage_at_precision(confidences, correct, 0.95)["coverage"] if has_conf else None,
    }
    return {
        "overall": overall,
        "columns": per_column,
        "calibration": m.reliability(confidences, correct) if has_conf else None,
        "coverage": m.coverage_curve(confidences, correct) if has_conf else None,
    }


def _draft_json(treaty, cb: Codebook, model: object) -> Scored:
    from .draft import draft_treaty

    data = draft_treaty(treaty, cb, model).to_dict(cb)
    return Scored(data["atop"], data["answers"])


def evaluate(
    manifest: Path,
    out_dir: Path | None = None,
    model_path: Path | None = None,
    atop_csv: Path | None = None,
    data_root: Path | None = None,
    drafts: Path | None = None,
    cv: bool | None = None,
    train_extra: list[Path] | None = None,
    progress: bool = False,
) -> dict:
    """Evaluate on a manifest; write metrics.json, summary.md and plots to ``out_dir`` when given."""
    from .treaty import load_treaty

    if out_dir is not None:
        from .output import folder_output
        from .report import is_report_folder

        folder_output(out_dir, is_report_folder, "report")  # before the drafting, not after
    cb = load_codebook()
    corpus = read_manifest(manifest, data_root)
    check_has_gold(corpus, atop_csv)
    columns = scored_columns(cb)
    golds = [gold_codes(e, atop_csv, cb) for e in corpus.entries]
    if not any(golds):
        raise InputError(
            f"{manifest}: no gold to score against: the sheets and ATOP rows of its entries give no codes"
        )
    treaties = [load_treaty(e.text) for e in corpus.entries]
    systems: dict[str, list[Scored]] = {}
    if drafts is not None:
        systems["drafts"] = _read_drafts(drafts, corpus, treaties)
    else:
        use_cv = cv if cv is not None else len(corpus.entries) <= CV_MAX_TREATIES
        if use_cv:
            systems["model"] = _cross_validated(corpus, treaties, atop_csv, cb, train_extra or [], progress)
        else:
            from .model import load_model

            model = load_model(model_path)
            systems["model"] = [_draft_json(t, cb, model) for t in treaties]
        systems["rules"] = [_draft_json(t, cb, None) for t in treaties]
    if atop_csv is not None:
        prior = majority_prior(atop_csv, columns)
        systems["prior"] = [Scored(dict(prior)) for _ in treaties]
    result = {
        "corpus": {
            "manifest": str(manifest),
            "treaties": len(treaties),
            "ids": [e.id for e in corpus.entries],
            "columns": len(columns),
            "gold": "ATOP 5.1 rows and gold sheets",
        },
        "first_system": next(iter(systems)),
        "systems": {name: system_metrics(golds, scored, columns, cb) for name, scored in systems.items()},
        "per_treaty": {
            e.id: {name: _treaty_acc(golds[i], scored[i], columns) for name, scored in systems.items()}
            for i, e in enumerate(corpus.entries)
        },
    }
    if out_dir is not None:
        from .report import write_report

        write_report(result, Path(out_dir))
    return result


def _treaty_acc(gold: dict[str, int], scored: Scored, columns: list[str]) -> float | None:
    pairs = [(gold[c], scored.codes.get(c)) for c in columns if gold.get(c) is not None]
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def _cross_validated(
    corpus: Corpus, treaties: list, atop_csv: Path | None, cb: Codebook, extra: list[Path], progress: bool
) -> list[Scored]:
    """Leave one treaty out: each treaty is drafted by a model trained on every other treaty."""
    from .dataset import collect

    extra_corpora = [read_manifest(m) for m in extra]
    examples, _ = collect([corpus, *extra_corpora], atop_csv, cb, progress)
    scored, _ = cross_validate(corpus, treaties, examples, atop_csv, cb)
    return scored


def cross_validate(
    corpus: Corpus, treaties: list, examples: list, atop_csv: Path | None, cb: Codebook
) -> tuple[list[Scored], dict[str, dict]]:
    """Leave-one-treaty-out drafts with the model on every target, and per target how often the model's
    and the rules' yes/no matched the held-out treaty's gold (the basis for choosing winners)."""
    from .dataset import targets
    from .model import Model
    from .predictors.learned import treaty_probabilities
    from .train import fit_targets

    priors = _priors(atop_csv, cb)
    all_targets = {t.name: t for t in targets(cb)}
    tally: dict[str, Counter] = {}
    scored = []
    for entry, treaty in zip(corpus.entries, treaties, strict=True):
        fitted = fit_targets([ex for ex in examples if ex.doc != entry.id], cb)
        meta = {
            "name": "cv",
            "targets": {t: {"winner": "model"} for t in fitted["classifiers"]},
            "code_priors": priors,
        }
        model = Model(Path("<cv>"), meta, fitted["idf"], fitted["classifiers"])
        scored.append(_draft_json(treaty, cb, model))
        gold = gold_codes(entry, atop_csv, cb)
        if not gold:
            continue
        rules = _draft_json(treaty, cb, None)
        probabilities = treaty_probabilities(treaty, model) if model.classifiers else {}
        for name, (p, _, _) in probabilities.items():
            target = all_targets[name]
            truth = target.doc_label(gold, cb)
            said_rules = target.doc_label(rules.codes, cb)
            if truth is None:
                continue
            counts = tally.setdefault(name, Counter())
            counts["n"] += 1
            counts["model"] += int((p >= 0.5) == bool(truth))
            counts["rules"] += int(said_rules == truth)
    per_target = {
        name: {
            "n": c["n"],
            "model_acc": round(c["model"] / c["n"], 3),
            "rules_acc": round(c["rules"] / c["n"], 3),
        }
        for name, c in sorted(tally.items())
        if c["n"]
    }
    return scored, per_target


def _priors(atop_csv: Path | None, cb: Codebook) -> dict[str, int]:
    from .train import _code_priors

    return _code_priors(atop_csv, cb)


def _read_drafts(folder: Path, corpus: Corpus, treaties: list) -> list[Scored]:
    """Drafts already made (``nlp-coder draft DIR -o OUT -f json``), matched to the treaties by text hash."""
    by_hash = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            by_hash[data["treaty"]["text_sha256"]] = data
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: not a draft JSON file ({type(exc).__name__})") from exc
    out = []
    for entry, treaty in zip(corpus.entries, treaties, strict=True):
        data = by_hash.get(treaty.sha256)
        if data is None:
            raise InputError(f"{folder}: no draft for {entry.id} (text_sha256 {treaty.sha256[:12]}...)")
        out.append(Scored(data["atop"], data["answers"]))
    return out

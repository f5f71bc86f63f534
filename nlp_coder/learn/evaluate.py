"""Evaluation: draft every treaty of a manifest and compare the drafts with the gold codes.

Systems compared in one run: the learned model (cross-validated leave-one-treaty-out on small
corpora, so no treaty is drafted by a model that saw it), the rules-only drafter, and the
majority-class prior from the ATOP dataset. Gold is the ATOP row of the treaty's alliance (and phase)
and, where the manifest gives one, the gold sheet.
"""

from __future__ import annotations

import json
from pathlib import Path

from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.errors import InputError
from nlp_coder.learn.corpus import Corpus, read_manifest
from nlp_coder.learn.crossval import cross_validated, draft_json
from nlp_coder.learn.gold import Scored, check_has_gold, gold_codes, majority_prior, scored_columns

CV_MAX_TREATIES = 30


def _members(codes: dict[str, int]) -> tuple[int, ...]:
    return tuple(sorted(v for k, v in codes.items() if k.startswith("mem") and k[3:].isdigit()))


def system_metrics(
    golds: list[dict[str, int]], systems: list[Scored], columns: list[str], cb: Codebook
) -> dict:
    """Per-column and overall metrics, calibration and coverage for one system over all treaties."""
    from nlp_coder.learn import metrics as m

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
    jobs: int = 1,
) -> dict:
    """Evaluate on a manifest; write metrics.json, summary.md and plots to ``out_dir`` when given. The
    drafts are made by ``jobs`` processes (the same whatever ``jobs`` is)."""
    from nlp_coder.drafting.workers import pmap
    from nlp_coder.text.treaty import load_treaty

    if out_dir is not None:
        from nlp_coder.learn.report import is_report_folder
        from nlp_coder.output import folder_output

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
        from nlp_coder.predictors.model import load_model

        model = load_model(model_path)
        if use_cv:
            systems["model"], raw = cross_validated(
                corpus, treaties, atop_csv, cb, train_extra or [], progress, model, jobs
            )
        else:
            systems["model"] = pmap(lambda t: draft_json(t, cb, model), treaties, jobs, progress, "drafting")
            raw = []
            if "calibration" in model.extras:
                import dataclasses

                extras = {k: v for k, v in model.extras.items() if k != "calibration"}
                uncalibrated = dataclasses.replace(model, extras=extras)
                raw = pmap(lambda t: draft_json(t, cb, uncalibrated), treaties, jobs, progress, "drafting")
        if raw:
            systems["uncalibrated"] = raw
        systems["rules"] = pmap(lambda t: draft_json(t, cb, None), treaties, jobs, progress, "rules")
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
        from nlp_coder.learn.report import write_report

        write_report(result, Path(out_dir))
    return result


def _treaty_acc(gold: dict[str, int], scored: Scored, columns: list[str]) -> float | None:
    pairs = [(gold[c], scored.codes.get(c)) for c in columns if gold.get(c) is not None]
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


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

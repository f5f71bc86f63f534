"""Models are folders: ``meta.json`` (versions, data, counts, metrics, file hashes), ``weights/`` as
``.npy`` arrays (never pickles), and a model card ``README.md`` written from the metadata.

Loading checks every file against the hash recorded at training time and refuses a model whose
files were changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .codebook import Codebook
from .errors import NlpCoderError
from .learn import PassageClassifier
from .paths import MODELS_DIR

DEFAULT_MODEL = MODELS_DIR / "default"
FORMAT = "nlp-coder-model/1"


class ModelError(NlpCoderError):
    """A model folder that is missing, incomplete or tampered with."""


@dataclass
class Model:
    path: Path
    meta: dict
    idf: np.ndarray | None
    classifiers: dict[str, PassageClassifier] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.meta.get("name", self.path.name))

    @property
    def version(self) -> str:
        return str(self.meta.get("version", __version__))

    def winner(self, target: str) -> str:
        return self.meta.get("targets", {}).get(target, {}).get("winner", "rules")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _save_npy(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.save(fh, array, allow_pickle=False)


def save_model(
    out: Path,
    fitted: dict,
    cb: Codebook,
    data: dict,
    seed: int,
    name: str,
    code_priors: dict[str, int],
    winners: dict[str, str] | None = None,
    cv: dict | None = None,
) -> Path:
    """Write the model folder (into a temporary folder first, then moved into place)."""
    import scipy
    import sklearn

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        targets: dict[str, dict] = {}
        if fitted.get("idf") is not None:
            _save_npy(tmp / "weights" / "idf.npy", fitted["idf"].astype(np.float32))
        for target, clf in sorted(fitted["classifiers"].items()):
            arrays, params = clf.to_arrays()
            for key, array in arrays.items():
                _save_npy(tmp / "weights" / target / f"{key}.npy", array)
            (tmp / "weights" / target / "params.json").write_text(
                json.dumps(params, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            targets[target] = {
                **fitted["counts"][target],
                "winner": (winners or {}).get(target, "rules"),
                "cv": (cv or {}).get(target),
            }
        meta = {
            "format": FORMAT,
            "name": name,
            "version": __version__,
            "seed": seed,
            "versions": {
                "nlp_coder": __version__,
                "scikit_learn": sklearn.__version__,
                "numpy": np.__version__,
                "scipy": scipy.__version__,
            },
            "codebook": f"{cb.name} {cb.version}",
            "data": data,
            "targets": targets,
            "code_priors": dict(sorted(code_priors.items())),
            "files": {str(p.relative_to(tmp)): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()},
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(model_card(meta), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def load_model(path: str | Path | None = None) -> Model:
    """Load a model folder, checking every weight file against its recorded hash."""
    p = Path(path) if path is not None else DEFAULT_MODEL
    meta_path = p / "meta.json"
    if not meta_path.is_file():
        raise ModelError(f"{p}: not a model folder (no meta.json)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path}: unreadable model metadata ({type(exc).__name__})") from exc
    if meta.get("format") != FORMAT:
        raise ModelError(f"{p}: unknown model format {meta.get('format')!r} (expected {FORMAT})")
    for rel, digest in meta.get("files", {}).items():
        f = p / rel
        if not f.is_file():
            raise ModelError(f"{p}: missing model file {rel}")
        if _sha256(f) != digest:
            raise ModelError(
                f"{p}: model file {rel} was changed after training (hash mismatch); refusing to load"
            )
    idf_path = p / "weights" / "idf.npy"
    idf = np.load(idf_path, allow_pickle=False).astype(np.float64) if idf_path.is_file() else None
    classifiers = {}
    for target in meta.get("targets", {}):
        folder = p / "weights" / target
        arrays = {k: np.load(folder / f"{k}.npy", allow_pickle=False) for k in ("coef_index", "coef_value")}
        params = json.loads((folder / "params.json").read_text(encoding="utf-8"))
        classifiers[target] = PassageClassifier.from_arrays(arrays, params, idf)
    return Model(p, meta, idf, classifiers)


def model_card(meta: dict) -> str:
    """The model card: what the model is, what it was trained on, how it did, and how to use it."""
    lines = [
        f"# nlp-coder model `{meta['name']}`",
        "",
        "Passage classifiers (hashed word 1-2-grams and character 3-5-grams, TF-IDF, logistic regression with",
        "calibrated probabilities) for provisions of the ATOP codesheet. Each treaty passage (paragraph or article)",
        "gets a probability per target; a treaty's probability is that of its best passage. For each target the",
        "model replaces the rules only where it won in leave-one-treaty-out cross-validation (`winner`).",
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

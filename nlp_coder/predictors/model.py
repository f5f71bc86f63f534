"""Models are folders: ``meta.json`` (versions, data, counts, metrics, file hashes), ``weights/`` as
``.npy`` arrays (never pickles), and a model card ``README.md`` written from the metadata.

Loading checks every file against the hash recorded at training time and refuses a model whose
files were changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal, cast

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlp_coder import __version__
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.codesheet.prior import CodePrior
from nlp_coder.errors import NlpCoderError
from nlp_coder.paths import MODELS_DIR
from nlp_coder.predictors.card import model_card
from nlp_coder.predictors.classifier import N_FEATURES, PassageClassifier
from nlp_coder.predictors.encoder import ENCODER_FILE, EncoderFile
from nlp_coder.predictors.semantic import SemanticHeads, load_concepts

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
    heads: SemanticHeads | None = None  # the semantic heads, when the model has them
    extras: dict[str, dict] = field(default_factory=dict)  # weights/<name>.json: semantic, prior, calibration

    @property
    def prior(self) -> CodePrior | None:
        """The code prior learned from ATOP, when the model has one."""
        data = self.extras.get("prior")
        return CodePrior.from_dict(data) if data else None

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
    heads: SemanticHeads | None = None,
    extras: dict[str, dict] | None = None,
) -> Path:
    """Write the model folder (into a temporary folder first, then moved into place)."""
    import scipy
    import sklearn

    from nlp_coder.output import folder_output, new_folder_beside, replace_folder

    out = folder_output(out, is_model_folder, "model")
    tmp = new_folder_beside(out)
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
        if heads is not None and heads.coef_ is not None and heads.intercept_ is not None:
            _save_npy(tmp / "weights" / "semantic" / "coef.npy", heads.coef_.ravel().astype(np.float32))
            _save_npy(tmp / "weights" / "semantic" / "intercept.npy", heads.intercept_.astype(np.float32))
            if heads.exemplars_ is not None and heads.exemplar_targets_ is not None:
                vectors = heads.exemplars_.astype(np.float16).ravel()
                _save_npy(tmp / "weights" / "semantic" / "exemplars.npy", vectors)
                labels = heads.exemplar_targets_.ravel()
                _save_npy(tmp / "weights" / "semantic" / "exemplar_targets.npy", labels)
            for k, arrays in enumerate(heads.mlp_ or []):
                for key, array in zip(NETWORK_ARRAYS, arrays, strict=True):
                    _save_npy(tmp / "weights" / "semantic" / f"net{k}_{key}.npy", array.ravel().astype(np.float32))
        if heads is not None and heads.encoder is not None:
            shutil.copyfile(heads.encoder.path, tmp / "weights" / ENCODER_FILE)
        for key, value in sorted((extras or {}).items()):
            (tmp / "weights" / f"{key}.json").write_text(
                json.dumps(value, indent=1, sort_keys=True) + "\n", encoding="utf-8"
            )
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
            "components": _components(extras or {}),
            "files": {str(p.relative_to(tmp)): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()},
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(model_card(meta), encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(f"{out}: cannot write the model ({exc.strerror or type(exc).__name__})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return replace_folder(tmp, out)


def _components(extras: dict[str, dict]) -> dict:
    """What the model card says of the semantic heads, the calibration and the prior."""
    out: dict = {}
    if "semantic" in extras:
        from nlp_coder.predictors.encoder import encoder_info

        info = encoder_info()
        semantic = {k: v for k, v in extras["semantic"].items() if k != "concepts"}
        semantic["encoder"] = {
            "name": info.name,
            "package": f"{info.package} {info.package_version}",
            "onnx_sha256": info.onnx_sha256,
            "tokenizer_sha256": info.tokenizer_sha256,
            "licence": info.licence,
            "source": info.source,
            **(extras["semantic"].get("encoder") or {}),  # a fine-tuned encoder's own name and hash
        }
        out["semantic"] = semantic
    if "calibration" in extras:
        c = extras["calibration"]
        out["calibration"] = {
            k: c.get(k) for k in ("method", "a", "b", "review_below", "points", "by_origin", "measured", "out_of_treaty")
        }
    if "prior" in extras:
        out["prior"] = {"alliances": extras["prior"].get("alliances"), "columns": len(extras["prior"]["rates"])}
    return out


def is_model_folder(folder: Path) -> bool:
    """True for a folder that holds an nlp-coder model and nothing else (``meta.json``, ``README.md``,
    ``weights/``): only such a folder may be replaced by a newly trained model."""
    try:
        names = {p.name for p in folder.iterdir()}
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        names <= {"meta.json", "README.md", "weights"}
        and isinstance(meta, dict)
        and meta.get("format") == FORMAT
    )


# --- loading: meta.json and params.json schemas, then every file checked -----------------------------

_SHA256 = r"^[0-9a-f]{64}$"
_TARGET_FILES = ("coef_index.npy", "coef_value.npy", "params.json")


class CvMeta(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    n: int = Field(ge=0)
    model_acc: float = Field(ge=0.0, le=1.0)
    rules_acc: float = Field(ge=0.0, le=1.0)


class TargetMeta(BaseModel):
    """One learned target in meta.json: its training counts and whether the model or the rules answer."""

    model_config = ConfigDict(extra="allow", strict=True)

    positive: int = Field(ge=0)
    negative: int = Field(ge=0)
    documents: int = Field(ge=0)
    winner: Literal["model", "rules"]
    cv: CvMeta | None = None


class ModelMeta(BaseModel):
    """The schema of a model's meta.json (as ``save_model`` writes it); keys added later are kept."""

    model_config = ConfigDict(extra="allow", strict=True)

    format: Literal["nlp-coder-model/1"]
    name: str = Field(min_length=1)
    version: str
    seed: int
    versions: dict[str, str]
    codebook: str
    data: dict[str, object]
    targets: dict[str, TargetMeta]
    code_priors: dict[str, int]
    files: dict[str, Annotated[str, Field(pattern=_SHA256)]]

    @field_validator("targets")
    @classmethod
    def _target_names(cls, value: dict[str, TargetMeta]) -> dict[str, TargetMeta]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
                raise ValueError(f"target name {name!r} cannot be a folder under weights/")
        return value

    @field_validator("files")
    @classmethod
    def _weight_paths(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("lists no files, so nothing could be checked; refusing to load")
        for rel in value:
            parts = rel.split("/")
            if (
                len(parts) < 2
                or parts[0] != "weights"
                or any(x in ("", ".", "..") for x in parts)
                or "\\" in rel
            ):
                raise ValueError(f"{rel!r} is not a path under weights/")
        return value


class _InitParams(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    C: float = Field(gt=0, allow_inf_nan=False)
    calibration: Literal["auto", "sigmoid", "isotonic"]
    random_state: int


class ClassifierParams(BaseModel):
    """The schema of ``weights/<target>/params.json`` (``PassageClassifier.to_arrays``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    params: _InitParams
    intercept: float = Field(allow_inf_nan=False)
    calibration: Literal["sigmoid", "isotonic", "none"]
    calibration_params: list[Annotated[float, Field(allow_inf_nan=False)]]
    n_pos: int = Field(ge=0)
    n_neg: int = Field(ge=0)

    @model_validator(mode="after")
    def _calibration_shape(self) -> ClassifierParams:
        k = len(self.calibration_params)
        if self.calibration == "sigmoid" and k != 2:
            raise ValueError(f"sigmoid calibration needs 2 parameters, not {k}")
        if self.calibration == "isotonic" and (k < 2 or k % 2):
            raise ValueError(f"isotonic calibration needs an even number of parameters, not {k}")
        return self


def _read_json(path: Path, what: str) -> object:
    from nlp_coder.configfile import read_text

    try:
        return json.loads(read_text(path, what, ModelError))
    except json.JSONDecodeError as exc:
        raise ModelError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise ModelError(f"{path}: not valid JSON (nested too deeply)") from exc


def _validated(model: type[BaseModel], raw: object, path: Path) -> BaseModel:
    from nlp_coder.configfile import first_problem, kind_of

    if not isinstance(raw, dict):
        raise ModelError(f"{path}: must be a JSON object, not {kind_of(raw)}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ModelError(f"{path}: {first_problem(exc, model.model_fields)}") from exc


def read_model_meta(folder: Path) -> tuple[ModelMeta, dict]:
    """``folder/meta.json`` checked against ``ModelMeta`` and against the weight files it must list (idf
    and every target's arrays and params), and the JSON object as read. ModelError
    ``<folder>/meta.json: <what is wrong>``."""
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise ModelError(f"{folder}: not a model folder (no meta.json)")
    raw = _read_json(meta_path, "model metadata")
    if isinstance(raw, dict) and "format" in raw and raw["format"] != FORMAT:
        raise ModelError(f"{meta_path}: format: unknown model format {raw['format']!r} (expected {FORMAT})")
    meta = cast(ModelMeta, _validated(ModelMeta, raw, meta_path))
    for target in meta.targets:
        missing = [
            f"weights/{target}/{name}"
            for name in _TARGET_FILES
            if f"weights/{target}/{name}" not in meta.files
        ]
        if missing:
            raise ModelError(
                f"{meta_path}: targets: {target}: its weight files are not in files ({', '.join(missing)})"
            )
    if meta.targets and "weights/idf.npy" not in meta.files:
        raise ModelError(f"{meta_path}: files: weights/idf.npy is not listed, but the targets need it")
    return meta, cast(dict, raw)


def check_model_files(folder: Path, files: dict[str, str]) -> None:
    """Every file ``files`` lists is there with its recorded hash, and weights/ holds no other file."""
    weights = folder / "weights"
    on_disk = (
        sorted(q.relative_to(folder).as_posix() for q in weights.rglob("*") if not q.is_dir())
        if weights.is_dir()
        else []
    )
    unlisted = [rel for rel in on_disk if rel not in files]
    if unlisted:
        more = f" and {len(unlisted) - 1} more" if len(unlisted) > 1 else ""
        raise ModelError(
            f"{folder}: {unlisted[0]}{more} not listed in meta.json files (added after training?); refusing to load"
        )
    for rel, digest in files.items():
        f = folder / rel
        if not f.is_file():
            raise ModelError(f"{folder}: missing model file {rel}")
        try:
            actual = _sha256(f)
        except OSError as exc:
            raise ModelError(f"{folder}: cannot read model file {rel} ({exc.strerror or exc})") from exc
        if actual != digest:
            raise ModelError(
                f"{folder}: model file {rel} was changed after training (hash mismatch); refusing to load"
            )


def _load_array(folder: Path, rel: str, kinds: str, length: int | None = None) -> np.ndarray:
    """A 1-D ``.npy`` array of a dtype kind in ``kinds`` (and ``length``), or ModelError naming it."""
    try:
        array = np.load(folder / rel, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ModelError(f"{folder}: {rel}: not a readable .npy array ({exc})") from exc
    if not isinstance(array, np.ndarray) or array.ndim != 1 or array.dtype.kind not in kinds:
        raise ModelError(f"{folder}: {rel}: not a 1-D array of the expected type")
    if length is not None and len(array) != length:
        raise ModelError(f"{folder}: {rel}: {len(array)} values, expected {length}")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ModelError(f"{folder}: {rel}: holds values that are not finite numbers")
    return array


def _load_classifier(folder: Path, target: str, idf: np.ndarray) -> PassageClassifier:
    base = f"weights/{target}"
    index = _load_array(folder, f"{base}/coef_index.npy", "iu")
    value = _load_array(folder, f"{base}/coef_value.npy", "f", len(index))
    if len(index) and (index.min() < 0 or index.max() >= 2 * N_FEATURES):
        raise ModelError(f"{folder}: {base}/coef_index.npy: feature index out of range")
    params_path = folder / base / "params.json"
    params = _validated(ClassifierParams, _read_json(params_path, "classifier parameters"), params_path)
    return PassageClassifier.from_arrays({"coef_index": index, "coef_value": value}, params.model_dump(), idf)


def load_model(path: str | Path | None = None) -> Model:
    """Load a model folder: meta.json must fit ``ModelMeta`` and list every file under weights/ (no
    more, no fewer), each with the hash recorded at training time. Anything else raises ModelError."""
    p = Path(path) if path is not None else DEFAULT_MODEL
    meta, raw = read_model_meta(p)
    check_model_files(p, meta.files)
    idf = None
    if "weights/idf.npy" in meta.files:
        idf = _load_array(p, "weights/idf.npy", "f", 2 * N_FEATURES).astype(np.float64)
    classifiers = {target: _load_classifier(p, target, idf) for target in meta.targets}
    extras = {
        rel[len("weights/") : -len(".json")]: _read_json(p / rel, "model settings")
        for rel in sorted(meta.files)
        if rel.count("/") == 1 and rel.endswith(".json")
    }
    for key, value in extras.items():
        if not isinstance(value, dict):
            raise ModelError(f"{p}: weights/{key}.json must be a JSON object")
    if "calibration" in extras:
        _check_calibration(p, extras["calibration"])
    if "prior" in extras:
        try:
            CodePrior.from_dict(extras["prior"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ModelError(f"{p}: weights/prior.json is not a code prior (rates by column)") from None
    heads = _load_heads(p, extras.get("semantic")) if "weights/semantic/coef.npy" in meta.files else None
    if heads is not None:
        heads.encoder = _encoder_file(p, meta.files)
    return Model(p, raw, idf, classifiers, heads, extras)


def fine_tuned_encoder(path: str | Path | None = None) -> tuple[EncoderFile | None, dict | None]:
    """A model folder's fine-tuned encoder (hash-checked like every file) and how it was tuned, or (None,
    None) when the model reads the pretrained one. Its heads are not loaded: training reuses the encoder of a
    model whose heads may read other concept features than the config has now."""
    p = Path(path) if path is not None else DEFAULT_MODEL
    meta, _ = read_model_meta(p)
    check_model_files(p, meta.files)
    encoder = _encoder_file(p, meta.files)
    if encoder is None:
        return None, None
    settings = {}
    if "weights/semantic.json" in meta.files:
        settings = _read_json(p / "weights" / "semantic.json", "model settings")
    tuned = settings.get("fine_tuned") if isinstance(settings, dict) else None
    return encoder, tuned


def _encoder_file(folder: Path, files: dict[str, str]) -> EncoderFile | None:
    """The model's own (fine-tuned) encoder with its recorded hash; None when it reads the shipped one."""
    rel = f"weights/{ENCODER_FILE}"
    return EncoderFile(folder / rel, files[rel]) if rel in files else None


def _check_calibration(folder: Path, calibration: dict) -> None:
    x, y, below = calibration.get("x"), calibration.get("y"), calibration.get("review_below")
    numbers = (int, float)
    if (
        not isinstance(x, list)
        or not isinstance(y, list)
        or len(x) != len(y)
        or not x
        or not all(isinstance(v, numbers) for v in x + y)
        or any(b < a for a, b in pairwise(x))
        or not isinstance(below, numbers)
    ):
        raise ModelError(
            f"{folder}: weights/calibration.json needs increasing x, y of the same length and review_below"
        )


def _load_heads(folder: Path, settings: dict | None) -> SemanticHeads:
    """The semantic heads: ``weights/semantic/{coef,intercept}.npy`` shaped by ``weights/semantic.json``."""
    if not settings or not isinstance(settings.get("targets"), list) or not settings["targets"]:
        raise ModelError(f"{folder}: weights/semantic.json must list the heads' targets")
    targets = tuple(str(t) for t in settings["targets"])
    width = settings.get("n_features")
    if not isinstance(width, int) or width <= 0:
        raise ModelError(f"{folder}: weights/semantic.json: n_features must be a positive integer")
    _check_concepts(folder, settings.get("concepts"))
    coef = _load_array(folder, "weights/semantic/coef.npy", "f", len(targets) * width)
    intercept = _load_array(folder, "weights/semantic/intercept.npy", "f", len(targets))
    heads = SemanticHeads(targets)
    heads.coef_ = coef.reshape(len(targets), width).astype(np.float32)
    heads.intercept_ = intercept.astype(np.float32)
    if "exemplars" in settings:
        _load_exemplars(folder, settings["exemplars"], heads)
    if "networks" in settings:
        _load_networks(folder, settings["networks"], heads, width)
    return heads


NETWORK_ARRAYS = ("w1", "b1", "w2", "b2")  # weights/semantic/net<k>_<name>.npy, one set per network


def _load_networks(folder: Path, spec: object, heads: SemanticHeads, width: int) -> None:
    """The heads' small networks (``weights/semantic/net<k>_{w1,b1,w2,b2}.npy``), as ``weights/semantic.json``
    describes them: how many, their hidden units and their weight in the probability."""
    try:
        n, hidden, mix = int(spec["n"]), int(spec["hidden"]), float(spec["mix"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"{folder}: weights/semantic.json: networks needs n, hidden and mix") from None
    if n <= 0 or hidden <= 0 or not 0.0 < mix <= 1.0:
        raise ModelError(f"{folder}: weights/semantic.json: networks has an impossible value")
    t = len(heads.targets)
    shapes = {"w1": (width, hidden), "b1": (hidden,), "w2": (hidden, t), "b2": (t,)}
    heads.mlp_ = [
        tuple(
            _load_array(folder, f"weights/semantic/net{k}_{key}.npy", "f", int(np.prod(shapes[key])))
            .reshape(shapes[key])
            .astype(np.float32)
            for key in NETWORK_ARRAYS
        )
        for k in range(n)
    ]
    heads.mix, heads.hidden, heads.seeds = mix, hidden, n


def _check_concepts(folder: Path, names: object) -> None:
    """The heads read the concept features of ``configs/concepts.yaml``: a model trained on other ones (the
    config changed since) would read columns in the wrong places, so it is refused."""
    if names is None:
        return
    if names != load_concepts().feature_names:
        raise ModelError(
            f"{folder}: its semantic heads were trained on other concept features than configs/concepts.yaml "
            "has now; retrain the model (nlp-coder train)"
        )


def _load_exemplars(folder: Path, spec: object, heads: SemanticHeads) -> None:
    """The heads' exemplars (``weights/semantic/exemplars.npy``, ``exemplar_targets.npy``) and how they are
    blended in, as ``weights/semantic.json`` describes them."""
    rel = "weights/semantic.json"
    try:
        n, dims = int(spec["n"]), int(spec["dims"])  # type: ignore[index]
        knn, blend, scale = int(spec["knn"]), float(spec["blend"]), float(spec["scale"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"{folder}: {rel}: exemplars needs n, dims, knn, blend and scale") from None
    if n <= 0 or dims <= 0 or knn <= 0 or not 0.0 <= blend <= 1.0 or not scale > 0:
        raise ModelError(f"{folder}: {rel}: exemplars has an impossible value")
    vectors = _load_array(folder, "weights/semantic/exemplars.npy", "f", n * dims)
    labels = _load_array(folder, "weights/semantic/exemplar_targets.npy", "u", n * len(heads.targets))
    if labels.max(initial=0) > 1:
        raise ModelError(f"{folder}: weights/semantic/exemplar_targets.npy: values other than 0 and 1")
    heads.exemplars_ = vectors.reshape(n, dims).astype(np.float16).astype(np.float32)
    heads.exemplar_targets_ = labels.reshape(n, len(heads.targets)).astype(np.uint8)
    heads.knn, heads.blend, heads.scale = knn, blend, scale

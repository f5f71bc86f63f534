"""The sentence encoder, the gate, the semantic heads, the reconciler's combining, calibration and the prior."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.codesheet.prior import CodePrior
from nlp_coder.drafting.reconcile import combine, reconcile
from nlp_coder.errors import ConfigError
from nlp_coder.learn import calibrate
from nlp_coder.predictors.base import Candidate
from nlp_coder.predictors.encoder import ENCODER_DIR, EncoderError, SentenceEncoder, default_encoder
from nlp_coder.predictors.semantic import (
    DISCLAIMER,
    SemanticHeads,
    gated_units,
    load_concepts,
    passes_gate,
    sentence_proba,
)
from nlp_coder.text.treaty import treaty_from_text

TYPES = ("defense", "offense", "neutral", "nonagg", "consul")


def test_encoder_gives_unit_vectors_that_follow_meaning():
    enc = default_encoder()
    v = enc.encode(
        [
            "Should either State be attacked, the other shall help it with all its troops.",
            "If one of the two countries suffers an armed assault, its partner will defend it by arms.",
            "Import duties on woollen cloth shall be lowered by one third.",
        ]
    )
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_encoder_is_deterministic():
    enc = default_encoder()
    sentences = ["The Parties shall consult.", "Neither Party shall attack the other.", "Done at Ostmark."]
    assert enc.encode(sentences).tobytes() == enc.encode(list(sentences)).tobytes()


def test_an_encoder_loading_in_the_background_is_waited_for_not_loaded_twice(monkeypatch):
    import threading
    import time

    from nlp_coder.predictors import encoder as module

    made, started = [], threading.Event()

    class Slow:
        def __init__(self):
            started.set()
            time.sleep(0.3)
            made.append(self)

    monkeypatch.setattr(module, "SentenceEncoder", Slow)
    module._shipped_encoder.cache_clear()
    try:
        module.load_in_background()
        assert started.wait(5)
        got = module.default_encoder()  # called while the thread is still loading
        assert made == [got]
        assert module.default_encoder() is got
    finally:
        module._shipped_encoder.cache_clear()


def test_a_background_load_that_fails_is_raised_by_the_drafts_own_call(monkeypatch, capfd):
    from nlp_coder.predictors import encoder as module

    def broken():
        raise EncoderError("the encoder file was changed (hash mismatch); refusing to load")

    monkeypatch.setattr(module, "SentenceEncoder", broken)
    module._shipped_encoder.cache_clear()
    try:
        module.load_in_background()
        with pytest.raises(EncoderError, match="changed"):
            module.default_encoder()
        assert capfd.readouterr().err == ""  # the thread itself says nothing
    finally:
        module._shipped_encoder.cache_clear()


def test_a_changed_tokenizer_is_refused(tmp_path):
    folder = tmp_path / "encoder"
    shutil.copytree(ENCODER_DIR, folder)
    tokenizer = folder / "tokenizer.json"
    tokenizer.write_bytes(tokenizer.read_bytes().replace(b'"[UNK]"', b'"[UNKNOWN]"', 1))
    with pytest.raises(EncoderError, match="changed"):
        SentenceEncoder(folder)


def test_a_changed_onnx_hash_is_refused(tmp_path):
    folder = tmp_path / "encoder"
    shutil.copytree(ENCODER_DIR, folder)
    info = json.loads((folder / "encoder.json").read_text())
    info["onnx_sha256"] = "0" * 64
    (folder / "encoder.json").write_text(json.dumps(info))
    with pytest.raises(EncoderError, match="hash mismatch"):
        SentenceEncoder(folder)


@pytest.mark.parametrize(
    "sentence",
    [
        "If either Party is assailed by a third Power, the other shall stand by it.",
        "The two Governments shall confer at once whenever their security is in danger.",
        "Each Party shall remain neutral should the other be at war.",
        "The Parties renounce force in their mutual relations.",
        "Should a crisis endanger the peace of the region, the Ministers shall meet at once.",
        "The two navies shall blockade the ports of Dravos until the province is returned.",
        "Should any event menace the status quo, the two Governments will communicate with each other at once.",
    ],
)
def test_the_gate_lets_promises_through(sentence):
    assert passes_gate(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "This Agreement shall enter into force on the thirtieth day after its signature.",
        "Tariffs on fresh fruit shall be eliminated within five years.",
        "No Party shall adopt measures in conflict with this Chapter.",
        "Nothing in this Agreement shall prevent a Party from taking action it considers necessary for the "
        "protection of its essential security interests.",
        "The Parties shall cooperate in combating fraud and corruption.",
        "A Party may apply an emergency safeguard measure for a period of up to three years.",
    ],
)
def test_the_gate_keeps_trade_boilerplate_out(sentence):
    assert not passes_gate(sentence)


def test_gated_units_skip_the_preamble_and_the_title():
    text = (
        "TREATY OF PEACE AND WAR\n\nThe Parties, desiring peace and security, have agreed as follows:\n\n"
        "Article 1\n\nShould either Party be attacked, the other shall come to its aid.\n\n"
        "Article 2\n\nThis Treaty is concluded for ten years.\n"
    )
    treaty = treaty_from_text(text)
    quotes = [s for _, _, s in gated_units(treaty)]
    assert quotes == ["Should either Party be attacked, the other shall come to its aid."]


def test_the_heads_read_a_sentence_without_the_label_of_its_part():
    text = (
        "TREATY\n\nThe Parties have agreed as follows:\n\n"
        "Article 2\nThe Parties reject the use or threat of force in their mutual relations.\n\n"
        "ARTICLE III. 1. Should either Party be attacked, the other shall come to its aid.\n"
    )
    treaty = treaty_from_text(text)
    units = gated_units(treaty)
    assert [s for _, _, s in units] == [
        "The Parties reject the use or threat of force in their mutual relations.",
        "Should either Party be attacked, the other shall come to its aid.",
    ]
    assert all(treaty.text[start:end].rstrip().endswith(s[-20:]) for start, end, s in units)


def test_a_sentence_of_two_promises_is_also_read_clause_by_clause():
    text = (
        "Article 1\n\nThe two Governments undertake never to attack each other, and should a third Power "
        "invade either of them, the other shall send its armies to repel the invader; in any other war each "
        "shall stay neutral.\n\nArticle 2: The Parties shall confer whenever their security is in danger.\n"
    )
    treaty = treaty_from_text(text)
    units = gated_units(treaty)
    whole, *clauses, last = units
    assert whole[2].startswith("The two Governments") and whole[2].endswith("stay neutral.")
    assert [c for _, _, c in clauses] == [
        "The two Governments undertake never to attack each other",
        "should a third Power invade either of them, the other shall send its armies to repel the invader",
        "in any other war each shall stay neutral.",
    ]
    for start, end, clause in clauses:  # each clause's offsets are its own, within its sentence
        assert whole[0] <= start < end <= whole[1]
        assert " ".join(treaty.text[start:end].split()).strip(" ,;:") == clause
    # one clause only (a label and its sentence, a comma before a mere list) is not read twice
    assert last[2] == "The Parties shall confer whenever their security is in danger."


def test_a_disclaimer_is_not_read_but_the_promise_beside_it_is():
    text = (
        "Article 1\n\nShould either Party be attacked without provocation, the other shall come to its aid "
        "with all its forces; this engagement shall not extend to wars arising in the colonies.\n\n"
        "Article 2\n\nNothing in the present Treaty shall bind either Party to take up arms in a war which "
        "the other has begun.\n\n"
        "Article 3\n\nThe present understanding implies no engagement on the part of either Government to "
        "have recourse to arms.\n\n"
        "Article 4\n\nNo act of hostility shall be committed by the forces of either Party against the other.\n"
    )
    quotes = [s for _, _, s in gated_units(treaty_from_text(text))]
    assert quotes == [
        "Should either Party be attacked without provocation, the other shall come to its aid with all its forces",
        "No act of hostility shall be committed by the forces of either Party against the other.",
    ]


@pytest.mark.parametrize(
    ("sentence", "disclaims"),
    [
        ("Nothing herein shall be construed as obliging the Kingdom to send a single soldier abroad.", True),
        ("The Republic is not bound to take the field on behalf of the Empire.", True),
        ("This Declaration creates no legal obligation of military assistance.", True),
        ("Vessia does not assume any obligation of armed support towards Kesh.", True),
        ("Neither Government shall be deemed bound to any warlike action by reason of this Note.", True),
        ("These provisions shall not apply to conflicts arising in overseas territories.", True),
        ("Paragraphs 2 and 3 shall not apply to measures having military implications.", True),
        ("The Parties shall not engage in, support or tolerate any armed action against one another.", False),
        ("Vessia shall not extend help of any nature to a Power at war with Oranthe.", False),
        ("The two States will not commit aggression against each other.", False),
        ("If either Party is invaded, the other is bound to come to its aid with all its forces.", False),
    ],
)
def test_what_counts_as_a_disclaimer(sentence, disclaims):
    assert bool(DISCLAIMER.search(sentence)) is disclaims


def test_a_recital_outside_the_preamble_is_not_read_as_a_promise():
    text = (
        "Article 1\n\nResolved that neither of their peoples shall again be left to face an invader alone,\n\n"
        "Article 2\n\nDetermined to resist any invasion, the Parties shall assist each other with all their "
        "forces.\n"
    )
    quotes = [s for _, _, s in gated_units(treaty_from_text(text))]
    assert quotes == ["Determined to resist any invasion, the Parties shall assist each other with all their forces."]


@pytest.mark.parametrize(
    ("sentence", "disclaims"),
    [
        ("Nothing in this Declaration shall be taken as committing either Government to send troops.", True),
        ("The Accord does not oblige the Signatories to render armed assistance to one another.", True),
        ("An Ally shall not be bound to enter a war that the other has provoked.", True),
        ("This Pact imposes no obligation of military assistance on either Party.", True),
        ("Should either Ally be attacked, the other shall send troops to its assistance at once.", False),
        ("Neither Party shall resort to force against the other.", False),
        ("The Parties shall consult, and each is under an obligation to inform the other.", False),
    ],
)
def test_a_disclaimer_of_obligation_is_a_concept_of_its_own(sentence, disclaims):
    """What an instrument says it does not bind the parties to is no promise; the heads see it as such."""
    concepts = load_concepts()
    found = concepts.transform([sentence])[0]
    assert bool(found[concepts.names.index("disclaim")]) is disclaims


def test_a_concepts_config_naming_an_unknown_concept_is_refused(tmp_path):
    bad = tmp_path / "concepts.yaml"
    bad.write_text("concepts:\n  attack: [attack]\npairs:\n  - [attack, help]\n")
    with pytest.raises(ConfigError, match="pairs"):
        load_concepts(bad)


def test_heads_learn_and_read_two_promises_in_one_sentence():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    Y = np.zeros((200, 2), dtype=int)
    Y[:, 0] = X[:, 0] > 0.5
    Y[:, 1] = X[:, 1] > 0.5
    heads = SemanticHeads(("a", "b")).fit(X, Y)
    first, second = 3.0 * np.eye(6)[0], 3.0 * np.eye(6)[1]
    proba = sentence_proba(heads, np.vstack([first, second, first + second]))
    assert proba[0, 0] > 0.9 and proba[0, 1] < 0.2
    assert proba[1, 1] > 0.9 and proba[1, 0] < 0.2
    assert (proba[2] > 0.9).all()


def test_exemplars_pull_a_sentence_towards_the_type_of_the_clauses_nearest_it():
    heads = SemanticHeads(("defense", "consul"), knn=1, blend=0.3, scale=30.0)
    heads.coef_, heads.intercept_ = np.zeros((2, 4), np.float32), np.zeros(2, np.float32)  # heads alone: 0.5
    heads.exemplars_ = np.eye(3, dtype=np.float32)  # a defence clause, a consultation clause, a near miss
    heads.exemplar_targets_ = np.array([[1, 0], [0, 1], [0, 0]], dtype=np.uint8)
    X = np.array([[1, 0, 0, 0.5], [0, 0, 1, 0.5], [0.05, 0.1, 0, 0.5]], dtype=np.float32)  # embedding, concept
    p = heads.predict_proba(X)
    assert p[0, 0] == pytest.approx(0.7 * 0.5 + 0.3, abs=1e-3) and p[0, 1] == pytest.approx(0.5, abs=1e-3)
    assert (p[1] < 0.36).all()  # nearest the near miss: both types pushed down
    assert p[2, 1] > p[2, 0] > 0.5  # nearer the consultation clause than the defence one, both above the miss
    heads.exemplars_ = None
    assert np.allclose(heads.predict_proba(X), 0.5)  # without exemplars, the heads alone


def test_nearness_is_the_same_whatever_the_rows_compared_at_a_time(monkeypatch):
    from nlp_coder.predictors import semantic as module

    rng = np.random.default_rng(2)
    emb = rng.normal(size=(30, 8)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    Y = (rng.random((30, 2)) > 0.7).astype(int)
    Y[0], Y[1], Y[2] = [1, 0], [0, 1], [0, 0]
    heads = SemanticHeads(("defense", "consul")).fit(emb, Y, embeddings=emb)
    whole = heads.nearness(emb)
    monkeypatch.setattr(module, "NEARNESS_ROWS", 7)
    assert np.allclose(heads.nearness(emb), whole, atol=1e-6)


def heads_model(path, heads, settings):
    """A model folder holding only semantic heads, with ``settings`` as its semantic.json."""
    from nlp_coder.predictors.model import save_model

    empty = {"classifiers": {}, "counts": {}, "idf": None}
    return save_model(path, empty, load_codebook(), {}, 0, path.name, {}, heads=heads, extras={"semantic": settings})


def test_a_model_with_exemplars_saves_loads_and_refuses_them_changed(tmp_path):
    from nlp_coder.predictors.model import ModelError, load_model

    rng = np.random.default_rng(1)
    emb = rng.normal(size=(40, 8)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    Y = np.zeros((40, 2), dtype=int)
    Y[:10, 0], Y[10:20, 1] = 1, 1
    heads = SemanticHeads(("defense", "consul")).fit(np.hstack([emb, emb[:, :2]]), Y, embeddings=emb)
    spec = {"n": 40, "dims": 8, "knn": 3, "blend": 0.3, "scale": 30.0}
    networks = {"n": heads.seeds, "hidden": heads.hidden, "mix": heads.mix}
    settings = {
        "targets": ["defense", "consul"], "n_features": 10, "claim": 0.6, "veto": 0.35, "exemplars": spec,
        "networks": networks,
    }
    path = heads_model(tmp_path / "m", heads, settings)
    loaded = load_model(path).heads
    X = np.hstack([emb, emb[:, :2]])
    assert len(loaded.mlp_) == heads.seeds == 3
    assert loaded.predict_proba(X).tobytes() == heads.predict_proba(X).tobytes()
    card = (path / "README.md").read_text(encoding="utf-8")
    assert "exemplar sentences" in card and "3 small networks" in card
    for name in ("exemplars.npy", "net2_w1.npy"):
        vectors = path / "weights" / "semantic" / name
        original = vectors.read_bytes()
        data = bytearray(original)
        data[-1] ^= 0xFF
        vectors.write_bytes(bytes(data))
        with pytest.raises(ModelError, match="hash mismatch"):
            load_model(path)
        vectors.write_bytes(original)
    load_model(path)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_the_networks_probabilities_are_those_of_the_fitted_networks():
    """The heads keep each network as its weight arrays and read them without scikit-learn: the same
    probabilities as the fitted networks give, and their mean mixed into the heads' probability."""
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 6)).astype(np.float32)
    Y = np.stack([(X[:, 0] * X[:, 1] > 0), (X[:, 2] > 0.5)], axis=1).astype(int)  # the first is no linear rule
    heads = SemanticHeads(("a", "b"), seeds=2, hidden=16).fit(X, Y)
    fitted = [MLPClassifier((16,), alpha=1e-3, max_iter=300, random_state=s).fit(X, Y) for s in (0, 1)]
    expected = np.mean([f.predict_proba(X) for f in fitted], axis=0)
    assert np.allclose(heads.network_proba(X), expected, atol=1e-4)
    linear = 1.0 / (1.0 + np.exp(-heads.decision_function(X)))
    assert np.allclose(heads.predict_proba(X), (1 - heads.mix) * linear + heads.mix * expected, atol=1e-4)
    assert SemanticHeads(("a", "b"), mix=0.0).fit(X, Y).mlp_ is None


def q16(codes, confidence=0.8, quote="Article 1 text"):
    full = {t: codes.get(t, 0) for t in TYPES}
    ev = [Evidence(quote, "Article 1", 0, 10)] if any(full.values()) else []
    return SheetAnswer(16, "x", None, full, evidence=ev, confidence=confidence, source="text")


def semantic(scores, claim=0.8, veto=0.5):
    quotes = {t: Evidence(f"sentence for {t}", "Article 2", 20 + i, 30 + i) for i, t in enumerate(TYPES)}
    codes = {t: int(scores.get(t, 0.0) >= claim) for t in TYPES}
    ev = [quotes[t] for t in TYPES if codes[t]]
    answer = SheetAnswer(16, "", codes=codes, evidence=ev, source="text")
    return Candidate("semantic.v1", answer, {t: scores.get(t, 0.0) for t in TYPES}, quotes, veto)


def test_the_heads_add_a_type_the_cues_missed_and_q18_quotes_it():
    cb = load_codebook()
    q18 = SheetAnswer(18, "Defense (Article 1): “...”", evidence=[Evidence("x", "Article 1", 0, 10)])
    candidates = {
        16: [Candidate("obligations.v1", q16({"defense": 1})), semantic({"defense": 0.95, "nonagg": 0.9})],
        18: [Candidate("obligations.v1", q18)],
    }
    answers = combine(candidates, cb)
    assert answers[16].codes["defense"] == 1 and answers[16].codes["nonagg"] == 1
    assert any(e.quote == "sentence for nonagg" for e in answers[16].evidence)
    assert "Nonaggression (Article 2, semantic heads)" in answers[18].answer
    assert answers[16].needs_review


def test_the_heads_veto_a_cue_they_do_not_read_as_a_promise():
    cb = load_codebook()
    candidates = {16: [Candidate("obligations.v1", q16({"consul": 1})), semantic({"consul": 0.1})]}
    answer = combine(candidates, cb)[16]
    assert answer.codes["consul"] == 0
    assert "consultation" in answer.answer and answer.needs_review


@pytest.mark.parametrize(("elsewhere", "kept"), [(0.6, 0), (0.9, 1)])
def test_a_cue_is_judged_on_the_sentence_it_quotes(elsewhere, kept):
    # the cue quotes characters 0-10, which the heads read as no consultation; another sentence scores
    # `elsewhere`: short of the claim threshold (0.8) it does not rescue the cue, at or above it it does
    cb = load_codebook()
    heads = dataclasses.replace(
        semantic({"consul": elsewhere}),
        claims={t: 0.8 for t in TYPES},
        read=((0, 10, {"consul": 0.1}), (20, 30, {"consul": elsewhere})),
    )
    candidates = {16: [Candidate("obligations.v1", q16({"consul": 1})), heads]}
    answer = combine(candidates, cb)[16]
    assert answer.codes["consul"] == kept


@pytest.mark.parametrize(("quoted", "kept"), [(0.7, 1), (0.2, 0)])
def test_a_cue_type_the_heads_yield_on_its_sentence_stands_if_they_read_it_there(quoted, kept):
    # offence yielded to defence on every sentence, so its best yielded score is 0; the sentence the cue
    # quotes reads offence at `quoted`: at or above the veto (0.5) the cue's offence stands, below it not
    cb = load_codebook()
    heads = dataclasses.replace(
        semantic({"defense": 0.97, "offense": 0.0}),
        claims={t: 0.8 for t in TYPES},
        read=((0, 10, {"defense": 0.97, "offense": quoted}),),
    )
    answer = combine({16: [Candidate("obligations.v1", q16({"defense": 1, "offense": 1})), heads]}, cb)[16]
    assert answer.codes["defense"] == 1 and answer.codes["offense"] == kept


def test_after_the_classifiers_only_the_types_they_added_are_vetoed():
    from nlp_coder.drafting.reconcile import veto_types

    cb = load_codebook()
    heads = semantic({"defense": 0.97, "offense": 0.0, "consul": 0.1})
    answers = {16: q16({"defense": 1, "offense": 1, "consul": 1})}
    veto_types(answers, heads, cb, before={"defense": 1, "offense": 1})  # consultation: a classifier's
    assert answers[16].codes == {**answers[16].codes, "defense": 1, "offense": 1, "consul": 0}
    assert answers[16].needs_review and "consultation" in answers[16].answer


def test_a_cue_on_a_sentence_the_heads_did_not_read_is_judged_on_the_treaty():
    cb = load_codebook()
    heads = dataclasses.replace(
        semantic({"consul": 0.6}), claims={t: 0.8 for t in TYPES}, read=((20, 30, {"consul": 0.6}),)
    )
    answer = combine({16: [Candidate("obligations.v1", q16({"consul": 1})), heads]}, cb)[16]
    assert answer.codes["consul"] == 1


def test_the_most_confident_candidate_wins_whatever_the_order():
    cb = load_codebook()
    weak = SheetAnswer(8, "No", "no", {"proadd": 0}, confidence=0.6, source="text")
    strong = SheetAnswer(8, "Yes", "yes", {"proadd": 1}, confidence=0.9, source="text")
    for order in ([weak, strong], [strong, weak]):
        answers = combine({8: [Candidate(f"p{i}", a) for i, a in enumerate(order)]}, cb)
        assert answers[8].answer == "Yes"


def test_the_calibration_map_is_a_monotone_logistic_curve_and_sets_a_review_threshold():
    conf = [0.5] * 40 + [0.7] * 40 + [0.9] * 40 + [0.99] * 60
    right = [1] * 20 + [0] * 20 + [1] * 28 + [0] * 12 + [1] * 37 + [0] * 3 + [1] * 60
    fitted = calibrate.fit_calibration(calibrate.Points(conf, right, ["t"] * len(conf)))
    assert fitted["method"] == "platt" and fitted["a"] > 0
    assert fitted["y"] == sorted(fitted["y"]) and fitted["x"][0] == 0.0 and fitted["x"][-1] == 1.0
    assert calibrate.apply(fitted, 0.99) > 0.95 > calibrate.apply(fitted, 0.9) > calibrate.apply(fitted, 0.5)
    assert abs(calibrate.apply(fitted, 0.5) - 0.5) < 0.1  # a coin at 0.5 stays about a coin
    # 97 of the 100 answers at 0.9 and above are right, on the answers the map saw and on the cross-fit
    assert calibrate.apply(fitted, 0.7) < fitted["review_below"] <= calibrate.apply(fitted, 0.9)
    passed = [r for c, r in zip(conf, right, strict=True) if calibrate.apply(fitted, c) >= fitted["review_below"]]
    assert len(passed) == 100 and sum(passed) / len(passed) >= 0.95
    assert fitted["measured"]["coverage_at_95_crossfit"] > 0.2
    assert calibrate.ece([0.9] * 10, [1] * 9 + [0]) == pytest.approx(0.0, abs=1e-9)
    assert calibrate.ece([0.9] * 10, [0] * 10) == pytest.approx(0.9)


def test_a_confidence_that_says_nothing_gets_the_overall_rate():
    fitted = calibrate.fit_platt([0.9, 0.6, 0.9, 0.6], [0, 1, 0, 1])  # higher raw confidence, less often right
    assert fitted["a"] == 0.0 and set(fitted["y"]) == {0.5}
    assert set(calibrate.fit_platt([0.7, 0.8], [1, 1])["y"]) == {0.995}  # one class: its rate, clipped


def test_no_answer_passes_review_unless_a_cross_fitted_threshold_also_holds():
    # 37 answers: the map fitted on all of them passes those at 0.9375 and above as 95% right, but no
    # threshold keeps 95% on either half when the map is fitted on the other half
    conf = [0.99, 0.71, 0.99, 0.71, 0.59, 0.89, 0.64, 0.78, 0.82, 0.6, 0.52, 0.99, 0.91, 0.56, 0.92, 0.63, 0.62,
            0.89, 0.88, 0.92, 0.57, 0.87, 0.73, 0.66, 0.87, 0.92, 0.66, 0.58, 1.0, 0.96, 0.64, 0.91, 0.54, 0.96,
            0.89, 0.6, 0.65]  # fmt: skip
    right = [1] * 37
    for k in (15, 19, 23, 32):
        right[k] = 0
    fitted = calibrate.fit_calibration(calibrate.Points(conf, right, ["t"] * len(conf)))
    in_sample = calibrate.review_threshold([calibrate.apply(fitted, c) for c in conf], right)
    assert in_sample < 1.0 and fitted["measured"]["coverage_at_95_crossfit"] == 0.0
    assert fitted["review_below"] == 1.01  # every answer flagged


def test_calibration_decides_confidence_and_review():
    cb = load_codebook()
    mapping = {"x": [0.0, 0.5, 1.0], "y": [0.1, 0.5, 0.99], "review_below": 0.9}
    answers = {
        8: SheetAnswer(8, "Yes", "yes", {"proadd": 1}, evidence=[Evidence("x")], confidence=1.0, source="text"),
        9: SheetAnswer(9, "No", "no", {"futmem": 0}, confidence=0.5, source="text"),
    }
    reconcile(answers, cb, mapping)
    assert answers[8].confidence == 0.99 and not answers[8].needs_review
    assert answers[9].confidence == 0.5 and answers[9].needs_review


def test_the_calibrator_is_fitted_on_the_confidences_a_calibrated_draft_maps():
    """Out-of-treaty drafts go through the identity map: an answer without a quote keeps its confidence, as it
    does in a calibrated draft, where without any map the reconciler would cap it at 0.89."""
    cb = load_codebook()

    def quoteless():
        return {9: SheetAnswer(9, "No", "no", {"futmem": 0}, confidence=0.97, source="text")}

    assert reconcile(quoteless(), cb)[9].confidence == 0.89
    assert reconcile(quoteless(), cb, calibrate.IDENTITY)[9].confidence == 0.97
    mapping = {"x": [0.0, 0.9, 1.0], "y": [0.2, 0.5, 1.0], "review_below": 0.95}
    assert reconcile(quoteless(), cb, mapping)[9].confidence == pytest.approx(
        calibrate.apply(mapping, 0.97), abs=0.01
    )


def rows(n_with, n_without, column="specthrt", year=1950, bilat=1):
    return [{"begyr": year, "bilat": bilat, column: 1}] * n_with + [
        {"begyr": year, "bilat": bilat, column: 0}
    ] * n_without


def test_the_prior_learns_rates_by_era_and_shrinks_small_cells():
    prior = CodePrior().fit(rows(2, 98) + rows(60, 40, year=1995, bilat=0), ["specthrt"])
    assert prior.p_nonzero("specthrt", 1950, 1) < 0.1 < 0.5 < prior.p_nonzero("specthrt", 1995, 0)
    assert 0.05 < prior.p_nonzero("specthrt") < 0.6  # unknown era: the overall rate
    assert CodePrior.from_dict(json.loads(json.dumps(prior.to_dict()))).rates == prior.rates


def alliances(kind_codes, n_with, n_without, year=1950):
    return [{"begyr": year, "bilat": 0, **kind_codes, "base": 1}] * n_with + [
        {"begyr": year, "bilat": 0, **kind_codes, "base": 0}
    ] * n_without


MILITARY = {"defense": 1, "offense": 0, "neutral": 0, "nonagg": 0, "consul": 1}
PACT = {"defense": 0, "offense": 0, "neutral": 1, "nonagg": 1, "consul": 0}


def test_the_prior_knows_the_kind_of_alliance_from_its_obligations():
    from nlp_coder.codesheet.prior import kind_of

    assert kind_of(MILITARY) == "military" and kind_of(PACT) == "pact"
    assert kind_of({**PACT, "nonagg": 0, "neutral": 0, "consul": 1}) == "consultation"
    assert kind_of({"defense": 1}) is None  # the other types unknown
    prior = CodePrior().fit(
        alliances(MILITARY, 30, 70) + alliances(PACT, 1, 99), ["base", "defense", "nonagg"]
    )
    military, pact, either = (prior.p_nonzero("base", 1950, 0, k) for k in ("military", "pact", None))
    assert pact < 0.05 < either < military < 0.35
    assert prior.p_nonzero("base", 1950, 0, "consultation") == either  # a kind never seen: era and bilateral
    # an obligation's own rate is never conditioned on the kind it makes
    assert prior.p_nonzero("nonagg", 1950, 0, "pact") == prior.p_nonzero("nonagg", 1950, 0)
    # a prior saved before kinds were learnt still answers for a drafted kind
    old = CodePrior({"base": {"all": 0.2, "era=1946-1989": 0.1}})
    assert old.p_nonzero("base", 1950, 0, "military") == 0.1


def test_a_weak_cue_for_a_rare_provision_is_not_claimed_but_a_strong_one_is():
    cb = load_codebook()
    prior = CodePrior().fit(rows(3, 97), ["specthrt"])
    number = next(q.number for q in cb.questions if "specthrt" in q.columns)

    def drafted(confidence):
        return {
            3: SheetAnswer(3, "1950", None, {"begyr": 1950}, confidence=0.9, source="text"),
            number: SheetAnswer(
                number, "Yes", "yes", {"specthrt": 1}, evidence=[Evidence("x")], confidence=confidence,
                source="text",
            ),
        }

    weak = reconcile(drafted(0.75), cb, prior=prior)[number]
    assert weak.yes_no == "no" and weak.needs_review and weak.evidence
    strong = reconcile(drafted(0.995), cb, prior=prior)[number]
    assert strong.yes_no == "yes"


def test_the_renewal_rate_is_conditioned_on_a_stated_length_and_a_common_provision_is_not_denied_lightly():
    cb = load_codebook()
    stated = [{"begyr": 1950, "bilat": 1, "speclgth": 1, "proren": 2}] * 45 + [
        {"begyr": 1950, "bilat": 1, "speclgth": 1, "proren": 1}
    ] * 5
    unstated = [{"begyr": 1950, "bilat": 1, "speclgth": 0, "proren": 0}] * 50
    prior = CodePrior().fit(stated + unstated, ["proren", "speclgth"])
    assert prior.modes["proren"] == 2
    length, none = (prior.p_nonzero("proren", 1950, 1, codes={"speclgth": v}) for v in (1, 0))
    assert none < 0.1 < 0.5 < 0.9 < length
    assert none < prior.p_nonzero("proren", 1950, 1) < length  # the length not drafted: between the two
    again = CodePrior.from_dict(json.loads(json.dumps(prior.to_dict())))
    assert again.p_nonzero("proren", 1950, 1, codes={"speclgth": 1}) == length and again.modes == prior.modes
    number = next(q.number for q in cb.questions if "proren" in q.columns)
    length_q = next(q.number for q in cb.questions if "speclgth" in q.columns)

    def drafted(speclgth):
        return {
            3: SheetAnswer(3, "1950", None, {"begyr": 1950}, confidence=0.9, source="text"),
            length_q: SheetAnswer(length_q, "x", None, {"speclgth": speclgth}, confidence=0.9, source="text"),
            number: SheetAnswer(number, "No", "no", {"proren": 0}, confidence=0.8, source="text"),
        }

    claimed = reconcile(drafted(1), cb, prior=prior)[number]
    assert claimed.yes_no == "yes" and claimed.codes["proren"] == 2 and claimed.needs_review
    assert 0.5 < claimed.confidence < 0.99 and not claimed.evidence
    denied = reconcile(drafted(0), cb, prior=prior)[number]
    assert denied.yes_no == "no" and denied.codes["proren"] == 0 and denied.confidence >= 0.85


def test_a_model_trained_on_other_concept_features_is_refused(tmp_path):
    from nlp_coder.predictors.model import ModelError, load_model
    from nlp_coder.predictors.semantic import load_concepts

    rng = np.random.default_rng(2)
    names = load_concepts().feature_names
    X = rng.normal(size=(30, 4 + len(names))).astype(np.float32)
    Y = np.zeros((30, 1), dtype=int)
    Y[:10, 0] = 1
    heads = SemanticHeads(("defense",)).fit(X, Y)

    def saved(name, concepts):
        settings = {"targets": ["defense"], "n_features": X.shape[1], "claim": 0.6, "veto": 0.35}
        settings["concepts"] = concepts
        return heads_model(tmp_path / name, heads, settings)

    assert load_model(saved("same", names)).heads is not None
    with pytest.raises(ModelError, match="other concept features"):
        load_model(saved("other", [*names[:-1], "retired&concept"]))


def test_training_reuses_a_models_fine_tuned_encoder_whatever_concepts_its_heads_read(tmp_path):
    from nlp_coder.learn.train import choose_encoder
    from nlp_coder.predictors.encoder import EncoderFile, file_sha256
    from nlp_coder.predictors.model import ModelError, fine_tuned_encoder, load_model

    onnx = tmp_path / "tuned.onnx"
    onnx.write_bytes(b"not a real network, only its bytes are copied and hashed")
    X = np.random.default_rng(3).normal(size=(20, 6)).astype(np.float32)
    Y = np.zeros((20, 1), dtype=int)
    Y[:5, 0] = 1
    heads = SemanticHeads(("defense",)).fit(X, Y)
    heads.encoder = EncoderFile(onnx, file_sha256(onnx))
    settings = {"targets": ["defense"], "n_features": 6, "claim": 0.6, "veto": 0.35}
    settings |= {"concepts": ["retired"], "fine_tuned": {"epochs": 1}}
    path = heads_model(tmp_path / "m", heads, settings)
    with pytest.raises(ModelError, match="other concept features"):
        load_model(path)  # its heads cannot draft with today's concepts ...
    encoder, tuned = choose_encoder(path, None, None)  # ... but its encoder can be trained on
    assert encoder.sha256 == file_sha256(onnx) and tuned == {"epochs": 1}
    assert fine_tuned_encoder(path) == (encoder, tuned)
    (path / "weights" / "encoder.onnx").write_bytes(b"changed")
    with pytest.raises(ModelError, match="hash mismatch"):
        choose_encoder(path, None, None)


class _FixedHeads:
    """Heads that read each gated sentence as the given row of probabilities."""

    targets = ("defense", "offense", "neutral")

    def __init__(self, rows):
        self.rows = np.asarray(rows, dtype=float)

    def predict_proba(self, X):
        return self.rows[: len(X)]


def test_offence_yields_to_defence_on_a_sentence_read_more_as_defence():
    from nlp_coder.predictors.semantic import score

    treaty = treaty_from_text(
        "Article 1\n\nThe Parties shall build up their forces to resist armed attack.\n\n"
        "Article 2\n\nThe Parties shall wage war together against Dravos whatever its origin.\n"
    )
    assert len(gated_units(treaty)) == 2
    treaty.cache["semantic_features"] = np.zeros((2, 1))
    heads = _FixedHeads([[0.96, 0.84, 0.70], [0.90, 0.88, 0.10]])
    best, read = score(treaty, heads, None)
    assert best["offense"].p == 0.88 and best["neutral"].p == 0.70  # no yielding: each type's best sentence
    best, read = score(treaty, heads, None, {"offense": ["defense"], "neutral": ["defense"]}, 0.05)
    second = gated_units(treaty)[1]
    assert (best["offense"].p, best["offense"].start) == (0.88, second[0])  # within the margin: both read
    assert best["neutral"].p == 0.0  # the one sentence it reached, defence reads higher
    assert read[0][2]["offense"] == 0.84  # what the sentences read is kept for the veto
    best, _ = score(treaty, heads, None, {"offense": ["defense"]}, 0.0)
    assert best["offense"].p == 0.0


def test_neutrality_and_nonaggression_yield_to_each_other_so_a_sentence_keeps_the_type_it_reads_more():
    from nlp_coder.predictors.semantic import yielded

    targets = ("defense", "neutral", "nonagg")
    proba = np.array([[0.1, 0.9, 0.6], [0.1, 0.55, 0.9], [0.2, 0.8, 0.78], [0.9, 0.2, 0.7]])
    ys = {"neutral": ["defense", "nonagg"], "nonagg": ["neutral", "defense"]}
    out = yielded(proba, targets, ys, 0.05)
    assert out[0].tolist() == [0.1, 0.9, 0.0]  # a neutrality promise read as nonaggression too
    assert out[1].tolist() == [0.1, 0.0, 0.9]
    assert out[2].tolist() == [0.2, 0.8, 0.78]  # within the margin: both
    assert out[3].tolist() == [0.9, 0.0, 0.0]  # a defence promise
    assert yielded(proba, targets, {}, 0.05).tolist() == proba.tolist()


def test_a_clause_of_another_question_teaches_the_types_it_also_states():
    """A row of another question is a negative for every obligation type unless its ``also`` names the types
    it states too; a Q16 near miss states none whatever it says."""
    from nlp_coder.learn.semantic import clause_targets

    base = {"text": "x", "code": 1, "label": "positive"}
    assert clause_targets({**base, "question": 21, "column": "notaiden", "also": ["nonagg"]}) == {"nonagg"}
    assert clause_targets({**base, "question": 7, "column": "secrart"}) == set()
    assert clause_targets({**base, "question": 16, "column": "defense", "also": ["neutral"]}) == {
        "defense",
        "neutral",
    }
    near = {**base, "question": 16, "column": "nonagg", "label": "near_miss", "also": ["consul"]}
    assert clause_targets(near) == set()


def test_a_yield_may_carry_its_own_margin_per_pair():
    from nlp_coder.predictors.semantic import yielded

    targets = ("defense", "neutral", "nonagg")
    # a nonaggression article read 0.58 as defence; a pact that states both promises in one sentence
    proba = np.array([[0.58, 0.40, 0.99], [0.85, 0.20, 0.97]])
    out = yielded(proba, targets, {"defense": {"nonagg": 0.2, "neutral": 0.2}}, 0.05)
    assert out[:, 0].tolist() == [0.0, 0.85]  # 0.85 is within 0.2 of 0.97: both promises stand
    out = yielded(proba, targets, {"defense": ["nonagg", "neutral"]}, 0.05)
    assert out[:, 0].tolist() == [0.0, 0.0]  # the list form takes the common margin


@pytest.mark.parametrize(("neutral", "kept"), [(0.99, 0), (0.7, 1), (0.3, 1)])
def test_a_cue_type_on_a_sentence_the_heads_read_as_a_type_it_yields_to_is_doubted(neutral, kept):
    # the cue quotes a sentence the heads read 0.44 as defence (above the veto, below the claim) and
    # `neutral` as neutrality: outscored by 0.4 or more by a type defence yields to, which the heads claim
    # there, the sentence does not support the cue's defence; short of that it does
    cb = load_codebook()
    heads = dataclasses.replace(
        semantic({"defense": 0.0, "neutral": neutral}),
        claims={t: 0.8 for t in TYPES},
        veto=0.3,
        read=((0, 10, {"defense": 0.44, "neutral": neutral}),),
        yields={"defense": {"neutral": 0.2}},
        outrank=0.4,
    )
    answer = combine({16: [Candidate("obligations.v1", q16({"defense": 1})), heads]}, cb)[16]
    assert answer.codes["defense"] == kept
    if not kept:
        assert answer.needs_review and "defen" in answer.answer.lower()

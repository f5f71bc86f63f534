"""Corpus manifests, quote alignment, the passage classifier, model folders, training and evaluation."""

import json

import numpy as np
import pytest

from nlp_coder.errors import InputError
from nlp_coder.learn.align import align_quote
from nlp_coder.learn.corpus import check_corpus, read_manifest
from nlp_coder.predictors.classifier import NotFittedError, PassageClassifier
from nlp_coder.predictors.model import ModelError, load_model

DEFENCE = [
    "Should either Party be the victim of an armed attack, the other Party shall render it military assistance.",
    "In case of aggression against one of the Parties, the others shall come to its aid with all their forces.",
    "If a Party is attacked, each other Party shall assist it by all the military means in its power.",
    "Any armed attack on one of the Parties shall be met by the armed assistance of the other Parties.",
]
OTHER = [
    "The Parties shall promote cultural and scientific exchanges between their universities.",
    "This Agreement shall enter into force on the date of signature.",
    "The Parties shall cooperate in the fields of trade, tourism and the environment.",
    "Each Party shall designate a liaison office for the purposes of this Agreement.",
    "The texts in both languages are equally authentic.",
    "Disputes about the interpretation of this Agreement shall be settled by negotiation.",
]


def toy_corpus(tmp_path):
    """Four toy treaties, each with one defence article among others, annotated by offsets."""
    lines = []
    for i in range(4):
        articles = [OTHER[(i + k) % len(OTHER)] for k in range(3)]
        articles.insert(1, DEFENCE[i])
        body = "\n\n".join(f"Article {n}\n\n{a}" for n, a in enumerate(articles, 1))
        text = f"TREATY NUMBER {i}\n\nThe Parties have agreed as follows:\n\n{body}\n\nDone at Testville on 1 May 1990.\n"
        path = tmp_path / f"t{i}.txt"
        path.write_text(text, encoding="utf-8")
        from nlp_coder.text.treaty import load_treaty

        treaty = load_treaty(path)
        start = treaty.text.index(DEFENCE[i])
        ann = tmp_path / f"t{i}.jsonl"
        ann.write_text(
            json.dumps(
                {
                    "question": 16,
                    "codes": {"defense": 1},
                    "start": start,
                    "end": start + len(DEFENCE[i]),
                    "text_sha256": treaty.sha256,
                }
            )
            + "\n",
            encoding="utf-8",
        )
        lines.append(json.dumps({"id": f"t{i}", "text": path.name, "annotations": ann.name}))
    manifest = tmp_path / "toy.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def test_manifest_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: text: required"):
        read_manifest(bad)
    bad.write_text('{"id": "a", "text": "x.txt"}\n{"id": "a", "text": "y.txt"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="duplicate id"):
        read_manifest(bad)
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        read_manifest(bad)
    with pytest.raises(InputError, match="no such manifest"):
        read_manifest(tmp_path / "missing.jsonl")


def test_corpus_check_reports_missing_files_and_bad_sheets(tmp_path):
    manifest = toy_corpus(tmp_path)
    (tmp_path / "sheet.txt").write_text("nothing that looks like a sheet\n", encoding="utf-8")
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "gone", "text": "gone.txt"}) + "\n")
        fh.write(json.dumps({"id": "badsheet", "text": "t0.txt", "sheet": "sheet.txt"}) + "\n")
    checks = {c.entry.id: c for c in check_corpus(read_manifest(manifest))}
    assert not checks["t0"].problems and checks["t0"].annotations == 1
    assert any("no such file" in p for p in checks["gone"].problems)
    assert any("sheet" in p for p in checks["badsheet"].problems)


@pytest.mark.parametrize(
    "quote",
    [
        "the other Party shall render it military assistance",  # exact
        "the other  Party shall\nrender it military   assistance",  # whitespace changed
        "“...the otber Party shal render it militarv assistance.”",  # OCR-damaged, curly quotes, ellipsis
    ],
)
def test_quotes_are_located_in_the_text(quote):
    text = "Article 2\n\nShould either Party be the victim of an armed attack, the other Party shall render it military assistance.\n"
    found = align_quote(quote, text)
    assert found is not None
    assert text[found.start : found.end] == "the other Party shall render it military assistance"


def test_unrelated_quote_is_not_located():
    assert align_quote("fisheries quotas and tariff schedules for agricultural goods", DEFENCE[0]) is None


def test_classifier_overfits_tiny_data_and_refuses_unfitted():
    with pytest.raises(NotFittedError):
        PassageClassifier().predict_proba(["x"])
    clf = PassageClassifier(C=100.0).fit(DEFENCE + OTHER, [1] * 4 + [0] * 6)
    p = clf.predict_proba(DEFENCE + OTHER)[:, 1]
    assert (p[:4] > 0.5).all() and (p[4:] < 0.5).all()
    arrays, meta = clf.to_arrays()
    again = PassageClassifier.from_arrays(arrays, meta, clf.idf_)
    assert np.allclose(again.predict_proba(DEFENCE + OTHER), clf.predict_proba(DEFENCE + OTHER), atol=1e-5)


def test_train_save_load_and_same_seed_same_files_whatever_the_jobs(tmp_path):
    from nlp_coder.learn.train import train

    manifest = toy_corpus(tmp_path)
    first = train([manifest], tmp_path / "m1", seed=3, name="toy")
    second = train([manifest], tmp_path / "m2", seed=3, name="toy", jobs=2)  # workers change nothing
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel
    model = load_model(first)
    assert "defense" in model.classifiers
    meta = json.loads((first / "meta.json").read_text(encoding="utf-8"))
    assert meta["targets"]["defense"]["positive"] == 4 and set(meta["files"]) >= {"weights/idf.npy"}
    assert "# nlp-coder model" in (first / "README.md").read_text(encoding="utf-8")
    clf = model.classifiers["defense"]
    p = clf.predict_proba(["If either Party is attacked, the other shall give it military assistance."])[0, 1]
    assert p > clf.predict_proba(["The Parties shall exchange students."])[0, 1]


def test_tampered_model_is_refused(tmp_path):
    from nlp_coder.learn.train import train

    path = train([toy_corpus(tmp_path)], tmp_path / "m", seed=0)
    weights = next((path / "weights").rglob("coef_value.npy"))
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="hash mismatch"):
        load_model(path)
    with pytest.raises(ModelError, match="not a model folder"):
        load_model(tmp_path)


def test_evaluate_on_drafts_folder(tmp_path):
    from nlp_coder.drafting.batch import draft_folder
    from nlp_coder.learn.evaluate import evaluate

    manifest = toy_corpus(tmp_path)
    drafts = tmp_path / "drafts"
    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"t{i}.txt").write_text((tmp_path / f"t{i}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert draft_folder(src, drafts, "json").failed == []
    # gold: an ATOP row per treaty (evaluate refuses a manifest with nothing to score against)
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    manifest.write_text("".join(json.dumps({**r, "atop_id": 9000 + i}) + "\n" for i, r in enumerate(rows)))
    atop_csv = tmp_path / "atop.csv"
    atop_csv.write_text("atopid,defense,consul\n" + "".join(f"{9000 + i},1,0\n" for i in range(4)))
    result = evaluate(manifest, tmp_path / "report", atop_csv=atop_csv, drafts=drafts)
    assert set(result["systems"]) == {"drafts", "prior"}
    assert (tmp_path / "report" / "metrics.json").exists() and (tmp_path / "report" / "summary.md").exists()


def test_passages_cover_text_outside_parts():
    from nlp_coder.text.passages import passages
    from nlp_coder.text.treaty import treaty_from_text

    body = "Some inserted text that belongs to no article at all, after a heading. " * 3
    text = f"TREATY\n\nThe Parties agree:\n\nArticle 1\n\nFirst.\n\nCHAPTER TWO\n\n{body}\n\nArticle 2\n\nSecond.\n"
    treaty = treaty_from_text(text)
    spans = passages(treaty)
    assert any("Some inserted text" in treaty.text[s:e] for s, e in spans)
    assert all(e - s <= 3000 for s, e in spans)


def test_labels_from_spans_bags_and_checked_negatives(tmp_path):
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.learn.corpus import Entry
    from nlp_coder.learn.dataset import DocumentSupervision, label_passages, targets
    from nlp_coder.learn.labels import SpanLabel
    from nlp_coder.text.treaty import treaty_from_text

    cb = load_codebook()
    text = (
        "TREATY\n\nThe Parties agree:\n\n"
        + "\n\n".join(
            f"Article {i}\n\n{t}" for i, t in enumerate([DEFENCE[0], OTHER[0], OTHER[1], DEFENCE[1]], 1)
        )
        + "\n"
    )
    treaty = treaty_from_text(text)
    first = text.index(DEFENCE[0])
    second = text.index(DEFENCE[1])
    spans = [
        SpanLabel(16, first, first + 20, {"defense": 1}),
        SpanLabel(16, second, second + 20, {"defense": 1}, positive=False),
    ]
    doc = DocumentSupervision(Entry("d", tmp_path / "d.txt"), treaty, None, spans, exhaustive=True)
    examples = label_passages(doc, targets(cb), cb, {})
    by_text = {ex.text.split("\n")[-1][:30]: ex.labels.get("defense") for ex in examples}
    assert by_text[DEFENCE[0][:30]] == 1 and by_text[DEFENCE[1][:30]] == 0 and by_text[OTHER[0][:30]] == 0
    # a document coded "no" makes every passage negative; "yes" with no spans uses the rules' evidence
    doc_no = DocumentSupervision(Entry("n", tmp_path / "n.txt"), treaty, {"defense": 0}, [], exhaustive=False)
    assert {ex.labels["defense"] for ex in label_passages(doc_no, targets(cb), cb, {})} == {0}
    doc_yes = DocumentSupervision(
        Entry("y", tmp_path / "y.txt"), treaty, {"defense": 1}, [], exhaustive=False
    )
    bag = label_passages(doc_yes, targets(cb), cb, {"defense": [(second, second + 30)]})
    assert [ex.labels.get("defense") for ex in bag if ex.labels.get("defense") is not None] == [1]


def test_learned_predictor_overrides_rules_only_where_it_won(tmp_path):
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.drafting.drafter import draft_treaty
    from nlp_coder.predictors.model import Model
    from nlp_coder.text.treaty import treaty_from_text

    cb = load_codebook()
    clf = PassageClassifier(C=100.0).fit(DEFENCE + OTHER, [1] * 4 + [0] * 6)
    text = (
        "TREATY\n\nThe Parties agree:\n\nArticle 1\n\nThe Parties shall cooperate in the fields of trade, "
        "tourism and the environment.\n\nArticle 2\n\nIf a Party is attacked, each other Party shall assist it "
        "by all the military means in its power.\n"
    )
    treaty = treaty_from_text(text)
    # a classifier that (wrongly) calls trade cooperation "organisation" evidence, for Q35
    q35 = PassageClassifier(C=100.0).fit(OTHER + DEFENCE, [1] * 6 + [0] * 4)
    for winner, expect_yes in (("rules", False), ("model", True)):
        meta = {"name": "t", "targets": {"q35": {"winner": winner}}, "code_priors": {"organ1": 1}}
        model = Model(tmp_path, meta, clf.idf_, {"q35": q35})
        answer = draft_treaty(treaty, cb, model).sheet.answers[35]
        assert (answer.yes_no == "yes") == expect_yes
        if expect_yes:
            assert answer.codes["organ1"] == 1 and answer.needs_review and answer.evidence


def test_a_fine_tuned_encoder_is_saved_hashed_reused_and_refused_when_changed(tmp_path, monkeypatch):
    """The plumbing around fine-tuning (which tests/test_finetune.py runs for real, with the train extra):
    the shipped ONNX file stands in for a fine-tuned one."""
    import shutil

    from nlp_coder.learn import finetune
    from nlp_coder.learn.train import train
    from nlp_coder.predictors.encoder import EncoderFile, file_sha256, load_encoder, onnx_path

    def fake_fine_tune(texts, labels, out, seed=0, progress=False, **_):
        shutil.copyfile(onnx_path(), out)
        return finetune.FineTuned(EncoderFile(out, file_sha256(out)), {"sentences": len(texts), "seed": seed})

    monkeypatch.setattr(finetune, "fine_tune", fake_fine_tune)
    manifest = toy_corpus(tmp_path)
    plain = train([manifest], tmp_path / "plain", seed=0, encoder="base")
    assert load_model(plain).heads.encoder is None and not (plain / "weights" / "encoder.onnx").exists()

    tuned = train([manifest], tmp_path / "tuned", seed=0, encoder="fine-tune")
    model = load_model(tuned)
    meta = json.loads((tuned / "meta.json").read_text(encoding="utf-8"))
    assert model.heads.encoder == EncoderFile(
        tuned / "weights" / "encoder.onnx", meta["files"]["weights/encoder.onnx"]
    )
    assert load_encoder(model.heads.encoder).source == model.heads.encoder
    semantic = model.extras["semantic"]
    assert semantic["fine_tuned"]["sentences"] == sum(semantic["sentences"].values()) > 0
    assert "Fine-tuned from" in (tuned / "README.md").read_text(encoding="utf-8")

    reused = train([manifest], tmp_path / "reused", seed=0, encoder=str(tuned))
    assert (reused / "weights" / "encoder.onnx").read_bytes() == (
        tuned / "weights" / "encoder.onnx"
    ).read_bytes()
    with pytest.raises(ModelError, match="no fine-tuned encoder"):
        train([manifest], tmp_path / "nothing", seed=0, encoder=str(plain))

    data = bytearray((tuned / "weights" / "encoder.onnx").read_bytes())
    data[len(data) // 3] ^= 0xFF
    (tuned / "weights" / "encoder.onnx").write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"encoder\.onnx was changed"):
        load_model(tuned)


def test_cross_validation_drafts_each_treaty_with_winners_chosen_on_the_other_folds(tmp_path, monkeypatch):
    """A treaty's cross-validated draft uses the classifiers only where they beat the rules on the other
    treaties, never on its own gold; the per-target accuracies (train's basis) count every fold."""
    from collections import Counter

    import nlp_coder.learn.crossval as cv
    import nlp_coder.learn.fit as fit
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.learn.gold import Scored

    corpus = read_manifest(toy_corpus(tmp_path))
    # the first treaty is the only one where the classifier beats the rules; the others are ties
    tallies = [{"q8": Counter(n=1, model=1, rules=0)}] + [{"q8": Counter(n=1, model=1, rules=1)}] * 3
    monkeypatch.setattr(
        fit, "fit_targets", lambda examples, cb: {"idf": None, "classifiers": {"q8": object()}}
    )
    calls = iter(range(4))
    monkeypatch.setattr(cv, "_tally", lambda *args: tallies[next(calls)])
    used = []
    monkeypatch.setattr(
        cv, "draft_json", lambda treaty, cb, model: used.append(model.winner("q8")) or Scored({})
    )
    drafts, per_target, _ = cv.cross_validate(corpus, [None] * 4, [], None, load_codebook())
    assert len(drafts) == 4
    assert used == ["rules", "model", "model", "model"]
    assert per_target == {"q8": {"n": 4, "model_acc": 1.0, "rules_acc": 0.75}}
    assert cv.winners_from(per_target) == {"q8": "model"}  # what train ships: chosen on every fold
    few = {"consul": {"n": cv.MIN_TREATIES - 1, "model_acc": 1.0, "rules_acc": 0.0}}
    assert cv.winners_from(few) == {"consul": "rules"}  # too few treaties to trust the win


def test_calibration_drafts_each_gold_treaty_with_its_own_fold(tmp_path, monkeypatch):
    """The calibrator's treaty answers come from the folds that chose the winners (no second fit), each
    treaty drafted with the winners the other folds chose."""
    from collections import Counter

    import nlp_coder.learn.calibrate as calibrate
    import nlp_coder.learn.crossval as cv
    import nlp_coder.learn.fit as fit
    import nlp_coder.learn.gold as gold
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.learn.gold import Scored

    corpus = read_manifest(toy_corpus(tmp_path))
    tallies = [{"q8": Counter(n=1, model=1, rules=0)}] + [{"q8": Counter(n=1, model=1, rules=1)}] * 3
    folds = [
        cv.Fold(e.id, {"idf": f"idf-{e.id}", "classifiers": {"q8": object()}}, t)
        for e, t in zip(corpus.entries, tallies, strict=True)
    ]

    def refit(*args, **kwargs):
        raise AssertionError("the folds were fitted again")

    monkeypatch.setattr(fit, "fit_targets", refit)
    monkeypatch.setattr(gold, "gold_codes", lambda entry, atop, cb: {"proadd": 1})
    monkeypatch.setattr(calibrate, "clause_gold", lambda row, cb: {})
    drafted = []

    def draft(treaty, cb, model):
        drafted.append((model.idf, model.winner("q8")))
        return Scored({}, [{"question": 8, "source": "text", "codes": {"proadd": 1}, "confidence": 0.7}])

    monkeypatch.setattr(cv, "draft_json", draft)
    parts = {
        "meta": {"name": "t", "code_priors": {}},
        "heads": None,
        "extras": {},
        "idf": None,
        "classifiers": {},
    }
    points = calibrate.out_of_treaty_points(corpus.entries, [], parts, None, load_codebook(), folds=folds)
    assert drafted[:4] == [(f"idf-t{i}", "rules" if i == 0 else "model") for i in range(4)]
    assert points.origin.count("treaties") == 4 and points.correct[:4] == [1, 1, 1, 1]


def test_out_of_treaty_tally_counts_codes_types_and_held_out_clauses(tmp_path, monkeypatch):
    """The model card's out-of-treaty figures: agreement over the text-derivable codes of each held-out treaty,
    the treaties with every obligation type right, and the held-out clauses given their types."""
    import nlp_coder.learn.calibrate as calibrate
    import nlp_coder.learn.crossval as cv
    import nlp_coder.learn.gold as gold
    import nlp_coder.learn.semantic as semantic
    from nlp_coder.codesheet.codebook import load_codebook
    from nlp_coder.learn.gold import Scored

    corpus = read_manifest(toy_corpus(tmp_path))
    folds = [cv.Fold(e.id, {"idf": e.id, "classifiers": {}}, {}) for e in corpus.entries]
    types = {t: 0 for t in semantic.TYPE_TARGETS}
    monkeypatch.setattr(gold, "gold_codes", lambda entry, atop, cb: {**types, "defense": 1, "proadd": 1})
    rows = [
        {"id": "p1", "question": 16, "label": "positive", "column": "defense", "code": 1, "text": "Clause one."},
        {"id": "p2", "question": 16, "label": "positive", "column": "offense", "code": 1, "text": "Clause two."},
        {"id": "n1", "question": 16, "label": "near_miss", "column": "defense", "code": 0, "text": "Clause three."},
        {"id": "n2", "question": 16, "label": "near_miss", "column": "defense", "code": 0, "text": "Clause four."},
    ]
    monkeypatch.setattr(semantic, "clause_data_rows", lambda split, path=None: rows)
    by_text = {"Clause one.": {"defense": 1, "offense": 1}, "Clause two.": {"defense": 1}, "Clause four.": {"consul": 1}}

    def draft(treaty, cb, model):
        if treaty.path.startswith("clause:"):
            found = [v for k, v in by_text.items() if k in treaty.text]
            return Scored({**types, **(found[0] if found else {})}, [])
        right = model.idf != "t0"  # the first treaty gets defence and the protocol wrong
        return Scored({**types, "defense": int(right), "proadd": int(right)}, [])

    monkeypatch.setattr(cv, "draft_json", draft)
    parts = {"meta": {"name": "t", "code_priors": {}}, "heads": None, "extras": {}, "idf": None, "classifiers": {}}
    points = calibrate.out_of_treaty_points(corpus.entries, [], parts, None, load_codebook(), folds=folds)
    checks = calibrate.tally(points)
    assert checks["treaties"] == 4 and checks["treaties_types_right"] == 3
    assert checks["treaty_codes"] == 4 * 6  # the five types and the protocol, of the gold's columns
    assert checks["treaty_agreement"] == round(22 / 24, 4)
    assert checks["obligation_clauses"] == 2 and checks["obligation_clauses_typed"] == 0.5
    assert checks["obligation_clauses_exact"] == 0.0  # clause one also drew offence
    assert checks["near_misses"] == 2 and checks["near_misses_typed"] == 0.5

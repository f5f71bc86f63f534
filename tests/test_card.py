"""The model card says what the model measured on treaties and clauses it never trained on."""

from nlp_coder.predictors.card import model_card


def card_meta(calibration: dict) -> dict:
    return {
        "name": "m",
        "format": "nlp-coder-model/1",
        "version": "0",
        "codebook": "ATOP 5.1",
        "seed": 0,
        "versions": {"numpy": "2"},
        "data": {"treaties": 4, "passages": 10, "manifests": ["a.jsonl"]},
        "targets": {},
        "components": {"calibration": calibration},
    }


def test_card_gives_the_out_of_treaty_figures_when_training_measured_them():
    checks = {
        "treaties": 4,
        "treaty_agreement": 0.9221,
        "treaty_codes": 244,
        "treaties_types_right": 4,
        "obligation_clauses": 677,
        "obligation_clauses_typed": 0.778,
        "obligation_clauses_exact": 0.669,
        "near_misses": 682,
        "near_misses_typed": 0.095,
    }
    cal = {"method": "platt", "a": 1.2, "b": 0.1, "points": 159, "review_below": 0.75, "out_of_treaty": checks}
    card = model_card(card_meta(cal))
    assert "## Measured out of treaty" in card
    assert "agreement with gold 0.9221 over\n  244 text-derivable codes" in card
    assert "of\n  677 obligation clauses, 0.778 get their types (0.669 exactly)" in card
    assert "of 682 near misses, 0.095 get a type" in card


def test_card_of_a_model_trained_before_the_figures_has_no_such_section():
    cal = {"method": "platt", "a": 1.2, "b": 0.1, "points": 159, "review_below": 0.75}
    card = model_card(card_meta(cal))
    assert "## Calibration" in card and "Measured out of treaty" not in card

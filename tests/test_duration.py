import pytest

from helpers import toy_treaty
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.codesheet.dates import find_dates
from nlp_coder.predictors.duration import DurationPredictor


@pytest.fixture(scope="module")
def predictor():
    return DurationPredictor(load_codebook())


@pytest.mark.parametrize(
    ("clause", "q10", "q12"),
    [
        (
            "This Treaty shall remain in force for a period of ten years. It shall be automatically extended for "
            "successive periods of five years unless either Party gives notice of termination.",
            {"speclgth": 1, "length": 120},
            {"proren": 2, "renewlgt": 60},
        ),
        (
            "The present Agreement is concluded for an indefinite period.",
            {"speclgth": 3, "length": 0},
            {"proren": 0, "renewlgt": 0},
        ),
        (
            "The present Treaty shall remain in force until the end of the present war.",
            {"speclgth": 2, "length": 0},
            {"proren": 0, "renewlgt": 0},
        ),
        (
            "This Convention shall be valid for 18 months and may be renewed by agreement of the Parties.",
            {"speclgth": 1, "length": 18},
            {"proren": 1, "renewlgt": 0},
        ),
        (
            "The Parties shall maintain friendly relations.",
            {"speclgth": 0, "length": 0},
            {"proren": 0, "renewlgt": 0},
        ),
    ],
)
def test_duration_and_renewal(predictor, clause, q10, q12):
    answers = predictor.predict(toy_treaty("The Parties shall consult.", clause))
    assert answers[10].codes == q10
    assert answers[12].codes == q12
    if q10["speclgth"]:
        assert answers[10].yes_no == "yes" and answers[10].evidence[0].part == "Article 2"


def test_review_clause_is_not_a_term(predictor):
    clause = "After this Treaty has been in force for ten years, the Parties shall consult to review it."
    assert predictor.predict(toy_treaty(clause)).get(10).codes["speclgth"] == 0


def test_dates_in_figures_and_words():
    assert [d.iso() for d in find_dates("signed on 21 January 1944 and on October 3, 1990")] == [
        "1944-01-21",
        "1990-10-03",
    ]
    assert (
        find_dates(
            "Done at X on the fourth day of April in the year one thousand nine hundred and forty-nine."
        )[0].iso()
        == "1949-04-04"
    )

"""The literal prefilters skip work, never matches: the fast cue matcher equals trying every cue everywhere."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, TREATIES
from nlp_coder.codesheet.codebook import load_codebook
from nlp_coder.predictors.literals import LiteralIndex, any_required, may_match, required
from nlp_coder.predictors.obligations import DEFAULT_OBLIGATIONS
from nlp_coder.predictors.provisions import Match, ProvisionPredictor, load_provisions, sentence_units
from nlp_coder.text.treaty import load_treaty, treaty_from_text


def naive(predictor: ProvisionPredictor, treaty, question: int) -> list[Match]:
    found = []
    for compiled in predictor.compiled_[question]:
        for start, end, sentence, kind in sentence_units(treaty):
            if kind == "preamble" and not compiled.cue.preamble:
                continue
            if compiled.matches(sentence):
                found.append(Match(compiled.cue, start, end))
    return found


EXTRA = (
    "Article 1\n\nShould either Party be the object of an armed attack in Europe, the other shall assist it.\n\n"
    "Article 2\n\nThe Parties shall consult together whenever the security of either is threatened.\n\n"
    "Article 3\n\nThis Agreement shall remain in force for twenty years and may be denounced on a year's notice.\n\n"
    "Article 4\n\nNeither Party shall conclude any alliance directed against the other. The UN Charter prevails.\n\n"
    "Article 5\n\nThe ſecurity of each Party being at ſtake, the Partieſ ſhall consult without delay.\n"
)


@pytest.mark.parametrize("config", [None, DEFAULT_OBLIGATIONS])
def test_fast_matches_equal_naive_matches(config):
    predictor = ProvisionPredictor(load_codebook(), load_provisions(config)).fit()
    treaties = [treaty_from_text(EXTRA), load_treaty(EXAMPLE)]
    treaties += [load_treaty(p) for p in sorted(TREATIES.glob("*.txt"))[:4]]
    total = 0
    for treaty in treaties:
        for question in predictor.config_.questions:
            fast = predictor.matches(treaty, question)
            assert fast == naive(predictor, treaty, question), (treaty.path, question)
            total += len(fast)
    assert total > 10  # the fixtures do exercise the cues


def test_required_literals():
    assert required(r"\bmutual (assistance|aid)\b") == {"mutual "}
    assert required(r"\b(attack|aggression)\b") is not None
    assert all(len(x) >= 3 for x in required(r"\b(attack|aggression)\b"))
    assert required(r"(?-i:\bUN\b)") is None
    assert any_required([r"\bconsult", r"\bUN\b"]) is None


WORDS = st.sampled_from(["attack", "the ", "ſecurity", "aid", "consult", "x", "\x00", " ", "Attack", "tack"])
SENTENCES = st.lists(WORDS, max_size=6).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(SENTENCES, max_size=8), st.none() | st.frozensets(WORDS.filter(lambda w: w.strip()), max_size=3))
def test_literal_index_picks_exactly_the_sentences_that_may_match(sentences, literals):
    lowered = [s.lower() for s in sentences]
    index = LiteralIndex(lowered, [s.isascii() for s in sentences])
    expected = [k for k, s in enumerate(sentences) if may_match(literals, s.lower(), s.isascii())]
    if literals is not None and any("\x00" in lit for lit in literals):
        return  # the index's separator: no literal from a pattern holds it
    assert list(index.candidates(literals)) == expected

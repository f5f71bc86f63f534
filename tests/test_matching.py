"""The literal prefilters skip work, never matches: the fast cue matcher equals trying every cue everywhere."""

from __future__ import annotations

import numpy as np
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
    assert required(r"\bmutual (assistance|aid)\b") == {"\x01mutual assistance", "\x01mutual aid"}
    assert required(r"\borgani[sz]ations?\b") == {"\x01organisation", "\x01organization"}
    assert required(r"\bco-?operat\w*") == {"\x01co-operat", "\x01cooperat"}
    assert required(r"\b(enter|entering) into\b") == {"\x01enter into", "\x01entering into"}
    assert required(r"\b[a-z]+ of (war|arms)") == {" of war", " of arms"}
    assert required(r"\b(attack|aggression)\b") is not None
    assert all(len(x) >= 3 for x in required(r"\b(attack|aggression)\b"))
    assert required(r"(?-i:\bUN\b)") is None
    assert any_required([r"\bconsult", r"\bUN\b"]) is None


def test_fold_spells_every_character_a_case_insensitive_pattern_takes_for_an_ascii_letter():
    import re
    import sys

    from nlp_coder.predictors.literals import fold

    every = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for ch in set(re.findall(r"[a-z]", every, re.I)):
        assert fold(ch).isascii() and re.fullmatch(fold(ch), ch, re.I), hex(ord(ch))
    assert fold("The \u0130STANBUL Protocol ſhall") == "the istanbul protocol shall"
    index = LiteralIndex([fold("Les Partieſ ſhall consult"), fold("Done at Zürich")])
    assert list(index.candidates(required(r"\bshall consult\b"))) == [0]


def test_a_word_start_requirement_is_met_only_where_a_word_starts():
    word_start = required(r"\b(nato|weu)\b")
    assert word_start == {"\x01nato", "\x01weu"}
    sentences = ["each signatory shall ratify", "nato forces", "the council (nato) met", "_nato", "a weu b"]
    index = LiteralIndex(sentences)
    assert list(index.candidates(word_start)) == [1, 2, 4]
    assert [may_match(word_start, s) for s in sentences] == [False, True, True, False, True]
    assert [index.may_hold(k, word_start) for k in range(len(sentences))] == [False, True, True, False, True]


WORDS = st.sampled_from(["attack", "the ", "ſecurity", "aid", "consult", "x", "\x00", " ", "Attack", "tack"])
SENTENCES = st.lists(WORDS, max_size=6).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(SENTENCES, max_size=8), st.none() | st.frozensets(WORDS.filter(lambda w: w.strip()), max_size=3))
def test_literal_index_picks_exactly_the_sentences_that_may_match(sentences, literals):
    from nlp_coder.predictors.literals import fold

    folded = [fold(s) for s in sentences]
    index = LiteralIndex(folded)
    expected = [k for k, s in enumerate(folded) if may_match(literals, s)]
    if literals is not None and any("\x00" in lit for lit in literals):
        return  # the index's separator: no literal from a pattern holds it
    assert list(index.candidates(literals)) == expected


LITERALS = st.frozensets(
    st.builds(
        lambda start, w: ("\x01" if start else "") + w, st.booleans(), WORDS.filter(lambda w: "\x00" not in w)
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(SENTENCES, max_size=8), LITERALS, st.lists(LITERALS, max_size=2))
def test_one_scan_finds_what_a_scan_per_literal_finds(sentences, literals, groups):
    """The Aho-Corasick pass (``scan``) and the literal-by-literal search give the same sentences, with
    word starts, overlapping literals and literals the scan was not given."""
    from nlp_coder.predictors.literals import fold

    folded = [fold(s) for s in sentences]
    scanned, one_by_one = LiteralIndex(folded), LiteralIndex(folded)
    scanned.scan(literals)
    for lits in (literals, *groups):
        assert list(scanned.candidates(lits)) == list(one_by_one.candidates(lits))
        assert list(scanned.candidates(lits)) == [k for k, s in enumerate(folded) if may_match(lits, s)]
        assert [scanned.may_hold(k, lits) for k in range(len(folded))] == [may_match(lits, s) for s in folded]
    everything = range(len(folded))
    assert scanned.having(everything, groups) == [
        k for k in everything if all(may_match(g, folded[k]) for g in groups)
    ]


def test_a_scan_in_small_chunks_of_hits_finds_the_same(monkeypatch):
    from nlp_coder.predictors import literals

    sentences = ["the attack and the attack", "no hit", "attacks on the Parties", "tack", "the the the"]
    wanted = frozenset({"attack", "\x01tack", "the ", "tack", "\x01the"})
    whole = LiteralIndex(sentences)
    whole.scan(wanted)
    monkeypatch.setattr(literals, "HITS_PER_CHUNK", 2)
    chunked = LiteralIndex(sentences)
    chunked.scan(wanted)
    for literal in sorted(wanted):
        assert chunked.sentences_with(literal) == whole.sentences_with(literal)
        assert chunked.sentences_with(literal) == {k for k, s in enumerate(sentences) if may_match({literal}, s)}


# --- the other fast paths: sentence splitting and character n-gram hashing ----------------------------------


def assert_sentences_are_the_sentencizers(text: str) -> None:
    """The sentences ``doc_sentences`` finds in ``text`` are those of spaCy's own sentencizer component."""
    import spacy

    from nlp_coder.text.sentences import _tokenizer, doc_sentences

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    tokenizer, final = _tokenizer()
    theirs = [(sent.start_char, sent.end_char) for sent in nlp(text).sents] if text else []
    assert doc_sentences(tokenizer(text), final) == theirs


SENTENCE_CASES = [
    "",
    "Article 1. The U.S.A. and the U.K. agree (see Art. 3.) that... it holds!\" Then: \"no.\"  Next one?",
    "(a) first item;\n(b) second item.\n\n1. A numbered paragraph... and more?! Yes.) Done",
    "Words without any full stop at all",
    "Tabs\tand\u00a0odd spaces. Après la guerre. Fin.\n\n\n",
]


@pytest.mark.parametrize("text", [*SENTENCE_CASES, EXTRA])
def test_sentences_equal_spacys_sentencizer(text):
    assert_sentences_are_the_sentencizers(text)


def test_sentences_of_the_fixture_treaties_equal_spacys_sentencizer():
    from nlp_coder.text.sentences import _blocks

    paths = [EXAMPLE, *sorted(p for p in TREATIES.iterdir() if p.suffix in {".txt", ".md", ".html"})]
    for path in paths:
        text = load_treaty(path).text
        for start, end in _blocks(text):  # the pieces split_sentences tokenizes
            assert_sentences_are_the_sentencizers(text[start:end])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?;:()\"'\n\t-1")), max_size=120))
def test_sentences_equal_spacys_sentencizer_on_any_punctuation(text):
    assert_sentences_are_the_sentencizers(text)


def test_split_sentences_trims_and_cuts_at_blank_lines():
    from nlp_coder.text.sentences import split_sentences

    text = "First one. Second one!  \n\nA heading\n\nLast"
    assert [text[s:e] for s, e in split_sentences(text)] == ["First one.", "Second one!", "A heading", "Last"]
    assert split_sentences("") == []


def _hashing_vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    common = {"n_features": 2**15, "alternate_sign": False, "norm": None, "lowercase": True}
    return (
        HashingVectorizer(analyzer="word", ngram_range=(1, 2), **common),
        HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common),
    )


def assert_same_matrix(ours, theirs):
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert (ours.indptr == theirs.indptr).all() and (ours.indices == theirs.indices).all()
    assert (ours.data == theirs.data).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aBé İ.\n\t-x")), max_size=40), min_size=1, max_size=5))
def test_char_counts_equal_the_hashing_vectorizer(texts):
    from nlp_coder.predictors.classifier import char_counts
    from nlp_coder.predictors.hashing import char_wb_counts

    theirs = _hashing_vectorizers()[1].transform(texts)
    assert_same_matrix(char_counts(texts), theirs)
    assert_same_matrix(char_wb_counts(texts), theirs)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list("ab Cé İ'.,\n\t-_9\u00a0")), max_size=60),
        min_size=1,
        max_size=6,
    )
)
def test_word_counts_equal_the_hashing_vectorizer(texts):
    from nlp_coder.predictors.hashing import word_counts

    assert_same_matrix(word_counts(texts), _hashing_vectorizers()[0].transform(texts))


def test_a_hash_of_minus_two_to_the_31_gets_scikit_learns_column(monkeypatch):
    from nlp_coder.predictors import hashing

    monkeypatch.setattr(hashing, "_murmur3_32", lambda feature: -(2**31) if feature == "edge" else -7)
    assert hashing._columns(["edge", "other"], 2**15).tolist() == [(2**31 - 1 - (2**15 - 1)) % 2**15, 7]


def test_hashed_counts_and_tfidf_equal_scikit_learns_on_treaty_prose():
    from scipy.sparse import hstack
    from sklearn.preprocessing import normalize

    from nlp_coder.predictors.classifier import counts, tfidf
    from nlp_coder.predictors.hashing import l2_normalized

    texts = [p.read_text(encoding="utf-8") for p in sorted(TREATIES.glob("*.txt"))]
    texts += ["", "  ", "Ünïcode Straße, İzmir; the 2nd Party's «consent».", "x" * 3]
    word, char = _hashing_vectorizers()
    assert_same_matrix(counts(texts), hstack([word.transform(texts), char.transform(texts)]).tocsr())
    x = counts(texts)
    x.data = 1.0 + np.log(x.data)
    assert_same_matrix(l2_normalized(x), normalize(x))  # to the last bit: squares summed in order
    assert_same_matrix(tfidf(counts(texts), np.ones(2**16)), normalize(x))
    assert l2_normalized(x[:0]).shape == (0, 2**16)


def test_a_sentence_runs_on_past_a_blank_line_it_stops_in_the_middle_of():
    # double-spaced and PDF text puts blank lines inside sentences; a block that ends on a word or a comma
    # and is followed by one opening in lower case is one sentence with it
    from nlp_coder.text.sentences import split_sentences

    text = (
        "The Parties shall not attack\n\neach other by land or sea.\n\n(a) in peace;\n\n(b) in war,\n\n"
        "and in any crisis.\n\nA heading\n\nNew sentence here.\n\nEnds on a word\n\nBut this opens upper case."
    )
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "The Parties shall not attack\n\neach other by land or sea.",
        "(a) in peace;",
        "(b) in war,\n\nand in any crisis.",
        "A heading",
        "New sentence here.",
        "Ends on a word",
        "But this opens upper case.",
    ]

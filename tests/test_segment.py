import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, TREATIES
from nlp_coder.text.segment import check_parts, number_value, segment
from nlp_coder.text.treaty import load_treaty, treaty_from_text


def top_articles(treaty):
    return [p for p in treaty.parts if p.kind == "article" and p.parent is None]


@pytest.mark.parametrize(
    ("name", "numbers", "labels"),
    [
        ("roman_caps.txt", ["1", "2", "3", "4"], ["Article I", "Article II", "Article III", "Article IV"]),
        ("art_abbrev.txt", ["1", "2", "3", "4"], None),
        (
            "ordinal_words.txt",
            ["1", "2", "3", "4"],
            ["Article First", "Article Second", "Article Third", "Article Fourth"],
        ),
        ("markdown_headings.md", ["1", "2", "3", "4"], None),
        ("numbered_paragraphs.txt", [str(i) for i in range(1, 9)], None),
        ("html_treaty.html", ["1", "2", "3", "4"], None),
        ("single_line.txt", ["1", "2", "3", "4", "5"], None),
        ("chapters.txt", [str(i) for i in range(1, 8)], None),
        ("real_parties.txt", ["1", "2", "3", "4"], None),
    ],
)
def test_articles_are_found_in_every_heading_style(name, numbers, labels):
    treaty = load_treaty(TREATIES / name)
    check_parts(treaty.text, treaty.parts)
    articles = top_articles(treaty)
    assert [a.number for a in articles] == numbers
    if labels:
        assert [a.label for a in articles] == labels
    kinds = {p.kind for p in treaty.parts}
    assert {"title", "preamble", "signatures"} <= kinds, kinds


def test_secret_protocol_is_its_own_part_and_not_in_the_last_article():
    treaty = load_treaty(TREATIES / "roman_caps.txt")
    protocol = treaty.parts_of("protocol")
    assert len(protocol) == 1 and "Secret" in protocol[0].label
    last = top_articles(treaty)[-1]
    assert last.end <= protocol[0].start


def test_annex_is_separate_from_the_last_article():
    treaty = load_treaty(TREATIES / "markdown_headings.md")
    annex = treaty.parts_of("annex")
    assert len(annex) == 1 and top_articles(treaty)[-1].end <= annex[0].start


def test_paragraphs_lie_inside_their_article():
    treaty = load_treaty(TREATIES / "single_line.txt")
    paragraphs = treaty.parts_of("paragraph")
    assert paragraphs
    by_article = {}
    for p in paragraphs:
        parent = treaty.parts[p.parent]
        assert parent.kind == "article" and parent.start <= p.start < p.end <= parent.end
        by_article.setdefault(parent.number, []).append(p.number)
    assert by_article["2"] == ["1", "2", "3"]


def test_cross_references_are_not_headings():
    text = (
        "TREATY OF TEST\n\nThe Parties agree as follows:\n\nArticle 1\n\nThe Parties shall act in accordance "
        "with\nArticle 51 of the Charter of the United Nations.\n\nArticle 2\n\nAs referred to in Article 1, "
        "the Parties consult.\n\nDone at Testville on 3 May 1990.\n"
    )
    treaty = treaty_from_text(text)
    assert [a.number for a in top_articles(treaty)] == ["1", "2"]
    signatures = treaty.parts_of("signatures")
    assert signatures and treaty.text[signatures[0].start :].startswith("Done at")


def test_every_part_is_its_slice_and_the_title_is_found():
    treaty = load_treaty(EXAMPLE)
    assert treaty.title and treaty.title.isupper()
    assert len(top_articles(treaty)) == 12
    for part in treaty.parts:
        assert treaty.text[part.start : part.end].strip() == treaty.text[part.start : part.end]


def test_number_values():
    assert number_value("IV") == 4 and number_value("Fifth") == 5 and number_value("12") == 12
    assert number_value("xyz") is None


def test_sentences_use_spacy_and_stay_inside_the_text():
    treaty = load_treaty(EXAMPLE)
    spans = treaty.sentences()
    assert len(spans) > 20
    assert all(0 <= s < e <= len(treaty.text) for s, e in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


_pieces = st.sampled_from(
    [
        "Article 1",
        "ARTICLE II.",
        "Art. 3",
        "Article Fourth",
        "1. ",
        "(2) ",
        "PROTOCOL",
        "SECRET ANNEX",
        "In witness whereof",
        "Done at X",
        "CHAPTER I",
        "\n",
        "\n\n",
        " ",
        "The Parties shall consult.",
        "in accordance with Article 5",
        "“quoted”",
        "é",
        "\t",
        "#",
        "Whereas",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40).map("".join) | st.text(max_size=400))
def test_any_text_gives_ordered_parts_inside_the_text(text):
    parts = segment(text)
    check_parts(text, parts)


def test_a_declaration_without_article_headings_has_its_operative_part_outside_the_preamble():
    numbered = treaty_from_text(
        "JOINT DECLARATION\n\nThe Governments signatory hereto, resolved to act together, declare:\n\n"
        "(1) Each Government shall place its forces at the disposal of the common command.\n\n"
        "(2) Each Government shall refuse any separate armistice.\n\nDone at Lorne, 4 May 1917.\n"
    )
    check_parts(numbered.text, numbered.parts)
    articles = top_articles(numbered)
    assert [a.number for a in articles] == ["1", "2"]
    assert numbered.text[articles[0].start :].startswith("(1) Each Government shall place")
    plain = treaty_from_text(
        "MEMORANDUM\n\nThe two Governments, wishing to deepen their friendship, have reached the following "
        "understanding:\n\nThe two Governments will consult each other whenever either is threatened.\n\n"
        "Neither will allow its territory to be used against the other.\n\nSigned at Orlan on 3 March 1997.\n"
    )
    check_parts(plain.text, plain.parts)
    (operative,) = top_articles(plain)
    assert operative.label == "Operative part"
    assert plain.text[operative.start :].startswith("The two Governments will consult")
    preamble = next(p for p in plain.parts if p.kind == "preamble")
    assert "wishing to deepen" in plain.text[preamble.start : preamble.end]
    recital = treaty_from_text("The two Governments, wishing to deepen their friendship, met at Orlan.\n")
    assert top_articles(recital) == []

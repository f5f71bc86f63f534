"""Words broken in two by text extraction are mended for reading, never in the text itself."""

from __future__ import annotations

from nlp_coder.text.mend import Mender
from nlp_coder.text.treaty import treaty_from_text

SCANNED = (
    "Article 1\n\nNew members shall be admitted by a unanimous decision of the Council, and the Council "
    "shall keep the present paragraph under review.\n\n"
    "Article 2\n\nThe States of the region may apply to become members and shall be admitted by a unani "
    "mous decision of the Council in accordance with para graph 1 of Article 1, and they may come in to "
    "the Union at once.\n"
)


def test_a_broken_word_is_mended_when_the_treaty_uses_it_whole():
    mender = Mender(SCANNED)
    mended = mender.mend("admitted by a unani mous decision in accordance with para graph 1")
    assert mended == "admitted by a unanimous decision in accordance with paragraph 1"


def test_two_common_words_are_not_run_together():
    # "into" is a word of this treaty, but so are "in" and "to", many times over
    text = SCANNED + "It enters into force in May, in full and in good faith, to last and to bind them.\n"
    assert Mender(text).mend("they may come in to the Union") == "they may come in to the Union"


def test_a_word_the_treaty_never_uses_whole_is_left_broken():
    assert Mender("The Parties shall consult. A treaty of friend ship.").mend("friend ship") == "friend ship"


def test_reading_mends_but_offsets_and_quotes_keep_the_text_as_read():
    treaty = treaty_from_text(SCANNED, path="scanned.txt")
    start = SCANNED.index("The States of the region")
    end = SCANNED.index("at once.") + len("at once.")
    assert "unanimous decision" in treaty.reading(start, end)
    assert "paragraph 1" in treaty.reading(start, end)
    assert treaty.text == SCANNED
    assert "unani mous" in treaty.text[start:end]

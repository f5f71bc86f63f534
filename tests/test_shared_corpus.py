"""Segmentation of the alliance texts in ../shared (skipped when it is absent)."""

import pytest

from conftest import SHARED, needs_shared
from nlp_coder.text.segment import check_parts
from nlp_coder.text.treaty import load_treaty

pytestmark = needs_shared
ALLIANCES = SHARED / "treaties"


@pytest.mark.parametrize(
    ("path", "articles"),
    [
        ("nl_verdragenbank/north_atlantic_treaty_1949_en.md", 14),
        ("dfat_historical/australia_new_zealand_agreement_1944-01-21.md", 44),
        ("globalgov_ggo/ORGECS_1981O_oecs_treaty_1981.txt", 27),
        ("globalgov_ggo/ECLSBN_2007O_treaty_of_lisbon_2007.txt", 7),
    ],
)
def test_alliance_texts_have_their_articles(path, articles):
    treaty = load_treaty(ALLIANCES / path)
    check_parts(treaty.text, treaty.parts)
    top = [p for p in treaty.parts if p.kind == "article" and p.parent is None]
    assert [int(p.number) for p in top] == list(range(1, articles + 1))
    assert treaty.language.code == "en"
    assert treaty.parts_of("preamble")


def test_accession_protocols_and_dutch_texts():
    for path in sorted((ALLIANCES / "nl_verdragenbank").glob("*.md")):
        treaty = load_treaty(path)
        check_parts(treaty.text, treaty.parts)
        expected = "nl" if path.stem.endswith("_nl") or "europese" in path.stem else "en"
        assert treaty.language.code == expected, path.name
        if "accession" in path.stem and expected == "en":
            assert len([p for p in treaty.parts if p.kind == "article"]) >= 3, path.name

import pytest

from nlp_coder.errors import ConfigError
from nlp_coder.learn.weak import SOURCE, article_heading, load_weak_rules, weak_labels
from nlp_coder.text.treaty import treaty_from_text

TOY = """TREATY OF TESTING BETWEEN VELORIA AND OSTMARK

The High Contracting Parties have agreed as follows:

Article 1 - Duration
This Treaty stays in force for twenty years.

Article 2
Withdrawal

Either Party may leave this Treaty on one year's notice.

Article 3. Joint Board
A Joint Board of both Parties meets twice a year.

Article 4 Settlement of Disputes
Disputes between the Parties go to an arbitral panel of three.

Article 5 Amendments
This Treaty may be amended by common consent.

Article 6 Consultations
The Parties shall consult when trade in a product is disrupted.

Article 7 Ratification
This Treaty needs ratification by both Parties.

Article 8 Withdrawal of Tariff Concessions
A Party may suspend a concession after a ruling.

Article 9
The Parties shall cooperate in every field of culture.

Done at Testburg on the 2nd day of May 1950.
"""


@pytest.fixture(scope="module")
def rules():
    return load_weak_rules()


@pytest.fixture(scope="module")
def toy():
    return treaty_from_text(TOY)


def _by_article(treaty, labels):
    articles = {p.start: p for p in treaty.parts_of("article")}
    out = {}
    for lab in labels:
        part = articles[lab.start]
        assert lab.end == part.end and lab.source == SOURCE
        out.setdefault(part.number, []).append(lab)
    return out


def test_rules_load_and_cover_the_shared_provisions(rules):
    assert {6, 8, 10, 11, 30, 35, 46, 50}.issubset(set(rules.questions))
    assert 16 not in rules.questions  # no heading gives an obligation type


def test_headings_are_read_in_several_layouts(toy, rules):
    heads = {p.number: article_heading(toy, p) for p in toy.parts_of("article")}
    assert heads["1"] == "Duration"
    assert heads["2"] == "Withdrawal"  # title on the line under a bare "Article 2"
    assert heads["3"] == "Joint Board"
    assert heads["9"] == ""  # the first sentence is not a title


def test_each_matching_article_gets_its_question_and_codes(toy, rules):
    found = _by_article(toy, weak_labels(toy, rules))
    questions = {num: sorted(lab.question for lab in labs) for num, labs in found.items()}
    assert questions == {"1": [10], "2": [11], "3": [35], "4": [30], "7": [6]}
    assert found["4"][0].codes == {"medarb": 1}
    assert found["7"][0].codes == {"estmode": 1}
    assert found["1"][0].codes == {}  # "Duration" does not say which kind of term


def test_near_misses_give_nothing(toy, rules):
    found = _by_article(toy, weak_labels(toy, rules))
    assert "5" not in found  # amendment is not duration
    assert "6" not in found  # trade consultations are not an alliance consultation pledge
    assert "8" not in found  # withdrawing a concession is not leaving the treaty


def test_one_label_per_question_with_merged_codes(rules):
    treaty = treaty_from_text(
        "AGREEMENT ON TESTS\n\nArticle 1 Scope\nIt applies.\n\n"
        "Article 2 Ratification and Entry into Force\nIt needs ratification.\n\nDone at Testburg.\n"
    )
    labels = weak_labels(treaty, rules)
    assert [(lab.question, lab.codes) for lab in labels] == [(6, {"estmode": 1})]


def test_run_on_text_uses_the_heading_in_capitals(rules):
    text = (
        "TREATY OF THE TEST UNION PREAMBLE The States agree as follows: "
        "ARTICLE 1. ESTABLISHMENT OF THE ORGANISATION The States set up the Test Union with a seat in "
        "Testburg and a council. " + "It has many tasks. " * 60 + "ARTICLE 2. WITHDRAWAL A State may "
        "leave the Union after giving twelve months notice. " + "Further words follow. " * 60
    )
    treaty = treaty_from_text(text)
    heads = [article_heading(treaty, p) for p in treaty.parts_of("article")]
    assert heads == ["ESTABLISHMENT OF THE ORGANISATION", "WITHDRAWAL"]
    assert sorted(lab.question for lab in weak_labels(treaty, rules)) == [11, 35]


def test_rules_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - question: 10\n    headings: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad regex"):
        load_weak_rules(bad)
    bad.write_text("rules:\n  - question: 99\n    headings: ['x']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not on the codesheet"):
        load_weak_rules(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rules"):
        load_weak_rules(bad)


def test_custom_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "max_heading_chars: 80\nrules:\n  - id: bases\n    question: 36\n    codes: {base: 2}\n"
        "    headings: ['\\bbases\\b']\n    exclude: ['\\blegal\\b']\n",
        encoding="utf-8",
    )
    rules = load_weak_rules(path)
    treaty = treaty_from_text(
        "TREATY OF TEST\n\nArticle 1 Military Bases\nEach Party may use the bases of the other.\n\n"
        "Article 2 Legal Bases\nNone.\n\nDone at Testburg.\n"
    )
    labels = weak_labels(treaty, rules)
    assert [(lab.question, lab.codes) for lab in labels] == [(36, {"base": 2})]


def test_tota_xml_treaty_gets_weak_labels(tmp_path, rules):
    from nlp_coder.text.treaty import load_treaty

    path = tmp_path / "toy.xml"
    path.write_text(
        '<?xml version="1.0"?><treaty><meta><name>Veloria - Ostmark</name><language>en</language></meta>'
        '<body><chapter name="Final" chapter_identifier="1">'
        '<article number="ARTICLE 1" name="Accession" article_identifier="1">Other states may join.</article>'
        '<article number="ARTICLE 2" name="Denunciation" article_identifier="2">A Party may leave.</article>'
        "</chapter></body></treaty>",
        encoding="utf-8",
    )
    treaty = load_treaty(path)
    assert [lab.question for lab in weak_labels(treaty, rules)] == [8, 11]

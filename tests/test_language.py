from conftest import EXAMPLE, TREATIES
from nlp_coder.text.language import detect_language


def test_english_and_dutch_treaties_are_told_apart():
    assert detect_language(EXAMPLE.read_text(encoding="utf-8")).code == "en"
    assert detect_language((TREATIES / "dutch.txt").read_text(encoding="utf-8")).code == "nl"


def test_too_little_text_is_undetermined():
    assert detect_language("Article 1").code == "und"
    assert detect_language("12345 67 89 ---").code == "und"

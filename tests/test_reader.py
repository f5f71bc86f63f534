import pytest

from conftest import TREATIES, make_pdf
from nlp_coder.errors import InputError
from nlp_coder.reader import read_treaty


def test_markdown_front_matter_and_heading_marks_are_stripped():
    t = read_treaty(TREATIES / "markdown_headings.md")
    assert not t.text.startswith("---")
    assert "title:" not in t.text[:200]
    assert "## Article" not in t.text and "Article 1" in t.text
    assert t.headings, "markdown headings are recorded"


def test_copied_characters_map_back_to_the_raw_text():
    for name in ("markdown_headings.md", "html_treaty.html", "roman_caps.txt"):
        t = read_treaty(TREATIES / name)
        for i in range(0, len(t.text), 7):
            ch = t.text[i]
            if ch.isalnum():
                assert t.raw[t.to_raw(i)] == ch, (name, i)


def test_html_drops_script_style_and_decodes_entities():
    t = read_treaty(TREATIES / "html_treaty.html")
    assert "Article 99" not in t.text and "Article 42" not in t.text
    assert "&amp;" not in t.text and "Guarantee & Neutrality" in t.text
    assert "<p>" not in t.text and "\xa0" not in t.text


def test_crlf_is_normalised(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"TREATY OF AMITY\r\n\r\nArticle 1\r\nThe Parties agree.\r\n")
    t = read_treaty(path)
    assert "\r" not in t.text and t.text.startswith("TREATY OF AMITY\n\nArticle 1")


def test_pdf_text_is_extracted(tmp_path):
    pdf = make_pdf(tmp_path / "t.pdf", ["TREATY OF FRIENDSHIP", "Article 1", "The Parties shall consult."])
    t = read_treaty(pdf)
    assert t.format == "pdf" and "Article 1" in t.text and len(t.pages) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("binary.txt", b"\x00\x01\x02\x03" * 50, "binary"),
        ("latin1.txt", "Traité signé à Genève".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf", "PDF"),
        ("markup.html", b"<html><script>var a = 1;</script></html>", "no text"),
    ],
)
def test_bad_input_raises_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_treaty(path)


def test_pdf_without_text_is_refused(tmp_path):
    pdf = make_pdf(tmp_path / "scan.pdf", [])
    with pytest.raises(InputError, match="no extractable text"):
        read_treaty(pdf)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_treaty(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_treaty(tmp_path)

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


TOY_TOTA = """<?xml version="1.0" encoding="UTF-8"?>
<treaty>
  <meta>
    <name>Veloria - Ostmark</name>
    <language>en</language>
  </meta>
  <body>
    <chapter chapter_identifier="1" name="Preamble">
      <article article_identifier="1" kind="intro">The Parties,  Wishing to trade &amp; prosper,  Have agreed:</article>
    </chapter>
    <chapter number="CHAPTER 1" name="Final Matters" chapter_identifier="2">
      <article number="ARTICLE 1" name="Joint Board" article_identifier="2">1. A Joint Board is hereby set up.  2. It shall meet once a year.</article>
      <article number="ARTICLE 2" name="Duration" article_identifier="3">This Accord stays in force for ten years.</article>
    </chapter>
  </body>
</treaty>
"""


def test_tota_xml_is_rebuilt_as_printed_text(tmp_path):
    path = tmp_path / "toy.xml"
    path.write_text(TOY_TOTA, encoding="utf-8")
    t = read_treaty(path)
    assert t.format == "xml"
    assert t.text == (
        "Veloria - Ostmark\n\n"
        "The Parties,\nWishing to trade & prosper,\nHave agreed:\n\n"
        "CHAPTER 1 Final Matters\n\n"
        "ARTICLE 1 Joint Board\n1. A Joint Board is hereby set up.\n2. It shall meet once a year.\n\n"
        "ARTICLE 2 Duration\nThis Accord stays in force for ten years.\n"
    )
    level2 = [t.text[s:e] for s, e, level in t.headings if level == 2]
    assert level2 == ["ARTICLE 1 Joint Board", "ARTICLE 2 Duration"]
    for i, ch in enumerate(t.text):
        r = t.to_raw(i)
        assert 0 <= r < len(t.raw)
        if (
            ch.isalpha()
            and i >= t.text.index("The Parties")
            and not any(s <= i < e for s, e, _ in t.headings)
        ):
            assert t.raw[r] == ch, i  # article text is copied from the raw file
    assert t.raw[t.to_raw(t.text.index("ARTICLE 2"))] == "<"  # a heading maps to its element


def test_tota_xml_articles_are_segmented(tmp_path):
    from nlp_coder.treaty import load_treaty

    path = tmp_path / "toy.xml"
    path.write_text(TOY_TOTA, encoding="utf-8")
    treaty = load_treaty(path)
    articles = treaty.parts_of("article")
    assert [a.number for a in articles] == ["1", "2"]
    assert treaty.text[articles[1].start :].startswith("ARTICLE 2 Duration\n")


def test_tota_xml_by_content_and_shape(tmp_path):
    sniffed = tmp_path / "toy_without_extension"
    sniffed.write_text(TOY_TOTA, encoding="utf-8")
    assert read_treaty(sniffed).format == "xml"
    other = tmp_path / "feed.xml"
    other.write_text('<?xml version="1.0"?><rss><channel><title>News</title></channel></rss>', "utf-8")
    with pytest.raises(InputError, match=r"XML but not a treaty \(expected <treaty><body>"):
        read_treaty(other)
    no_body = tmp_path / "nobody.xml"
    no_body.write_text("<treaty><meta><name>X</name></meta></treaty>", "utf-8")
    with pytest.raises(InputError, match="XML but not a treaty"):
        read_treaty(no_body)
    broken = tmp_path / "broken.xml"
    broken.write_text("<treaty><body><chapter></body></treaty>", "utf-8")
    with pytest.raises(InputError, match="broken XML"):
        read_treaty(broken)

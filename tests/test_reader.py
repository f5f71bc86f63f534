import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TREATIES, make_pdf
from nlp_coder.errors import InputError
from nlp_coder.text.reader import read_treaty


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
    from nlp_coder.text.treaty import load_treaty

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


# --- encodings ------------------------------------------------------------------------------

ENCODINGS = {
    "utf-16-le-bom": lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
    "utf-8-bom": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_utf16_and_bom_text_reads_like_utf8(tmp_path, encoding):
    from nlp_coder.text.treaty import load_treaty

    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "treaty.txt"
    path.write_bytes(ENCODINGS[encoding](text))
    utf8 = read_treaty(EXAMPLE)
    t = read_treaty(path)
    assert t.format == "txt"
    assert t.text == utf8.text and t.raw == utf8.raw == text and not t.raw.startswith("\ufeff")
    for i, ch in enumerate(t.text):  # the raw map points into the decoded text, BOM dropped
        assert t.to_raw(i) == utf8.to_raw(i), i
        if ch.isalnum():
            assert t.raw[t.to_raw(i)] == ch, i
    parts = load_treaty(path).parts
    assert parts == load_treaty(EXAMPLE).parts
    assert sum(p.kind == "article" for p in parts) == 12


def test_utf16_keeps_non_ascii_text(tmp_path):
    text = "TRAITÉ D'AMITIÉ\n\nArticle 1\nLes Parties se consultent à Genève – «sans délai».\n"
    for name, encode in ENCODINGS.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(encode(text))
        assert read_treaty(path).text == text, name


def test_utf16_markup_is_sniffed_without_extension(tmp_path):
    path = tmp_path / "treaty_page"
    path.write_bytes("<html><body><p>Article 1 Peace &amp; Amity</p></body></html>".encode("utf-16"))
    t = read_treaty(path)
    assert t.format == "html" and t.text.strip() == "Article 1 Peace & Amity"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe" + "Article 1".encode("utf-16-le") + b"A", "not valid UTF-16"),
        (b"\xff\xfe" + b"\x00\xd8" + "Article".encode("utf-16-le"), "not valid UTF-16"),  # lone surrogate
        (b"\xef\xbb\xbf" + "Traité".encode("latin-1"), "not valid UTF-8"),
        (b"\x00\x01\x02\x03" * 50, "binary"),  # NULs on one side, but control characters
        (bytes(range(256)) * 4, "binary"),
        ("Article 1 The Parties agree.".encode("utf-16-le") + b"!", "binary"),  # odd length
        ("Traité signé à Genève".encode("latin-1"), "not UTF-8"),
        (b"\xff\xfe", "empty"),
        (" \n\t\n".encode("utf-16"), "empty"),
    ],
    ids=[
        "utf16-odd-length",
        "utf16-lone-surrogate",
        "utf8-bom-latin1",
        "nul-controls",
        "bytes",
        "odd",
        "latin1",
        "bom-only",
        "utf16-blank",
    ],
)
def test_bad_encodings_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        read_treaty(path)
    assert "\n" not in str(info.value)


# --- encrypted PDFs -------------------------------------------------------------------------


def _encrypted_pdf(tmp_path, algorithm: str, user_password: str):
    from pypdf import PdfWriter

    plain = make_pdf(
        tmp_path / "plain.pdf", ["TREATY OF FRIENDSHIP", "Article 1", "The Parties shall consult."]
    )
    writer = PdfWriter(clone_from=plain)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    path = tmp_path / f"{algorithm}.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert b"/Encrypt" in path.read_bytes()
    return path


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_pdf_with_only_an_owner_password_reads(tmp_path, algorithm):
    path = _encrypted_pdf(tmp_path, algorithm, "")
    t = read_treaty(path)
    assert t.format == "pdf" and "Article 1" in t.text and "The Parties shall consult." in t.text


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_pdf_with_a_user_password_is_refused_as_encrypted(tmp_path, algorithm):
    path = _encrypted_pdf(tmp_path, algorithm, "user-secret")
    with pytest.raises(InputError, match=r"^.*\.pdf: PDF is encrypted: decrypt it first$"):
        read_treaty(path)


def test_encrypted_pdf_is_one_error_line_in_the_cli(tmp_path):
    from nlp_coder.cli.common import app

    path = _encrypted_pdf(tmp_path, "AES-256", "user-secret")
    result = CliRunner().invoke(app, ["segment", str(path)])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("nlp-coder: error:"), result.stderr
    assert "PDF is encrypted: decrypt it first" in lines[0] and "broken" not in lines[0]


def test_missing_aes_support_names_the_package(tmp_path, monkeypatch):
    import pypdf
    from pypdf.errors import DependencyError

    def no_crypto(*args, **kwargs):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf, "PdfReader", no_crypto)
    with pytest.raises(InputError, match=r"AES-encrypted.*pypdf\[crypto\]"):
        read_treaty(_encrypted_pdf(tmp_path, "AES-128", ""))

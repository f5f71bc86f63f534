"""Build small treaties around a snippet, for predictor tests."""

from nlp_coder.text.treaty import Treaty, treaty_from_text


def toy_treaty(
    *articles: str,
    preamble: str = "The High Contracting Parties have agreed as follows:",
    final: str = "Done at Testburg on the 2nd day of May 1950.",
) -> Treaty:
    body = "\n\n".join(f"Article {i}\n\n{text}" for i, text in enumerate(articles, 1))
    return treaty_from_text(f"TREATY OF TEST\n\n{preamble}\n\n{body}\n\n{final}\n")

"""nlp-coder: draft ATOP alliance-treaty coding sheets from treaty texts."""

__version__ = "0.1.0"

"""Tell which language a treaty is written in, from its most common function words.

Treaty prose is dense with function words, so a few hundred of them tell English from the
other languages treaties come in. No model download, no extra dependency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Function words per language: short, frequent, and rare in the other languages listed.
_PROFILES: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "shall",
            "be",
            "by",
            "any",
            "which",
            "with",
            "this",
            "that",
            "for",
            "or",
            "such",
            "as",
            "are",
            "other",
            "their",
            "it",
            "its",
            "have",
            "has",
            "from",
            "upon",
            "between",
            "parties",
            "party",
            "treaty",
            "agreement",
            "each",
            "not",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "van",
            "en",
            "op",
            "zijn",
            "dat",
            "niet",
            "worden",
            "wordt",
            "verdrag",
            "partijen",
            "met",
            "voor",
            "bij",
            "aan",
            "ten",
            "door",
            "tot",
            "zal",
            "zullen",
            "deze",
            "die",
            "overeenkomst",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "un",
            "une",
            "et",
            "est",
            "sont",
            "dans",
            "par",
            "pour",
            "sur",
            "au",
            "aux",
            "ce",
            "cette",
            "qui",
            "que",
            "traité",
            "parties",
            "accord",
            "seront",
            "sera",
            "leur",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "sind",
            "den",
            "dem",
            "des",
            "ein",
            "eine",
            "zu",
            "mit",
            "von",
            "auf",
            "für",
            "nicht",
            "sich",
            "vertrag",
            "vertragsparteien",
            "wird",
            "werden",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "en",
            "que",
            "por",
            "para",
            "con",
            "una",
            "un",
            "se",
            "su",
            "sus",
            "tratado",
            "partes",
            "acuerdo",
            "será",
            "serán",
            "este",
            "esta",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "os",
            "a",
            "as",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "em",
            "que",
            "por",
            "para",
            "com",
            "uma",
            "um",
            "se",
            "seu",
            "suas",
            "tratado",
            "partes",
            "acordo",
            "será",
            "não",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "i",
            "gli",
            "le",
            "di",
            "del",
            "della",
            "dei",
            "e",
            "in",
            "che",
            "per",
            "con",
            "una",
            "un",
            "si",
            "suo",
            "sue",
            "trattato",
            "parti",
            "accordo",
            "sarà",
            "non",
        ]
    ),
}
NAMES = {
    "en": "English",
    "nl": "Dutch",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "und": "undetermined",
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    share: float  # share of sampled words that are function words of that language
    margin: float  # lead over the runner-up, in the same units

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)


def detect_language(text: str, sample: int = 5000) -> LanguageGuess:
    """Guess the language of ``text`` from up to ``sample`` of its words."""
    words = [w.lower() for w in _WORD.findall(text[: sample * 12])][:sample]
    if len(words) < 8:
        return LanguageGuess("und", 0.0, 0.0)
    scores = {code: sum(1 for w in words if w in profile) / len(words) for code, profile in _PROFILES.items()}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 0.08:
        return LanguageGuess("und", top, top - second)
    return LanguageGuess(best, round(top, 4), round(top - second, 4))


def is_english(text: str) -> bool:
    guess = detect_language(text)
    return guess.code == "en"

"""Weak labels from article headings: an article headed "Duration" evidences Q10, one headed
"Accession" Q8, and so on (rules in configs/weak_labels.yaml).

The heading of an article part is its first line with the "Article n" label removed. Two common layouts
are read as well: a bare "Article n" line followed by a short title line (the title counts), and a
long run-on line (a text that lost its line breaks), where only the leading words in capitals count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from nlp_coder.configfile import read_yaml
from nlp_coder.errors import ConfigError
from nlp_coder.learn.labels import SpanLabel
from nlp_coder.paths import CONFIG_DIR
from nlp_coder.text.segment import Part
from nlp_coder.text.treaty import Treaty

DEFAULT_RULES = CONFIG_DIR / "weak_labels.yaml"
SOURCE = "weak:heading"

_KEYWORD = re.compile(r"[ \t>*#_]*(?:ARTICLES?|Articles?|ART\.|Art\.|ARTIKEL|Artikel|CLAUSE|Clause)?[ \t]*")
_GENERIC_NUMBER = re.compile(
    r"(?:\d{1,4}(?:[.\-]\d{1,3}){0,2}(?:\s?(?:bis|ter|quater)\b|[A-Za-z]\b)?|[IVXLC]{1,7}\b|[A-Z]-\d{1,3})"
)
_SENTENCE_START = {"a", "an", "the", "any", "each", "every", "all", "no", "if", "in", "where", "when", "it"}
_PUNCT = " \t.:;,-–—)]*_"
_SENTENCE_WORDS = re.compile(
    r"\b(?:shall|will|may|must|should|can|agrees?|undertakes?|hereby|is|are|be|does|do|has|have)\b", re.I
)
# A line that ends in one of these was cut from a running sentence (a hard-wrapped text), not a title.
_OPEN_END = re.compile(
    r"(?:[,;]|\b(?:the|a|an|of|and|or|to|in|for|by|with|under|on|at|from|that|which))\s*$", re.I
)


@dataclass(frozen=True)
class WeakRule:
    id: str
    question: int
    codes: dict[str, int] = field(default_factory=dict, hash=False)
    headings: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    def matches(self, heading: str) -> bool:
        return any(p.search(heading) for p in self.headings) and not any(
            p.search(heading) for p in self.exclude
        )


@dataclass(frozen=True)
class WeakRules:
    rules: tuple[WeakRule, ...]
    max_heading_chars: int = 160
    path: str = ""

    def match(self, heading: str) -> list[WeakRule]:
        """The rules whose patterns match ``heading`` (whitespace collapsed)."""
        heading = " ".join(heading.split())
        return [r for r in self.rules if r.matches(heading)] if heading else []

    @property
    def questions(self) -> list[int]:
        return sorted({r.question for r in self.rules})


def load_weak_rules(path: str | Path | None = None) -> WeakRules:
    """Read the heading rules (configs/weak_labels.yaml by default); ConfigError names what is wrong."""
    p = Path(path) if path is not None else DEFAULT_RULES
    data = read_yaml(p, "weak-label rules")
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"{p}: expected a mapping with a 'rules' list")
    rules: list[WeakRule] = []
    for i, row in enumerate(data["rules"], 1):
        where = f"{p}: rule {i}" + (f" ({row.get('id')})" if isinstance(row, dict) and row.get("id") else "")
        if not isinstance(row, dict) or "question" not in row or not row.get("headings"):
            raise ConfigError(f"{where}: needs a question and a list of headings")
        try:
            question = int(row["question"])
            codes = {str(k): int(v) for k, v in (row.get("codes") or {}).items()}
            headings = tuple(re.compile(x, re.I) for x in row["headings"])
            exclude = tuple(re.compile(x, re.I) for x in (row.get("exclude") or []))
        except re.error as exc:
            raise ConfigError(f"{where}: bad regex ({exc})") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"{where}: {type(exc).__name__}: {exc}") from exc
        if not 1 <= question <= 61:
            raise ConfigError(f"{where}: question {question} is not on the codesheet (1-61)")
        rules.append(WeakRule(str(row.get("id") or f"rule{i}"), question, codes, headings, exclude))
    return WeakRules(tuple(rules), int(data.get("max_heading_chars") or 160), str(p))


def _strip_label(line: str, part: Part) -> str:
    """``line`` without its leading "Article 12" / "ARTICLE XII." / "3." label."""
    m = _KEYWORD.match(line)
    rest = line[m.end() :]
    number = part.label.split(" ", 1)[1] if part.label.startswith(("Article ", "Clause ")) else None
    found = None
    if number:
        found = re.match(r"\s?".join(re.escape(ch) for ch in number if not ch.isspace()), rest, re.I)
    if found is None and (m.group(0).strip() or number):
        found = _GENERIC_NUMBER.match(rest)
    if found is not None:
        rest = rest[found.end() :]
    return rest.lstrip(_PUNCT)


def _caps_prefix(rest: str) -> str:
    """The leading words in capitals of a run-on line: its heading."""
    words = []
    for word in rest.split():
        if any(ch.islower() for ch in word):
            break
        words.append(word)
    while words and words[-1].lower() in _SENTENCE_START:  # "WITHDRAWAL A State may..."
        words.pop()
    return " ".join(words) if sum(ch.isalpha() for ch in "".join(words)) >= 3 else ""


def _reads_as_title(s: str) -> bool:
    """Heading words, not a piece of a sentence: starts with a capital, has no finite verb of treaty
    prose (shall, may, is...), does not stop on an article, preposition or comma."""
    return (
        bool(s)
        and (s[0].isupper() or s[0].isdigit() or s[0] in '(“"')
        and not (_SENTENCE_WORDS.search(s) or _OPEN_END.search(s))
    )


def _title_line(line: str) -> bool:
    """A short line under a bare "Article n" that reads as a title, not as the article's first sentence."""
    s = line.strip()
    return 0 < len(s) <= 100 and len(s.split()) <= 12 and not s.endswith((".", ":")) and _reads_as_title(s)


def article_heading(treaty: Treaty, part: Part, max_chars: int = 160) -> str:
    """The heading words of an article part ("" when it has none)."""
    body = treaty.text[part.start : part.end]
    lines = body.split("\n")
    first = lines[0]
    rest = _strip_label(first, part).strip()
    if not rest:
        for line in lines[1:4]:
            if line.strip():
                return " ".join(line.split()) if _title_line(line) else ""
        return ""
    if len(first) > max_chars:
        rest = _caps_prefix(rest)
    rest = " ".join(rest.split())
    return rest if _reads_as_title(rest) else ""


def weak_labels(treaty: Treaty, rules: WeakRules) -> list[SpanLabel]:
    """One SpanLabel per (article part, question) whose heading matches a rule: the whole article."""
    out: list[SpanLabel] = []
    for part in treaty.parts:
        if part.kind != "article":
            continue
        heading = article_heading(treaty, part, rules.max_heading_chars)
        if not heading:
            continue
        by_question: dict[int, dict[str, int]] = {}
        for rule in rules.match(heading):
            codes = by_question.setdefault(rule.question, {})
            for col, value in rule.codes.items():
                codes[col] = max(value, codes.get(col, value))
        for question, codes in sorted(by_question.items()):
            out.append(SpanLabel(question, part.start, part.end, codes, SOURCE))
    return out

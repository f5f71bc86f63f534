"""Provision cues: the treaty language that signals each provision, as data (``configs/provisions.yaml``).

Each question has cues; a cue matches a sentence when one of its ``any`` patterns and all of its
``all`` patterns match and none of its ``none`` patterns (the near misses) do. In ``first`` mode the
first cue in the list that matches anywhere decides the answer; in ``all`` mode every matching cue adds
its codes (the obligation types of Q16). With no cue matching, the question gets its ``absent`` answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.configfile import check_regex, first_problem, kind_of, read_yaml
from nlp_coder.errors import ConfigError
from nlp_coder.paths import CONFIG_DIR
from nlp_coder.predictors.base import RulePredictor
from nlp_coder.predictors.literals import any_required, may_match
from nlp_coder.text.treaty import Treaty

DEFAULT_PROVISIONS = CONFIG_DIR / "provisions.yaml"
MAX_EVIDENCE = 3
MIN_CUE_CONFIDENCE = 0.55  # a cue less sure than this only flags its passage for review


class Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    summary: str
    any: list[str]
    all: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    codes: dict[str, int] = Field(default_factory=dict)
    confidence: float = Field(0.8, ge=0.0, le=1.0)
    preamble: bool = True
    answer: str | None = None

    @field_validator("any", "all", "none")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return [check_regex(p) for p in patterns]


class Absent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: str = "No"
    codes: dict[str, int] = Field(default_factory=dict)
    confidence: float = Field(0.75, ge=0.0, le=1.0)


class QuestionCues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["first", "all"] = "first"
    cues: list[Cue]
    absent: Absent = Field(default_factory=Absent)


class ProvisionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: dict[int, QuestionCues]


@dataclass(frozen=True)
class Match:
    cue: Cue
    start: int
    end: int


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    """One compiled pattern that matches where any of ``patterns`` does (one search instead of many)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


class _CompiledCue:
    def __init__(self, cue: Cue):
        self.cue = cue
        self.any = _alternation(cue.any)
        self.all = [re.compile(p, re.I) for p in cue.all]
        self.none = _alternation(cue.none)
        self.literals = any_required(cue.any)

    def matches(self, sentence: str) -> bool:
        return (
            self.any is not None
            and self.any.search(sentence) is not None
            and all(p.search(sentence) for p in self.all)
            and (self.none is None or self.none.search(sentence) is None)
        )


def load_provisions(path: str | Path | None = None) -> ProvisionConfig:
    return _default() if path is None else _load(Path(path))


@lru_cache(maxsize=1)
def _default() -> ProvisionConfig:
    return _load(DEFAULT_PROVISIONS)


def _load(path: Path) -> ProvisionConfig:
    raw = read_yaml(path, "provisions config")
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: a provisions config must be a mapping with 'questions', not {kind_of(raw)}"
        )
    try:
        return ProvisionConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {first_problem(exc, ProvisionConfig.model_fields)}") from exc


def sentence_units(treaty: Treaty) -> list[tuple[int, int, str, str | None]]:
    """(start, end, normalised sentence, kind of the top-level part) for every sentence outside the title."""
    cached = treaty.cache.get("sentence_units")
    if cached is None:
        cached = treaty.cache["sentence_units"] = _sentence_units(treaty)
    return cached


def lowered_units(treaty: Treaty) -> list[tuple[tuple[int, int, str, str | None], str, bool]]:
    """Each sentence unit with its lowercase form and whether it is ASCII (for the literal prefilters)."""
    cached = treaty.cache.get("lowered_units")
    if cached is None:
        cached = treaty.cache["lowered_units"] = [(u, u[2].lower(), u[2].isascii()) for u in sentence_units(treaty)]
    return cached


def _union(literals: list[frozenset[str] | None]) -> frozenset[str] | None:
    if any(lits is None for lits in literals):
        return None
    return frozenset().union(*literals)  # type: ignore[arg-type]


def _sentence_units(treaty: Treaty) -> list[tuple[int, int, str, str | None]]:
    units = []
    tops = [p for p in treaty.parts if p.parent is None]
    k = 0
    for start, end in treaty.sentences():
        while k < len(tops) and tops[k].end <= start:
            k += 1
        kind = tops[k].kind if k < len(tops) and tops[k].start <= start else None
        if kind == "title":
            continue
        units.append((start, end, " ".join(treaty.text[start:end].split()), kind))
    return units


class ProvisionPredictor(RulePredictor):
    """Answers the questions of ``configs/provisions.yaml`` from cue matches in the treaty's sentences."""

    name = "provisions.v1"

    def __init__(self, codebook: Codebook, config: ProvisionConfig | None = None):
        super().__init__(codebook)
        self.config = config

    def fit(self, corpus: object = None) -> ProvisionPredictor:
        config = self.config or load_provisions()
        self.compiled_ = {q: [_CompiledCue(c) for c in qc.cues] for q, qc in config.questions.items()}
        # literal prefilters: a sentence without any of a question's required words is skipped for all its
        # cues, and within a question for each cue whose words it lacks (same matches, far fewer searches)
        self.prefilter_ = {q: _union([c.literals for c in cues]) for q, cues in self.compiled_.items()}
        self.config_ = config
        return self

    @property
    def questions(self) -> tuple[int, ...]:  # type: ignore[override]
        config = self.config or load_provisions()
        return tuple(sorted(config.questions))

    def matches(self, treaty: Treaty, question: int) -> list[Match]:
        """Every (cue, sentence) match for a question, in cue order then text order; once per treaty."""
        key = ("cue_matches", id(self), question)
        if key not in treaty.cache:
            treaty.cache[key] = self._matches(treaty, question)
        return list(treaty.cache[key])

    def _matches(self, treaty: Treaty, question: int) -> list[Match]:
        prefilter = self.prefilter_[question]
        units = [
            (u, lowered, ascii_only)
            for u, lowered, ascii_only in lowered_units(treaty)
            if may_match(prefilter, lowered, ascii_only)
        ]
        found: list[Match] = []
        for compiled in self.compiled_[question]:
            for (start, end, sentence, kind), lowered, ascii_only in units:
                if kind == "preamble" and not compiled.cue.preamble:
                    continue
                if may_match(compiled.literals, lowered, ascii_only) and compiled.matches(sentence):
                    found.append(Match(compiled.cue, start, end))
        return found

    def predict(self, treaty: Treaty) -> dict[int, SheetAnswer]:
        if not hasattr(self, "compiled_"):
            raise RuntimeError("ProvisionPredictor is not fitted; call fit() first")
        return {q: self._answer(treaty, q) for q in self.config_.questions}

    def _answer(self, treaty: Treaty, number: int) -> SheetAnswer:
        qc = self.config_.questions[number]
        question = self.codebook.question(number)
        found = self.matches(treaty, number)
        matches = [m for m in found if m.cue.confidence >= MIN_CUE_CONFIDENCE]
        weak = [m for m in found if m.cue.confidence < MIN_CUE_CONFIDENCE]
        if not matches and weak:  # a cue no better than a coin: keep the absent answer, flag the passage
            confidence = min(qc.absent.confidence, 1.0 - weak[0].cue.confidence)
            evidence = [_evidence(treaty, m) for m in _spread(weak)]
            return SheetAnswer(
                number,
                qc.absent.answer,
                _yes_no(question.kind, qc.absent.answer),
                dict(qc.absent.codes),
                evidence=evidence,
                confidence=confidence,
                needs_review=True,
                source="text",
            )
        if not matches:
            return SheetAnswer(
                number,
                qc.absent.answer,
                _yes_no(question.kind, qc.absent.answer),
                dict(qc.absent.codes),
                confidence=qc.absent.confidence,
                needs_review=qc.absent.confidence < 0.9,
                source="text",
            )
        if qc.mode == "first":  # the cue's codes only: columns it does not pin are not known to be zero
            chosen = [m for m in matches if m.cue.id == matches[0].cue.id]
            codes = dict(chosen[0].cue.codes)
            cues = [chosen[0].cue]
        else:
            chosen = matches
            codes = dict(qc.absent.codes)
            cues = list({m.cue.id: m.cue for m in matches}.values())
            for cue in cues:
                codes.update({k: max(v, codes.get(k, 0)) for k, v in cue.codes.items()})
        evidence = [_evidence(treaty, m) for m in _spread(chosen)]
        confidence = max(c.confidence for c in cues)
        text = _answer_text(question.kind, cues, evidence)
        return SheetAnswer(
            number,
            text,
            _yes_no(question.kind, text),
            codes,
            evidence=evidence,
            confidence=confidence,
            needs_review=confidence < 0.9,
            source="text",
        )


def _spread(matches: list[Match]) -> list[Match]:
    """Up to MAX_EVIDENCE matches, one per sentence, in text order."""
    seen: dict[int, Match] = {}
    for m in matches:
        seen.setdefault(m.start, m)
    return [seen[k] for k in sorted(seen)][:MAX_EVIDENCE]


def _evidence(treaty: Treaty, m: Match) -> Evidence:
    part = treaty.part_at(m.start)
    return Evidence(treaty.text[m.start : m.end], part.label if part else None, m.start, m.end)


def _yes_no(kind: str, text: str) -> str | None:
    if kind != "yes_no":
        return None
    return "no" if text.strip().lower().startswith("no") else "yes"


def _answer_text(kind: str, cues: list[Cue], evidence: list[Evidence]) -> str:
    if cues[0].answer and kind != "yes_no":
        labels = list(dict.fromkeys(c.answer for c in cues if c.answer))
        head = ", ".join(labels)
    else:
        summary = "; ".join(dict.fromkeys(c.summary for c in cues))
        head = f"Yes. {summary[:1].upper()}{summary[1:]}"
    where = ", ".join(dict.fromkeys(e.part for e in evidence if e.part))
    quote = " ".join(evidence[0].quote.split()) if evidence else ""
    if not quote:
        return head
    return f"{head} ({where}): “{quote}”" if where else f"{head}: “{quote}”"

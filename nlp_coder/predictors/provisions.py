"""Provision cues: the treaty language that signals each provision, as data (``configs/provisions.yaml``).

Each question has cues; a cue matches a sentence when one of its ``any`` patterns and all of its
``all`` patterns match and none of its ``none`` patterns (the near misses) do. In ``first`` mode the
first cue in the list that matches anywhere decides the answer; in ``all`` mode every matching cue adds
its codes (the obligation types of Q16). With no cue matching, the question gets its ``absent`` answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from nlp_coder.codesheet.answers import Evidence, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.configfile import check_regex, compiled_regex, first_problem, kind_of, read_yaml
from nlp_coder.errors import ConfigError
from nlp_coder.paths import CONFIG_DIR
from nlp_coder.predictors.base import RulePredictor
from nlp_coder.predictors.literals import LiteralIndex, fold, required, required_groups
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
    def _compiles(cls, patterns: list[str], info: ValidationInfo) -> list[str]:
        if info.context and info.context.get("shipped"):
            return patterns  # compiled when first needed; the test suite compiles every shipped pattern
        return [check_regex(p, re.I) for p in patterns]


class Absent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    answer: str = "No"
    codes: dict[str, int] = Field(default_factory=dict)
    confidence: float = Field(0.75, ge=0.0, le=1.0)


class Together(BaseModel):
    """Codes of one column found together (by different cues) that mean another code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: list[int] = Field(min_length=2)
    code: int


class Combine(BaseModel):
    """How the codes that mode ``all`` finds for one column combine, when the highest is not the answer (a
    categorical column): ``alone`` codes stand only when no other code is found; then the first ``together``
    set that is all found gives its code; else the highest code found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alone: list[int] = Field(default_factory=list)
    together: list[Together] = Field(default_factory=list)

    def code(self, found: set[int]) -> int:
        rest = found - set(self.alone) or found
        for rule in self.together:
            if set(rule.codes) <= rest:
                return rule.code
        return max(rest)


class QuestionCues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["first", "all"] = "first"
    cues: list[Cue]
    absent: Absent = Field(default_factory=Absent)
    combine: dict[str, Combine] = Field(default_factory=dict)  # mode all only: per column, see Combine

    @model_validator(mode="after")
    def _combine_in_mode_all(self) -> QuestionCues:
        if self.combine and self.mode != "all":
            raise ValueError("combine applies to mode all only")
        return self


class ProvisionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: dict[int, QuestionCues]


@dataclass(frozen=True)
class Match:
    cue: Cue
    start: int
    end: int


def _regex(pattern: str) -> re.Pattern[str]:
    """A cue pattern, compiled on first use (once per process)."""
    try:
        return compiled_regex(pattern, re.I)
    except re.error as exc:
        raise ConfigError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None


class _CompiledCue:
    """A cue's patterns, each with the literals it cannot match without; a pattern is compiled the first time
    a sentence has its literals (most cues never meet one in a given treaty)."""

    def __init__(self, cue: Cue):
        self.cue = cue
        self.any = [(p, required(p), required_groups(p)[1:]) for p in cue.any]

    def literals(self) -> set[str]:
        """Every literal the cue's prefilters look for."""
        groups = [g for _, first, others in self.any for g in (first, *others)]
        groups += [required(p) for p in (*self.cue.all, *self.cue.none)]
        return {literal for group in groups if group for literal in group}

    def matches(self, sentence: str) -> bool:
        """Whether the cue matches one sentence: one of ``any``, all of ``all`` and none of ``none``."""
        return any(_regex(p).search(sentence) for p, _, _ in self.any) and self._holds(sentence)

    def _holds(self, sentence: str) -> bool:
        return all(_regex(p).search(sentence) for p in self.cue.all) and not any(
            _regex(p).search(sentence) for p in self.cue.none
        )

    def sentences(self, units: list[tuple[int, int, str, str | None]], index: LiteralIndex) -> list[int]:
        """The units the cue matches, in text order: each ``any`` pattern is tried only on the sentences
        that contain one of its literals, and a sentence it matches is not tried again."""
        skip_preamble = not self.cue.preamble
        hit: set[int] = set()
        for pattern, literals, others in self.any:
            todo = [
                k
                for k in index.candidates(literals)
                if k not in hit and not (skip_preamble and units[k][3] == "preamble")
            ]
            if todo and others:
                todo = index.having(todo, others)
            if todo:
                search = _regex(pattern).search
                hit.update(k for k in todo if search(units[k][2]))
        return [k for k in sorted(hit) if self._holds_at(k, units[k][2], index)]

    def _holds_at(self, k: int, sentence: str, index: LiteralIndex) -> bool:
        """``_holds`` for sentence ``k``, searching only the patterns whose literals it contains (found when
        first needed: most cues never match in a given treaty)."""
        return all(
            index.may_hold(k, required(p)) and _regex(p).search(sentence) for p in self.cue.all
        ) and not any(index.may_hold(k, required(p)) and _regex(p).search(sentence) for p in self.cue.none)


def load_provisions(path: str | Path | None = None) -> ProvisionConfig:
    """A cue config: a shipped one is read once per process, another each time, with every pattern checked."""
    p = DEFAULT_PROVISIONS if path is None else Path(path)
    return _shipped(p) if p.parent == CONFIG_DIR else _load(p)


@cache
def _shipped(path: Path) -> ProvisionConfig:
    return _load(path, shipped=True)


def _load(path: Path, shipped: bool = False) -> ProvisionConfig:
    raw = read_yaml(path, "provisions config")
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: a provisions config must be a mapping with 'questions', not {kind_of(raw)}"
        )
    try:
        return ProvisionConfig.model_validate(raw, context={"shipped": shipped})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {first_problem(exc, ProvisionConfig.model_fields)}") from exc


def sentence_units(treaty: Treaty) -> list[tuple[int, int, str, str | None]]:
    """(start, end, normalised sentence, kind of the top-level part) for every sentence outside the title."""
    cached = treaty.cache.get("sentence_units")
    if cached is None:
        cached = treaty.cache["sentence_units"] = _sentence_units(treaty)
    return cached


def literal_index(treaty: Treaty) -> LiteralIndex:
    """The treaty's sentence units indexed by the literals the cues need (built once per treaty)."""
    cached = treaty.cache.get("literal_index")
    if cached is None:
        units = sentence_units(treaty)
        folded = [fold(u[2]) for u in units]  # no script needs testing sentence by sentence (literals.fold)
        cached = treaty.cache["literal_index"] = LiteralIndex(folded)
    return cached


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
        units.append((start, end, treaty.reading(start, end), kind))
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
        # literal prefilters: each cue is tried only on the sentences that contain one of the words it cannot
        # match without (same matches, far fewer searches; see literals.LiteralIndex), all found in one scan
        self.literals_ = frozenset(
            literal for cues in self.compiled_.values() for cue in cues for literal in cue.literals()
        )
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
        units, index = sentence_units(treaty), literal_index(treaty)
        index.scan(self.literals_)
        found: list[Match] = []
        for compiled in self.compiled_[question]:
            found += [Match(compiled.cue, units[k][0], units[k][1]) for k in compiled.sentences(units, index)]
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
            found: dict[str, set[int]] = {}
            for cue in cues:
                for k, v in cue.codes.items():
                    found.setdefault(k, set()).add(v)
            for k, values in found.items():
                rule = qc.combine.get(k)
                codes[k] = rule.code(values) if rule else max(max(values), codes.get(k, 0))
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

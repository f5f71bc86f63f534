"""The ATOP codebook as data: the 61 questions of the codesheet and the ATOP 5.1 columns they map to.

The knowledge lives in ``configs/codebook.yaml``; this module only gives it types and checks it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nlp_coder.configfile import check_regex, kind_of, read_yaml, what_is_wrong
from nlp_coder.errors import ConfigError
from nlp_coder.paths import CONFIG_DIR

DEFAULT_CODEBOOK = CONFIG_DIR / "codebook.yaml"

Section = Literal["I", "II", "III", "IV", "V"]
AnswerKind = Literal["id", "number", "date", "members", "yes_no", "choice", "types", "conditions", "text"]
ColumnKind = Literal["id", "code", "dummy", "months", "year", "month", "day", "cow", "version"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Strict):
    """One ATOP 5.1 dataset column and its numeric codes (Appendix B)."""

    name: str
    label: str
    level: Literal["A", "M"] = "A"
    kind: ColumnKind = "code"
    codes: dict[int, str] = Field(default_factory=dict)
    default: int | None = 0
    derived: bool = False

    def code_label(self, value: int | None) -> str:
        if value is None:
            return "missing"
        return self.codes.get(value, str(value))


class Rule(_Strict):
    """A keyword rule on an answer's text: when ``pattern`` matches, ``codes`` hold."""

    pattern: str
    codes: dict[str, int]

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return check_regex(value)


class Implication(_Strict):
    """What an answer on the sheet implies for the ATOP columns.

    ``on_no`` and ``on_yes`` give exact codes; ``yes_nonzero`` lists columns that a Yes
    makes non-zero without saying which code; ``rules`` refine a Yes by its wording.
    """

    on_no: dict[str, int] = Field(default_factory=dict)
    on_yes: dict[str, int] = Field(default_factory=dict)
    yes_nonzero: list[str] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    def columns(self) -> set[str]:
        names = set(self.on_no) | set(self.on_yes) | set(self.yes_nonzero)
        for rule in self.rules:
            names |= set(rule.codes)
        return names


class Option(_Strict):
    """One option of a choice, a type list (Q16) or a condition list (Q19)."""

    label: str
    aliases: list[str] = Field(default_factory=list)
    codes: dict[str, int] = Field(default_factory=dict)


class Question(_Strict):
    """One question of the ATOP codesheet."""

    number: int = Field(ge=1, le=61)
    section: Section
    topic: str
    text: str
    kind: AnswerKind
    from_text: bool
    columns: list[str] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    implies: Implication = Field(default_factory=Implication)

    @property
    def has_yes_no(self) -> bool:
        return self.kind == "yes_no"


class SectionInfo(_Strict):
    id: Section
    title: str


class Codebook(_Strict):
    """The whole codesheet: sections, questions in order, and the dataset columns."""

    name: str
    version: str
    sections: list[SectionInfo]
    columns: dict[str, Column]
    questions: list[Question]

    @field_validator("columns", mode="before")
    @classmethod
    def _name_columns(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                name: ({"name": name, **spec} if isinstance(spec, dict) and "name" not in spec else spec)
                for name, spec in value.items()
            }
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Codebook:
        numbers = [q.number for q in self.questions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"questions must be numbered 1..N in order, got {numbers[:5]}...")
        section_ids = {s.id for s in self.sections}
        for q in self.questions:
            where = f"question {q.number}"
            if q.section not in section_ids:
                raise ValueError(f"{where}: unknown section {q.section!r}")
            named = set(q.columns) | q.implies.columns()
            for option in q.options:
                named |= set(option.codes)
            unknown = sorted(name for name in named if name not in self.columns)
            if unknown:
                raise ValueError(f"{where}: unknown ATOP column(s) {', '.join(unknown)}")
            for mapping in _code_maps(q):
                for name, value in mapping.items():
                    col = self.columns[name]
                    if col.codes and value not in col.codes:
                        raise ValueError(f"{where}: code {value} is not a code of column {name}")
            if q.kind in {"choice", "types", "conditions"} and not q.options:
                raise ValueError(f"{where}: kind {q.kind!r} needs options")
        return self

    # --- look-ups -------------------------------------------------------------------------

    def question(self, number: int) -> Question:
        if not 1 <= number <= len(self.questions):
            raise KeyError(f"no question {number} in the codebook")
        return self.questions[number - 1]

    def column(self, name: str) -> Column:
        return self.columns[name]

    def section_title(self, section: str) -> str:
        return next(s.title for s in self.sections if s.id == section)

    def text_columns(self) -> list[str]:
        """Columns that a treaty's text can tell (mapped from questions answerable from the text)."""
        seen: dict[str, None] = {}
        for q in self.questions:
            if q.from_text:
                for name in q.columns:
                    seen.setdefault(name, None)
        return list(seen)

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")


def _code_maps(q: Question) -> list[dict[str, int]]:
    maps = [q.implies.on_no, q.implies.on_yes, *(r.codes for r in q.implies.rules)]
    maps.extend(o.codes for o in q.options)
    return maps


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate a codebook config; a broken file raises ConfigError naming it."""
    if path is None:
        return _default_codebook()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _default_codebook() -> Codebook:
    return _load(DEFAULT_CODEBOOK)


def _load(path: Path) -> Codebook:
    raw = read_yaml(path, "codebook config")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a codebook config must be a mapping, not {kind_of(raw)}")
    try:
        return Codebook.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc, raw)}") from exc


def _describe(exc: ValidationError, raw: dict) -> str:
    """Name the question (or column) an error is in, in one line."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    top = set(Codebook.model_fields) if len(loc) == 1 else ()
    what = what_is_wrong(err, top)
    rest = ".".join(str(p) for p in loc[2:])
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = raw.get("questions")
        item = questions[loc[1]] if isinstance(questions, list) and loc[1] < len(questions) else None
        number = item.get("number") if isinstance(item, dict) else None
        label = number if isinstance(number, int) and not isinstance(number, bool) else f"#{loc[1] + 1}"
        where = f"question {label}" + (f": {rest}" if rest else "")
    elif len(loc) >= 2 and loc[0] == "columns":
        where = f"column {loc[1]}" + (f": {rest}" if rest else "")
    else:
        where = ".".join(str(p) for p in loc)
    return f"{where}: {what}" if where else what

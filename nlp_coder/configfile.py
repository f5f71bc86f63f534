"""Reading input files and YAML configs: UTF-8 text only, libyaml when present, and one clear error
naming the file (and line) when a file cannot be read, is binary, or does not fit its schema."""

from __future__ import annotations

import codecs
import functools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from nlp_coder.errors import ConfigError, InputError, NlpCoderError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: Path, what: str, error: type[NlpCoderError] = ConfigError) -> str:
    """The text of a UTF-8 file (a leading BOM dropped). ``error`` (naming the file, and the line of the
    first bad byte) if it cannot be read, holds binary data (NUL bytes) or is not valid UTF-8."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise error(f"{path}:{line}: cannot read {what}: binary data (a NUL byte), not UTF-8 text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"{path}:{line}: cannot read {what}: not UTF-8 text (byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})"
        ) from exc


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise InputError(f"{dupes[0]}: the key is given twice")
    return dict(pairs)


def parse_json_line(line: str) -> object:
    """One JSON Lines value; InputError (without the file:line prefix) if the line is not JSON, nests too
    deeply or repeats a key."""
    try:
        return json.loads(line, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise InputError("not valid JSON (nested too deeply)") from exc


def read_yaml(path: Path, what: str) -> object:
    """The parsed content of a YAML config; ConfigError names the file if it cannot be read or parsed."""
    text = read_text(path, what, ConfigError)
    # libyaml's composer recurses in C without a limit (a segfault on 100,000 nested "[" or "- "); a text
    # that could nest that deep goes to the pure-Python loader, which raises RecursionError instead.
    loader = yaml.SafeLoader if _nesting_bound(text) > _MAX_C_NESTING else _LOADER
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{path}: not valid YAML ({first})") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: not a usable {what} (nested too deeply)") from exc


_MAX_C_NESTING = 2000


def _nesting_bound(text: str) -> int:
    """A generous upper bound of how deep YAML ``text`` nests: flow brackets open at once, plus the longest
    run of indentation and block indicators (``- ``, ``? ``) that opens a line."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    lead = max((len(line) - len(line.lstrip(" -?:\t")) for line in text.split("\n")), default=0)
    return deepest + lead


@functools.cache
def compiled_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile``, once per process for each pattern (``re``'s own cache holds only 512, fewer than the
    cue configs have)."""
    return re.compile(pattern, flags)


def check_regex(pattern: str, flags: int = 0) -> str:
    """``pattern`` itself if it compiles; ValueError (for pydantic validators) naming it if not. The compiled
    pattern is kept (``compiled_regex``), so the code that uses it does not compile it again."""
    try:
        compiled_regex(pattern, flags)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
    return pattern


# --- schema errors in plain words ------------------------------------------------------------------

_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number (a JSON integer)",
    "int_from_float": "a whole number (a JSON integer)",
    "int_parsing": "a whole number (a JSON integer)",
    "float_type": "a number",
    "bool_type": "true or false (a JSON boolean)",
    "bool_parsing": "true or false (a JSON boolean)",
    "dict_type": "a mapping (a JSON object)",
    "model_type": "a mapping (a JSON object)",
    "model_attributes_type": "a mapping (a JSON object)",
    "list_type": "a list",
}


def kind_of(value: object) -> str:
    """How a parsed JSON/YAML value reads in an error message: ``the string "false"``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {json.dumps(shown, ensure_ascii=False)}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (object)"
    return f"a {type(value).__name__}"


def error_location(err: dict) -> str:
    """The dotted path of a pydantic error (``questions.3.cues``); empty for the whole document."""
    return ".".join(str(p) for p in err["loc"])


def what_is_wrong(err: dict, allowed: Iterable[str] = ()) -> str:
    """One pydantic error (from ``ValidationError.errors()``) in plain words, without its location."""
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        names = sorted(allowed)
        return "unknown key" + (f" (known keys: {', '.join(names)})" if names else "")
    if kind == "string_too_short":
        return "must not be empty"
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, not {kind_of(value)}"
    msg = str(err.get("msg", kind)).strip().splitlines()[0] if str(err.get("msg", "")).strip() else kind
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    msg = re.sub(r"^(Input|String|Value|List|Dictionary|Object|Data) should ", "must ", msg)
    return f"{msg}, not {kind_of(value)}" if "input" in err else msg


def first_problem(exc: ValidationError, allowed: Iterable[str] = ()) -> str:
    """``<field>: <what is wrong>`` for the first error of a validation (one line)."""
    err = exc.errors()[0]
    where = error_location(err)
    what = what_is_wrong(err, allowed if len(err["loc"]) == 1 else ())
    return f"{where}: {what}" if where else what


def jsonl_objects(path: Path, what: str, shape: str, bare: bool = False) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank, non-comment line of a JSONL file; InputError names the
    file and line of the first line that is not JSON or not an object (``shape`` says what one holds)."""
    for n, line in enumerate(read_text(path, what, InputError).split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = parse_json_line(line)
        except InputError as exc:
            raise InputError(f"{path}:{n}: {exc}") from exc
        if not isinstance(row, dict):
            example = shape if bare else f"({shape})"
            raise InputError(f"{path}:{n}: each line must be a JSON object {example}, not {kind_of(row)}")
        yield n, row


def validated_yaml(path: Path, schema: type, what: str) -> object:
    """A YAML config read and checked against a pydantic ``schema``; ConfigError names the file and the
    first problem."""
    raw = read_yaml(path, what)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a {what} must be a mapping, not {kind_of(raw)}")
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {first_problem(exc, schema.model_fields)}") from exc

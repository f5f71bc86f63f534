"""Reading the YAML configs: libyaml when present, and one clear error naming the file."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ConfigError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, what: str) -> object:
    """The parsed content of a YAML config; ConfigError names the file if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror or exc})") from exc
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{path}: not valid YAML ({first})") from exc


def check_regex(pattern: str) -> str:
    """``pattern`` itself if it compiles; ValueError (for pydantic validators) naming it if not."""
    import re

    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
    return pattern

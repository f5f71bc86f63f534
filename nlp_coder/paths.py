"""Where the shipped configs, models and examples live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """A wheel carries ``name`` inside the package; an editable checkout has it at the root."""
    inside = PACKAGE_DIR / name
    if inside.exists():
        return inside
    return PACKAGE_DIR.parent / name


CONFIG_DIR = _shipped("configs")
MODELS_DIR = _shipped("models")
CORPORA_DIR = _shipped("corpora")

"""The ``nlp-coder`` command: one small function per command, each calling the library."""

from __future__ import annotations

from nlp_coder.cli import codesheet, draft, learning, review  # noqa: F401  (each module registers its commands)
from nlp_coder.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()

"""Human-readable views (tables) of the codebook and of a segmented treaty, rendered to plain text."""

from __future__ import annotations

import json

from nlp_coder.codesheet.codebook import Codebook
from nlp_coder.text.treaty import Treaty


def to_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _render(table: object, width: int = 120) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, file=_NullFile(), color_system=None, force_terminal=False)
    console.print(table)
    return console.export_text()


class _NullFile:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def codebook_table(cb: Codebook) -> str:
    from rich.table import Table

    table = Table(title=f"{cb.name} {cb.version} codesheet: {len(cb.questions)} questions", show_lines=False)
    for name in ("Q", "Sec", "Topic", "Kind", "From text", "ATOP columns"):
        table.add_column(name, overflow="fold")
    for q in cb.questions:
        table.add_row(
            str(q.number), q.section, q.topic, q.kind, "yes" if q.from_text else "no", ", ".join(q.columns)
        )
    return _render(table)


def segments_table(treaty: Treaty) -> str:
    from rich.table import Table

    title = treaty.title or treaty.path
    lang = f"{treaty.language.name} ({treaty.language.code})"
    table = Table(title=f"{title}\n{len(treaty.text)} characters, language: {lang}")
    for name in ("#", "Kind", "Label", "Start", "End", "Parent", "Begins with"):
        table.add_column(name, overflow="fold")
    for i, part in enumerate(treaty.parts):
        indent = "  " if part.parent is not None else ""
        snippet = " ".join(treaty.text[part.start : part.end].split())[:60]
        table.add_row(
            str(i),
            indent + part.kind,
            part.label,
            str(part.start),
            str(part.end),
            "" if part.parent is None else str(part.parent),
            snippet,
        )
    return _render(table, width=140)

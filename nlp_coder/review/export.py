"""Reviewed treaties out of the database, for people and for training.

For each treaty with reviewed answers: ``sheets/NAME.sheet.txt``, its sheet in the codesheet layout (read back
by ``nlp-coder sheet`` with the same answers and codes), and ``json/NAME.json``, all 61 answers with their
status, coder, comment and the draft beside them. Then ``atop.csv``, one row of ATOP columns per treaty, and
``corpus.jsonl``, a manifest that ``nlp-coder train`` and ``evaluate`` read as it is.

Only reviewed answers are gold: a sheet holds the questions a coder reviewed, so that training never learns
from an answer nobody checked. Their evidence goes into the sheet's ``[evidence]`` lines, which training reads
as span labels. No annotations file is written: a treaty with one counts as exhaustively marked (every other
passage a negative for every question), which a review of some questions is not.

The folder is built beside the target and renamed into place; it replaces only an earlier export. The same
database gives the same files, byte for byte: nothing in them depends on when they were written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from nlp_coder.codesheet.answers import Evidence, Sheet, SheetAnswer
from nlp_coder.codesheet.codebook import Codebook, load_codebook
from nlp_coder.review.store import ReviewError, open_store

EXPORT_NAMES = {"corpus.jsonl", "atop.csv", "sheets", "json"}
SOURCE = "reviewed"  # the marker a reviewed answer carries on an exported sheet


@dataclass
class Exported:
    folder: Path
    names: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_export_folder(folder: Path) -> bool:
    """True for an earlier export (its files and nothing else): only such a folder is replaced."""
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    return names <= EXPORT_NAMES and (folder / "corpus.jsonl").is_file()


def export(db: str | Path, out: str | Path, codebook: Codebook | None = None) -> Exported:
    """Write the export of ``db`` to the folder ``out`` (new, empty, or an earlier export)."""
    from nlp_coder.output import folder_output, new_folder_beside, replace_folder, write_atomic

    target = folder_output(out, is_export_folder, "review export")
    cb = codebook or load_codebook()
    with open_store(db) as store, store.snapshot():  # one state, even while a server writes
        treaties = [(store.treaty(i), store.answers(i)) for i in store.treaty_ids()]
    treaties = [(t, answers) for t, answers in treaties if any(a["status"] == "reviewed" for a in answers)]
    if not treaties:
        raise ReviewError(f"{db}: no answer has been reviewed yet; nothing to export")
    result = Exported(target)
    built = new_folder_beside(target)
    try:
        (built / "sheets").mkdir()
        (built / "json").mkdir()
        lines, rows = [], []
        for treaty, answers in treaties:
            name = file_name(treaty)
            sheet = reviewed_sheet(treaty, answers, cb)
            text = sheet_text(sheet, cb, f"{treaty['id']} ({treaty['path']})")
            write_atomic(built / "sheets" / f"{name}.sheet.txt", text)
            write_atomic(built / "json" / f"{name}.json", treaty_json(treaty, answers, sheet, cb))
            rows.append((name, treaty["path"], sheet.atop(cb)))
            lines.append(manifest_line(name, treaty, sum(a["status"] == "reviewed" for a in answers), target))
            result.warnings += source_warnings(treaty)
            result.names.append(name)
        write_atomic(built / "atop.csv", atop_csv(rows, cb))
        write_atomic(
            built / "corpus.jsonl", "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        )
        replace_folder(built, target)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return result


def file_name(treaty: dict) -> str:
    """``0007-north_atlantic_treaty``: the treaty's id (for order and uniqueness) and its file's stem."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(treaty["path"]).stem).strip("._-")[:60]
    return f"{treaty['id']:04d}-{stem or 'treaty'}"


def reviewed_sheet(treaty: dict, answers: list[dict], cb: Codebook) -> Sheet:
    """The sheet of a treaty's reviewed answers (the others are left out)."""
    from nlp_coder.codesheet.sheet import yes_no_of

    chosen = {}
    for a in answers:
        if a["status"] != "reviewed":
            continue
        n = a["question"]
        chosen[n] = SheetAnswer(
            question=n,
            answer=a["answer"],
            yes_no=yes_no_of(cb.question(n), a["answer"]),
            codes=dict(a["codes"]),
            evidence=[Evidence(e["quote"], e.get("part"), e["start"], e["end"]) for e in a["evidence"]],
            source=SOURCE,
        )
    header = (
        f"REVIEWED CODING SHEET: {' '.join(treaty['title'].split())}\n"
        f"Reviewed in nlp-coder: {len(chosen)} of {len(answers)} answers; the others are left out."
    )
    return Sheet(chosen, header=header)


def sheet_text(sheet: Sheet, cb: Codebook, which: str) -> str:
    """The sheet in the codesheet layout, checked to read back with the same answers and codes."""
    from nlp_coder.codesheet.sheet import parse_sheet, render_sheet

    text = render_sheet(sheet, cb)
    read = parse_sheet(text, cb).answers
    for n, answer in sheet.answers.items():
        back = read.get(n)
        if back is None or back.answer != answer.answer or back.codes != answer.codes:
            raise ReviewError(
                f"treaty {which}: question {n} would not read back from the sheet as reviewed; "
                "edit its answer so that it does"
            )
    return text


def treaty_json(treaty: dict, answers: list[dict], sheet: Sheet, cb: Codebook) -> str:
    from nlp_coder.codesheet.views import to_json

    keep = ("question", "answer", "codes", "evidence", "status", "version", "coder", "comment")
    return to_json(
        {
            "treaty": {k: treaty[k] for k in ("id", "title", "path", "text_sha256", "model")},
            "reviewed": len(sheet.answers),
            "answers": [
                {
                    **{k: a[k] for k in keep},
                    "draft": {
                        **a["draft"],
                        "confidence": a["confidence"],
                        "needs_review": a["needs_review"],
                        "source": a["source"],
                    },
                }
                for a in answers
            ],
            "atop": sheet.atop(cb),
        }
    )


def atop_csv(rows: list[tuple[str, str, dict[str, int]]], cb: Codebook) -> str:
    """One row per treaty: its name and path, then every ATOP column of the codebook in the dataset's order
    (``mem`` as mem1, mem2, ...); a column the review did not settle is blank."""
    members = max((len([k for k in codes if re.fullmatch(r"mem\d+", k)]) for _, _, codes in rows), default=0)
    columns: list[str] = []
    for name in cb.columns:
        columns += [f"mem{i}" for i in range(1, members + 1)] if name == "mem" else [name]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "path", *columns])
    for name, path, codes in rows:
        writer.writerow([name, path, *(codes.get(c, "") for c in columns)])
    return buffer.getvalue()


def manifest_line(name: str, treaty: dict, reviewed: int, target: Path) -> dict:
    """The corpus line of a treaty: its text where it was added from (texts are never copied), relative to the
    export where the two share a folder below the root, else absolute; and its sheet."""
    where, folder = treaty["path"], str(target.resolve())
    shared = os.path.commonpath([where, folder]) != os.path.abspath(os.sep)
    return {
        "id": name,
        "text": os.path.relpath(where, folder) if shared else where,
        "sheet": f"sheets/{name}.sheet.txt",
        "note": f"nlp-coder review: {reviewed} of 61 answers reviewed",
    }


def source_warnings(treaty: dict) -> list[str]:
    """The treaty file the manifest points at must still hold the text that was reviewed."""
    from nlp_coder.errors import NlpCoderError
    from nlp_coder.text.reader import read_treaty

    path = treaty["path"]
    try:
        sha = read_treaty(path).sha256
    except NlpCoderError as exc:
        return [f"{exc}; corpus.jsonl points at it for treaty {treaty['id']}"]
    if sha != treaty["text_sha256"]:
        return [
            f"{path}: its text changed since it was reviewed; training on corpus.jsonl reads the new text"
        ]
    return []

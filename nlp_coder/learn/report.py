"""Writing an evaluation report folder: metrics.json, summary.md and three PNG plots.

Every file is written atomically, and the same metrics give byte-identical files (sorted JSON keys,
matplotlib's default style, fixed dpi, no "Software" PNG metadata).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

from nlp_coder.errors import NlpCoderError
from nlp_coder.output import folder_output, make_folder, write_atomic

OVERALL_KEYS = ["acc", "macro_f", "kappa", "ac1", "ece", "brier", "coverage95"]
FIRST_COLUMN_KEYS = ["acc", "p", "r", "f", "kappa", "ac1"]
BASELINE_COLUMN_KEYS = ["acc", "f"]
DASH = "–"
DPI = 100
TARGET_PRECISION = 0.95


def write_report(metrics: dict, out_dir: Path) -> list[Path]:
    """Write metrics.json, summary.md, reliability.png, coverage.png and columns.png into ``out_dir``
    (created if needed); returns their paths in that order."""
    out = make_folder(folder_output(out_dir, is_report_folder, "report"))
    text = json.dumps(_jsonable(metrics), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    paths = [
        write_atomic(out / "metrics.json", text),
        write_atomic(out / "summary.md", summary_markdown(metrics)),
    ]
    paths += _write_plots(metrics, out)
    return paths


def is_report_folder(folder: Path) -> bool:
    """True for the folder of an earlier report (it has ``metrics.json``): a new report may replace its files."""
    return (folder / "metrics.json").is_file()


# --- helpers over the metrics dict ----------------------------------------------------------------


def _systems(metrics: dict) -> dict[str, dict]:
    return {str(name): (system or {}) for name, system in (metrics.get("systems") or {}).items()}


def _first_system(metrics: dict) -> str | None:
    systems = _systems(metrics)
    first = metrics.get("first_system")
    if first is not None and str(first) in systems:
        return str(first)
    return next(iter(systems), None)


def _ordered_systems(metrics: dict) -> list[str]:
    """The first system, then the others in their given order."""
    first = _first_system(metrics)
    return ([first] if first else []) + [name for name in _systems(metrics) if name != first]


def _column_names(metrics: dict) -> list[str]:
    """Columns of the first system in its order, then columns only other systems have."""
    names: list[str] = []
    systems = _systems(metrics)
    for name in _ordered_systems(metrics):
        for column in systems[name].get("columns") or {}:
            if column not in names:
                names.append(column)
    return names


def _number(value: Any) -> float | None:
    """A finite float, or None for missing, non-numeric or NaN values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars become Python numbers, NaN/inf become None, paths strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- summary.md -----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return DASH
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict | list):
        value = json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]], left: int = 1) -> list[str]:
    """A Markdown table; the first ``left`` columns left-aligned, the rest right-aligned."""
    align = [":---" if i < left else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _bin_label(b: dict, last: bool) -> str:
    """``[lo, hi)``, or ``[lo, hi]`` for the last bin (which includes 1.0)."""
    text = [DASH if (v := _number(b.get(k))) is None else f"{v:g}" for k in ("lo", "hi")]
    return f"[{text[0]}, {text[1]}" + ("]" if last else ")")


def summary_markdown(metrics: dict) -> str:
    """The Markdown summary: corpus, overall metrics per system, per-column metrics, calibration bins."""
    systems = _systems(metrics)
    names = _ordered_systems(metrics)
    first = _first_system(metrics)
    lines = ["# Evaluation summary", ""]

    corpus = metrics.get("corpus")
    if isinstance(corpus, dict) and corpus:
        lines += ["## Corpus", ""]
        lines += [f"- {_cell(key)}: {_cell(value)}" for key, value in corpus.items()]
        lines.append("")

    lines += ["## Overall", ""]
    if not names:
        lines += ["No systems.", ""]
        return "\n".join(lines)
    overall_keys = list(OVERALL_KEYS)
    for name in names:
        overall_keys += [k for k in systems[name].get("overall") or {} if k not in overall_keys]
    rows = [[name] + [(systems[name].get("overall") or {}).get(k) for k in overall_keys] for name in names]
    lines += _table(["system", *overall_keys], rows)
    lines.append("")

    columns = _column_names(metrics)
    baselines = [name for name in names if name != first]
    lines += [f"## Columns ({first}" + (f"; baselines: {', '.join(baselines)})" if baselines else ")"), ""]
    if columns:
        header = ["column", "n"] + [f"{first} {k}" for k in FIRST_COLUMN_KEYS]
        header += [f"{name} {k}" for name in baselines for k in BASELINE_COLUMN_KEYS]
        rows = []
        for column in columns:
            mine = (systems[first].get("columns") or {}).get(column) or {}
            row: list[Any] = [column, mine.get("n")] + [mine.get(k) for k in FIRST_COLUMN_KEYS]
            for name in baselines:
                theirs = (systems[name].get("columns") or {}).get(column) or {}
                row += [theirs.get(k) for k in BASELINE_COLUMN_KEYS]
            rows.append(row)
        lines += _table(header, rows)
    else:
        lines.append("No per-column metrics.")
    lines.append("")

    lines += ["## Calibration", ""]
    calibrated = [name for name in names if systems[name].get("calibration")]
    if not calibrated:
        lines += ["No calibration data.", ""]
    for name in calibrated:
        lines += [f"### {_cell(name)}", ""]
        bins = systems[name]["calibration"]
        rows = [
            [_bin_label(b, last=i == len(bins) - 1), b.get("n"), b.get("mean_confidence"), b.get("accuracy")]
            for i, b in enumerate(bins)
        ]
        lines += _table(["bin", "n", "mean confidence", "accuracy"], rows)
        lines.append("")
    return "\n".join(lines)


# --- plots ----------------------------------------------------------------------------------------


def _save_png(fig: Any, path: Path) -> Path:
    """Render ``fig`` to PNG bytes and write them atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return write_atomic(path, buffer.getvalue())


def _no_data(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="grey")


def _reliability_figure(Figure: Any, metrics: dict) -> Any:
    fig = Figure(figsize=(6.0, 5.0), dpi=DPI)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect calibration")
    systems = _systems(metrics)
    drawn = False
    for i, name in enumerate(_ordered_systems(metrics)):  # a system keeps its colour in every plot
        points = [
            (x, y)
            for b in systems[name].get("calibration") or []
            if (x := _number(b.get("mean_confidence"))) is not None
            and (y := _number(b.get("accuracy"))) is not None
        ]
        if points:
            ax.plot(
                [x for x, _ in points], [y for _, y in points], marker="o", label=name, color=f"C{i % 10}"
            )
            drawn = True
    if not drawn:
        _no_data(ax, "no calibration data")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="mean confidence", ylabel="accuracy", title="Reliability")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def _coverage_figure(Figure: Any, metrics: dict) -> Any:
    fig = Figure(figsize=(6.0, 5.0), dpi=DPI)
    ax = fig.add_subplot()
    systems = _systems(metrics)
    drawn = False
    for i, name in enumerate(_ordered_systems(metrics)):  # a system keeps its colour in every plot
        points = [
            (x, y)
            for point in systems[name].get("coverage") or []
            if (x := _number(point.get("coverage"))) is not None
            and (y := _number(point.get("precision"))) is not None
        ]
        if points:
            points.sort()
            ax.plot(
                [x for x, _ in points], [y for _, y in points], marker=".", label=name, color=f"C{i % 10}"
            )
            drawn = True
    ax.axhline(
        TARGET_PRECISION, linestyle="--", color="grey", linewidth=1, label=f"precision {TARGET_PRECISION}"
    )
    if not drawn:
        _no_data(ax, "no coverage data")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="coverage", ylabel="precision", title="Coverage vs precision")
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig


def _columns_figure(Figure: Any, metrics: dict) -> Any:
    from matplotlib.patches import Patch

    systems = _systems(metrics)
    names = _ordered_systems(metrics)
    columns = _column_names(metrics)

    def value(name: str, column: str, key: str) -> float | None:
        return _number(((systems[name].get("columns") or {}).get(column) or {}).get(key))

    # F1 when any system has one for any column, else accuracy: one measure per chart, never mixed.
    key = "f" if any(value(n, c, "f") is not None for n in names for c in columns) else "acc"
    label = "F1 (non-default)" if key == "f" else "accuracy"
    height = max(4.0, 1.5 + 0.12 * len(columns) * max(1, len(names)))  # a function of the input only
    fig = Figure(figsize=(7.0, height), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    if columns and names:
        bar = 0.8 / len(names)
        for i, name in enumerate(names):
            ys, widths = [], []
            for j, column in enumerate(columns):
                v = value(name, column, key)
                if v is not None:
                    ys.append(j - 0.4 + bar * (i + 0.5))
                    widths.append(v)
            ax.barh(ys, widths, height=bar, color=f"C{i % 10}")
        ax.set_yticks(range(len(columns)), [str(c) for c in columns], fontsize=8)
        ax.set_ylim(len(columns) - 0.5, -0.5)  # first column at the top
        # explicit handles: a system without any bar still gets its own colour in the legend
        handles = [Patch(color=f"C{i % 10}", label=name) for i, name in enumerate(names)]
        fig.legend(handles=handles, loc="outside upper center", ncols=min(len(names), 4))
    else:
        _no_data(ax, "no per-column metrics")
    ax.set(xlim=(0, 1), xlabel=label, title=f"Per-column {label}")
    return fig


def _write_plots(metrics: dict, out: Path) -> list[Path]:
    try:
        import matplotlib
    except ImportError as exc:
        raise NlpCoderError("plots need matplotlib: pip install matplotlib") from exc
    matplotlib.use("Agg")
    import matplotlib.style
    from matplotlib.figure import Figure

    paths = []
    with matplotlib.style.context("default"):  # the same pictures whatever the user's matplotlibrc
        for filename, build in (
            ("reliability.png", _reliability_figure),
            ("coverage.png", _coverage_figure),
            ("columns.png", _columns_figure),
        ):
            paths.append(_save_png(build(Figure, metrics), out / filename))
    return paths

"""One table for every benchmark: each figure is a row, printed at once and collected for bench/run.py.

A row has a scenario, a figure, its value, the goal set for it (issue 10), whether
the goal is met, a baseline measured in the same run and the ratio value/baseline,
and the load average when it was taken. When BENCH_ROWS names a file, every row is
also appended to it as one JSON line; child processes inherit the variable, so the
rows of a script's scratch-database children land in the same file.

QUICK=1 asks every script for small sizes and PostgreSQL only (SQLite when
PostgreSQL is not there): `make bench QUICK=1` finishes in under 2 minutes.
"""
from __future__ import annotations

import json
import os
import statistics
from typing import Any

QUICK = os.environ.get("QUICK") not in (None, "", "0", "false")
COLUMNS = ("scenario", "figure", "value", "goal", "met", "baseline", "ratio", "load")
MET_TEXT = {True: "met", False: "MISSED", None: ""}
# Widths of the rows printed as they come; the combined table sizes its columns to fit.
WIDTHS = {"scenario": 30, "figure": 50, "value": 28, "goal": 16, "met": 6, "baseline": 30, "ratio": 7}


def quick_or(quick: int, full: int, *, env: str | None = None) -> int:
    """A size: the env override when set, else the QUICK or the full one."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    return quick if QUICK else full


def row(scenario: str, figure: str, value: str, *, goal: str = "—", baseline: str = "—", ratio: str = "—",
        met: bool | None = None) -> dict[str, Any]:
    """Print one figure as a table row at once, and append it to the BENCH_ROWS file when there is one."""
    entry = {"scenario": scenario, "figure": figure, "value": value, "goal": goal, "met": met, "baseline": baseline,
             "ratio": ratio, "load": round(os.getloadavg()[0], 2)}
    print("  " + line(entry, WIDTHS), flush=True)
    path = os.environ.get("BENCH_ROWS")
    if path:
        with open(path, "a", encoding="utf-8") as rows:
            rows.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def line(entry: dict[str, Any], widths: dict[str, int]) -> str:
    cells = {**entry, "met": MET_TEXT[entry["met"]], "load": f"{entry['load']:.1f}"}
    return " ".join(f"{cells[name]:<{widths[name]}}" for name in COLUMNS[:-1]) + f" {cells['load']:>4}"


def table(entries: list[dict[str, Any]]) -> str:
    """Every row under one header, each column as wide as its widest cell."""
    header = {name: name for name in COLUMNS}
    shown = [{**entry, "met": MET_TEXT[entry["met"]], "load": f"{entry['load']:.1f}"} for entry in entries]
    widths = {name: max(len(str(cells[name])) for cells in [header, *shown]) for name in COLUMNS}
    lines = [" ".join(f"{header[name]:<{widths[name]}}" for name in COLUMNS).rstrip()]
    lines.append(" ".join("-" * widths[name] for name in COLUMNS))
    for cells in shown:
        lines.append(" ".join(f"{cells[name]:<{widths[name]}}" for name in COLUMNS[:-1]) + f" {cells['load']:>{widths['load']}}")
    return "\n".join(lines)


# --- samples -----------------------------------------------------------------------

def pct(samples: list[float], q: float) -> float:
    """The q-th quantile (0..1) of samples in seconds, in milliseconds (nearest rank); NaN for none."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    if q == 0.5:
        return statistics.median(ordered) * 1000
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def p50_p95(samples: list[float]) -> str:
    return f"p50 {fmt_ms(pct(samples, .5))} / p95 {fmt_ms(pct(samples, .95))} ms"


def p50_p99(samples: list[float]) -> str:
    return f"p50 {fmt_ms(pct(samples, .5))} / p99 {fmt_ms(pct(samples, .99))} ms"


def fmt_ms(value: float) -> str:
    """Milliseconds with the digits that matter: 0.42, 4.2, 42, 420."""
    if value != value:  # NaN: nothing was measured
        return "—"
    if value < 1:
        return f"{value:.2f}"
    if value < 10:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def times(value: float, baseline: float) -> str:
    """The ratio column: value / baseline, as 2.4×."""
    if not baseline or value != value or baseline != baseline:
        return "—"
    ratio = value / baseline
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"

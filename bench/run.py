"""Run every benchmark in bench/ (bench_*.py) and print their figures as one table.

    make bench                          # every script, SQLite and PostgreSQL, full sizes (under 15 minutes)
    make bench QUICK=1                  # PostgreSQL only (SQLite without it), small sizes (under 2 minutes)
    .venv/bin/python bench/run.py stations ingest     # some scripts only

Each script prints its rows as it goes (bench/report.py) and appends them to one
rows file (BENCH_ROWS). At the end the combined table is printed, with columns
scenario, figure, value, goal, met, baseline, ratio and load, and written with the
date, the QUICK flag, the machine's processors and the total seconds to
bench/results/bench-<UTC time>.json and bench/results/latest.json (git-ignored).
A goal missed reads MISSED in the table; the exit status is 1 when a script failed.

Benchmarks are never timed tests: they print numbers for people to read. Each
script creates its own scratch data and servers (Daphne, redis-server on a free
port), targets loopback only and stops by itself. Baselines come from the same run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report import MET_TEXT, QUICK, table  # noqa: E402
from scratch import drop_database, make_templates  # noqa: E402

RESULTS = HERE / "results"
# These start from `manage.py demo`: one database after it, copied for each, saves running it twice.
ON_DEMO_DATA = {"bench_figures", "bench_roadwork"}


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [script for script in scripts if script.stem.removeprefix("bench_") in argv or script.name in argv]
        if not scripts:
            print(f"no bench_*.py script named {' '.join(argv)}", file=sys.stderr)
            return 2
    began = datetime.now(UTC)
    started = time.monotonic()
    RESULTS.mkdir(exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="rows-", suffix=".jsonl", dir=RESULTS)
    os.close(handle)
    rows_file = Path(name)
    ran = []
    templates = make_templates(demo=bool(ON_DEMO_DATA & {script.stem for script in scripts}))
    try:
        env = {**os.environ, **templates, "BENCH_ROWS": str(rows_file)}
        print(f"benchmarks{' (QUICK)' if QUICK else ''}: {', '.join(script.stem for script in scripts)}", flush=True)
        for script in scripts:
            print(f"\n=== {script.name} ===", flush=True)
            script_started = time.monotonic()
            result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, env=env)
            seconds = time.monotonic() - script_started
            print(f"--- {script.name}: exit {result.returncode} after {seconds:.1f}s", flush=True)
            ran.append({"script": script.name, "exit": result.returncode, "seconds": round(seconds, 1)})
        entries = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    finally:
        rows_file.unlink(missing_ok=True)
        for name in templates.values():
            drop_database(name)
    total = time.monotonic() - started
    failed = [entry["script"] for entry in ran if entry["exit"] != 0]
    met = sum(entry["met"] is True for entry in entries)
    missed = sum(entry["met"] is False for entry in entries)
    print(f"\n=== {len(entries)} figures, {began:%Y-%m-%d %H:%M} UTC, {'QUICK, ' if QUICK else ''}"
          f"{os.cpu_count()} processors, {total:.0f} s ===\n", flush=True)
    print(table(entries))
    print(f"\ngoals: {met} {MET_TEXT[True]}, {missed} {MET_TEXT[False]}"
          + (f"; scripts failed: {', '.join(failed)}" if failed else ""), flush=True)
    if missed:
        print("why each missed goal is missed, from a profile: docs/bench.md", flush=True)
    report = {"date": began.isoformat(timespec="seconds"), "quick": QUICK, "nproc": os.cpu_count(),
              "seconds": round(total, 1), "scripts": ran, "rows": entries}
    out = RESULTS / f"bench-{began:%Y%m%dT%H%M%SZ}.json"
    for path in (out, RESULTS / "latest.json"):
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(HERE.parent)} and bench/results/latest.json", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

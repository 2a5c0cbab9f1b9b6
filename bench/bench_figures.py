"""Figures: server time and SQL query count of /dispatch/figures/ and GET /api/v1/figures/?from=&to=.

On a scratch PostgreSQL database (and a scratch SQLite file), through the whole
Django stack with the test client:

1. after `manage.py demo` (30 days of demo history);
2. after a generated year of about 50,000 jobs (fieldapp/demo_history.py), for
   the default 30 days and for the whole year.

Beside them, from the same run, the baseline: /healthz (one query). The desk's
one-day figures (?day=) are measured too. The goal is under 1 s (p50) for the
page on PostgreSQL.

    .venv/bin/python bench/bench_figures.py               # sqlite and postgres
    BENCH_FIGURES_JOBS=10000 .venv/bin/python bench/bench_figures.py postgres
    QUICK=1 .venv/bin/python bench/bench_figures.py       # postgres, only after a year of ~2,000 jobs, 3 runs

Each figure is a row of bench/report.py.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import QUICK, fmt_ms, quick_or, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
YEAR_JOBS = quick_or(2000, 50000, env="BENCH_FIGURES_JOBS")
RUNS = quick_or(3, 5, env="BENCH_FIGURES_RUNS")
PAGE_GOAL_MS = 1000


def main(argv: list[str]) -> int:
    print(f"figures benchmark: 30 days of demo history, then a year of ~{YEAR_JOBS} jobs; median of {RUNS} runs", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-figures", demo=True)


def child(label: str) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from io import StringIO

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_DEMO_LOADED") == "1":
        print("  manage.py demo (with 30 days of history): done on the database this one is a copy of", flush=True)
    else:
        started = time.perf_counter()
        call_command("demo", stdout=StringIO())
        print(f"  manage.py demo (with 30 days of history): {time.perf_counter() - started:.1f} s", flush=True)
    desk = Client()
    desk.force_login(get_user_model().objects.get(username="dispatcher"))
    today = timezone.localdate()
    month = f"from={(today - timedelta(days=29)).isoformat()}&to={today.isoformat()}"
    year = f"from={(today - timedelta(days=364)).isoformat()}&to={today.isoformat()}"
    yesterday = (today - timedelta(days=1)).isoformat()

    def table(title: str, urls: list[tuple[str, str]]) -> None:
        from fieldapp.models import Job

        scenario = f"figures, {label}, {title} ({Job.objects.count():,} jobs)"
        health, _queries = measure(desk, "/healthz")
        baseline = f"/healthz p50 {fmt_ms(health)} ms"
        for name, url in urls:
            p50, queries = measure(desk, url)
            page = name.startswith("page")
            goal = page and label == "postgres"
            row(scenario, name, f"p50 {fmt_ms(p50)} ms, {queries} SQL", goal=f"p50 < {PAGE_GOAL_MS:,} ms" if goal else "—",
                met=p50 < PAGE_GOAL_MS if goal else None, baseline=baseline, ratio=times(p50, health))

    day = ("API ?day= (yesterday)", f"/api/v1/figures/?day={yesterday}")
    thirty = [("page, 30 days", f"/dispatch/figures/?{month}"), ("API, 30 days", f"/api/v1/figures/?{month}"),
              ("CSV raw jobs, 30 days", f"/dispatch/figures/export/jobs.csv?{month}")]
    if not QUICK:
        table("demo 30 days", [day, *thirty])
    started = time.perf_counter()
    made = generate_year()
    print(f"  generated {made.jobs} jobs and {made.assignments} assignments in {time.perf_counter() - started:.1f} s", flush=True)
    table("a year", [day, *thirty, ("page, 365 days", f"/dispatch/figures/?{year}"), ("API, 365 days", f"/api/v1/figures/?{year}")])
    return 0


def generate_year():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from fieldapp.demo_history import history_generate
    from fieldapp.models import Job, Officer

    today = timezone.localdate()
    days = [today - timedelta(days=offset) for offset in range(365, 30, -1)]
    missing = max(YEAR_JOBS - Job.objects.count(), 0)
    # Weekends are quieter (x 0.75): the mean day makes 0.93 of jobs_per_day.
    per_day = max(1, round(missing / len(days) / 0.93))
    officers = list(Officer.objects.order_by("call_sign"))
    # Days older than POSITION_TRACK_RETENTION_DAYS have no track left in a real database (prune_dispatch).
    return history_generate(days=days, officers=officers, jobs_per_day=per_day, seed=2026, traces=False)


def measure(client, url: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """The p50 server time of GET url in ms, and its SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    queries = 0
    for _run in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return statistics.median(samples) * 1000, queries


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

"""Nearest-station API time with 100,000 stations, on SQLite and on PostgreSQL.

Each database is a scratch one made for this run (a temporary SQLite file, a
temporary PostgreSQL database on loopback) and removed afterwards.

1. In process: requests go through the whole Django stack (middleware, DRF,
   JSON) with the test client, so the figures are server time without the
   network. Goal: p95 ≤ 5 ms, plain and open_now. Baseline: the full scan, one
   query ordering every published station by distance.
2. Over HTTP against a real Daphne, plain and open_now. Goal: p50 ≤ 1.5× the
   no-SQL floor, GET /manifest.webmanifest on the same server.

    .venv/bin/python bench/bench_stations.py            # both databases
    BENCH_STATIONS=20000 .venv/bin/python bench/bench_stations.py sqlite
    QUICK=1 .venv/bin/python bench/bench_stations.py    # postgres, 20,000 stations, 50 requests

Each figure is a row of bench/report.py.
"""
from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import fmt_ms, p50_p95, pct, quick_or, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402
from servers import Daphne, get_times  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STATIONS = quick_or(20_000, 100_000, env="BENCH_STATIONS")
REQUESTS = quick_or(50, 300, env="BENCH_REQUESTS")
FULL_SCANS = 20
GOAL_P95_MS = 5
HTTP_GOAL_FLOOR = 1.5
EXPRESSIONS = [
    "24/7",
    "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off",
    "Mo-Su 07:00-21:00",
    "Mo-Sa 08:00-20:00; Su 09:00-17:00; PH off",
    "Mo-Su 22:00-02:00",
]


# --- parent: one child process per database ---------------------------------

def main(argv: list[str]) -> int:
    print(f"nearest-station API, {STATIONS:,} stations, {REQUESTS} requests per case", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-stations")


# --- child: fill, then measure -----------------------------------------------

def child(label: str) -> int:
    import django

    django.setup()
    # The in-process figures time the Django stack in a process set up as Daphne's is:
    # what was loaded frozen, young passes every GC_THRESHOLD_0 allocations (collector.py).
    from fieldapp.project.collector import tune_collector

    tune_collector()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stations import amenities
    from stations.models import Station

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_holidays", stdout=open(os.devnull, "w"))
    rng = random.Random(4)
    # Stations cluster in cities (Liaocheng first) with a thin spread between them.
    cities = [(36.45, 115.98)] + [(rng.uniform(22.0, 45.0), rng.uniform(100.0, 122.0)) for _ in range(299)]
    codes = list(amenities.BY_CODE)
    batch: list[Station] = []
    for index in range(STATIONS):
        if index % 10 < 7:
            city_lat, city_lng = cities[index % len(cities)]
            lat, lng = city_lat + rng.gauss(0, 0.08), city_lng + rng.gauss(0, 0.08)
        else:
            lat, lng = rng.uniform(20.0, 50.0), rng.uniform(75.0, 130.0)
        batch.append(
            Station(
                name=f"驿站{index}", slug=f"s{index}", lat=lat, lng=lng, published=rng.random() < 0.95,
                opening_hours=rng.choice(EXPRESSIONS), amenities=rng.sample(codes, rng.randint(2, 8)),
            )
        )
        if len(batch) == 5000:
            Station.objects.bulk_create(batch)
            batch = []
    if batch:
        Station.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE stations_station")
    print(f"  filled {Station.objects.count():,} stations in {time.monotonic() - started:.1f}s", flush=True)

    client = Client()
    city_points = [(lat + rng.gauss(0, 0.05), lng + rng.gauss(0, 0.05)) for lat, lng in rng.choices(cities, k=REQUESTS)]
    remote_points = [(rng.uniform(20.0, 50.0), rng.uniform(75.0, 130.0)) for _ in range(REQUESTS)]
    cases = [
        ("nearest 20, in a city", city_points, ""),
        ("nearest 20, open_now", city_points, "&open_now=true"),
        ("nearest 20, amenity wifi+restroom", city_points, "&amenity=wifi,restroom"),
        ("nearest 20, anywhere in China", remote_points, ""),
    ]
    scenario = f"stations {STATIONS:,}, {label}"
    full_scan = full_scan_ms(city_points[:FULL_SCANS])
    baseline = f"full scan p50 {fmt_ms(full_scan)} ms"
    for name, points, extra in cases:
        for lat, lng in points[:10]:  # warm caches and the expression parser
            client.get(f"/api/v1/stations/?lat={lat}&lng={lng}&limit=20{extra}")
        timings: list[float] = []
        queries: list[int] = []
        for lat, lng in points:
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(f"/api/v1/stations/?lat={lat}&lng={lng}&limit=20{extra}")
                timings.append(time.perf_counter() - begin)
            queries.append(len(captured.captured_queries))
            if response.status_code != 200 or response.json()["count"] != 20:
                print(f"  unexpected answer {response.status_code}: {response.content[:200]!r}", flush=True)
                return 1
        goal = name in GOALS
        p95 = pct(timings, .95)
        row(scenario, f"in process: {name}", f"{p50_p95(timings)}, {sorted(queries)[len(queries) // 2]} SQL",
            goal=f"p95 ≤ {GOAL_P95_MS} ms" if goal else "—", met=p95 <= GOAL_P95_MS if goal else None,
            baseline=baseline, ratio=times(pct(timings, .5), full_scan))
    over_http(scenario, cases)
    return 0


GOALS = ("nearest 20, in a city", "nearest 20, open_now")


def full_scan_ms(points: list[tuple[float, float]]) -> float:
    """p50 of one query that orders every published station by distance (no index helps), in ms."""
    import math

    from django.db.models import F

    from stations.models import Station

    samples = []
    for lat, lng in points:
        scale = math.cos(math.radians(lat)) ** 2
        started = time.perf_counter()
        nearest = list(
            Station.objects.filter(published=True)
            .annotate(far=(F("lat") - lat) * (F("lat") - lat) + (F("lng") - lng) * (F("lng") - lng) * scale)
            .order_by("far").values_list("pk", flat=True)[:20]
        )
        samples.append(time.perf_counter() - started)
        assert len(nearest) == 20
    return pct(samples, .5)


def over_http(scenario: str, cases: list[tuple[str, list[tuple[float, float]], str]]) -> None:
    """The goal cases over HTTP against a Daphne, beside its no-SQL floor."""
    count = min(REQUESTS, 100)
    server = Daphne(None)
    try:
        floor = get_times(f"{server.url}/manifest.webmanifest", count)
        results = []
        for name, points, extra in cases:
            if name in GOALS:
                urls = [f"{server.url}/api/v1/stations/?lat={lat}&lng={lng}&limit=20{extra}" for lat, lng in points[:count]]
                results.append((name, [get_times(url, 1)[0] for url in urls]))
        floor += get_times(f"{server.url}/manifest.webmanifest", count)
    finally:
        server.stop()
    floor50 = pct(floor, .5)
    for name, timings in results:
        p50 = pct(timings, .5)
        row(scenario, f"over HTTP: {name}", p50_p95(timings), goal=f"p50 ≤ {HTTP_GOAL_FLOOR}× floor",
            met=p50 <= HTTP_GOAL_FLOOR * floor50, baseline=f"manifest (no SQL) p50 {fmt_ms(floor50)} ms",
            ratio=times(p50, floor50))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

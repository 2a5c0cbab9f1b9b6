"""Nearest-station API time with 100,000 stations, on SQLite and on PostgreSQL.

Each database is a scratch one made for this run (a temporary SQLite file, a
temporary PostgreSQL database on loopback) and removed afterwards. Requests go
through the whole Django stack (middleware, DRF, JSON) with the test client,
so the figures are server time without the network.

    .venv/bin/python bench/bench_stations.py            # both databases
    BENCH_STATIONS=20000 .venv/bin/python bench/bench_stations.py sqlite
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import run_on_scratch_databases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STATIONS = int(os.environ.get("BENCH_STATIONS", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
EXPRESSIONS = [
    "24/7",
    "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off",
    "Mo-Su 07:00-21:00",
    "Mo-Sa 08:00-20:00; Su 09:00-17:00; PH off",
    "Mo-Su 22:00-02:00",
]


# --- parent: one child process per database ---------------------------------

def main(argv: list[str]) -> int:
    wanted = argv or ["sqlite", "postgres"]
    print(f"nearest-station API, {STATIONS:,} stations, {REQUESTS} requests per case", flush=True)
    return run_on_scratch_databases(__file__, wanted, prefix="bench-stations")


# --- child: fill, then measure -----------------------------------------------

def child(label: str) -> int:
    import warnings

    import django

    # WhiteNoise warns about a missing STATIC_ROOT; static files play no part here.
    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from stations import amenities
    from stations.models import Station

    settings.DEBUG = False  # no query log growing over thousands of requests
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
    for name, points, extra in cases:
        for lat, lng in points[:10]:  # warm caches and the expression parser
            client.get(f"/api/v1/stations/?lat={lat}&lng={lng}&limit=20{extra}")
        timings: list[float] = []
        queries: list[int] = []
        for lat, lng in points:
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(f"/api/v1/stations/?lat={lat}&lng={lng}&limit=20{extra}")
                timings.append((time.perf_counter() - begin) * 1000)
            queries.append(len(captured.captured_queries))
            if response.status_code != 200 or response.json()["count"] != 20:
                print(f"  unexpected answer {response.status_code}: {response.content[:200]!r}", flush=True)
                return 1
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"  {label:<8} {name:<36} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
            f"max {timings[-1]:7.1f} ms   SQL/request {statistics.median(queries):.0f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

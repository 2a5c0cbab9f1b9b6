"""Road work: the time to compute the four rates (rates_for_range), on first read and from stored windows.

On a scratch PostgreSQL database (and a scratch SQLite file):

1. after `manage.py demo` (the road work demo: 10 points, a week of tracks), for 30 days;
2. after a generated city: BENCH_RW_OFFICERS officers (200), BENCH_RW_POINTS points (50),
   BENCH_RW_DAYS days (2) of fixes every BENCH_RW_FIX_S seconds (15) over BENCH_RW_HOURS
   hours a day on duty (8), half of the officers at a point during its morning window.
   Two days are 768,000 fixes; the whole 30 days (~11.5 M, BENCH_RW_DAYS=30) take far
   longer to generate than `make bench` may last.

Baseline: the full scan, counting the fixes of the same 30 days in the database.

    .venv/bin/python bench/bench_roadwork.py postgres
    BENCH_RW_DAYS=30 .venv/bin/python bench/bench_roadwork.py postgres    # the whole month
    QUICK=1 .venv/bin/python bench/bench_roadwork.py     # postgres, 20 officers, 10 points, 1 day

Each figure is a row of bench/report.py.
"""
from __future__ import annotations

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import quick_or, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFFICERS = quick_or(20, 200, env="BENCH_RW_OFFICERS")
POINTS = quick_or(10, 50, env="BENCH_RW_POINTS")
DAYS = quick_or(1, 2, env="BENCH_RW_DAYS")
FIX_S = int(os.environ.get("BENCH_RW_FIX_S", "15"))
HOURS = int(os.environ.get("BENCH_RW_HOURS", "8"))


def main(argv: list[str]) -> int:
    print(f"road work benchmark: demo, then {OFFICERS} officers, {POINTS} points, {DAYS} days of fixes every {FIX_S} s "
          f"over {HOURS} h a day", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-roadwork", demo=True)


def child(label: str) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from fieldapp.models import TrackFix
    from fieldapp.roadwork_selectors import points_now, rates_for_range
    from stations import hours

    call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_DEMO_LOADED") != "1":  # else done on the database this one is a copy of
        call_command("demo", stdout=StringIO())
    today = timezone.localdate()
    first = today - timedelta(days=29)

    def measure(title: str) -> None:
        # The first read computes every ended window from the track and stores it (fieldapp/presence.py);
        # later reads take the stored windows. Both are figures: a range nobody read yet is the first kind.
        started = time.perf_counter()
        rates = rates_for_range(first=first, last=today)
        cold = time.perf_counter() - started
        samples = []
        for _run in range(3):
            started = time.perf_counter()
            rates_for_range(first=first, last=today)
            samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        in_range = TrackFix.objects.filter(at__gte=hours.aware(datetime.combine(first, datetime.min.time()))).count()
        scan = time.perf_counter() - started
        p50 = sorted(samples)[1]
        what = f"rates for 30 days ({in_range:,} fixes, {len(rates.by_point)} points, {rates.visibility.whole} windows)"
        baseline = f"full scan (count) {scan * 1000:,.0f} ms"
        row(f"roadwork, {label}, {title}", f"{what}, first read (from the track)", f"{cold:.2f} s",
            baseline=baseline, ratio=times(cold, scan))
        row(f"roadwork, {label}, {title}", f"{what}, stored windows", f"p50 {p50 * 1000:,.0f} ms, max {max(samples) * 1000:,.0f} ms",
            baseline=baseline, ratio=times(p50, scan))

    def measure_desk(title: str) -> None:
        # The desk's points layer (and the phone's post card) always reads the track: the window going on now.
        day = today - timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        at = hours.aware(datetime.combine(day, datetime.min.time()).replace(hour=7, minute=20))
        samples = []
        for _run in range(3):
            started = time.perf_counter()
            rows = points_now(now=at)
            samples.append(time.perf_counter() - started)
        covered = sum(1 for point in rows if point.covered_now)
        row(f"roadwork, {label}, {title}", f"desk points layer at 07:20 ({len(rows)} points, {covered} covered now)",
            f"p50 {sorted(samples)[1] * 1000:,.0f} ms")

    measure("demo")
    measure_desk("demo")
    started = time.perf_counter()
    made = generate_city(today)
    print(f"  generated {made:,} fixes in {time.perf_counter() - started:.1f} s", flush=True)
    measure(f"city of {OFFICERS} officers, {POINTS} points, {DAYS} day{'s' if DAYS != 1 else ''}")
    measure_desk(f"city of {OFFICERS} officers, {POINTS} points, {DAYS} day{'s' if DAYS != 1 else ''}")
    return 0


def generate_city(today) -> int:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from fieldapp import roadwork_services as services
    from fieldapp.models import Officer, Squad, TrackFix
    from stations import hours

    rng = random.Random(2026)
    squad = Squad.objects.get_or_create(code="bench", defaults={"name": "压测中队"})[0]
    user_model = get_user_model()
    officers = []
    for index in range(OFFICERS):
        user = user_model.objects.get_or_create(username=f"bench{index}")[0]
        officers.append(Officer.objects.get_or_create(
            user=user, defaults={"badge_number": f"B{index:05d}", "call_sign": f"压测{index:03d}", "squad": squad})[0])
    points = [
        services.point_create(name=f"压测堵点{index}", lat=36.40 + rng.random() * 0.1, lng=115.90 + rng.random() * 0.15,
                              squad=squad, post_windows="Mo-Fr 07:00-09:00,17:00-19:00; PH off")
        for index in range(POINTS)
    ]
    made = 0
    for offset in range(DAYS):
        day = today - timedelta(days=offset + 1)
        start = hours.aware(datetime.combine(day, datetime.min.time()).replace(hour=7))
        rows = []
        for index, officer in enumerate(officers):
            home = points[index % len(points)]
            at_point = index % 2 == 0
            for step in range(HOURS * 3600 // FIX_S):
                at = start + timedelta(seconds=step * FIX_S)
                near = at_point and step * FIX_S < 30 * 60
                lat = home.lat + (0.0003 if near else 0.01 + rng.random() * 0.02)
                rows.append(TrackFix(officer=officer, lat=lat, lng=home.lng, accuracy_m=10, at=at, device_at=at))
        TrackFix.objects.bulk_create(rows, batch_size=5000)
        made += len(rows)
    return made


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

"""The nearest search gives exactly what a full scan gives, without reading every row."""
from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.geo import haversine_m
from stations import amenities, hours
from stations.models import Closure, Station
from stations.selectors import holiday_calendar, schedule_of, stations_nearest
from tests.helpers import at

pytestmark = pytest.mark.django_db
EXPRESSIONS = ["24/7", "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off", "Mo-Su 22:00-02:00", "24/7 off", "Mo-Sa 07:00-21:00"]
WHEN = at("2026-10-10 08:30")  # the make-up Saturday: hours depend on the calendar


@pytest.fixture
def random_stations(db, calendar_2026) -> list[Station]:
    rng = random.Random(20261126)
    rows = []
    for index in range(700):
        if index < 500:  # a dense city ...
            lat, lng = 36.45 + rng.gauss(0, 0.05), 115.98 + rng.gauss(0, 0.05)
        elif index < 650:  # ... a province ...
            lat, lng = rng.uniform(34.0, 38.0), rng.uniform(114.0, 122.0)
        else:  # ... and a few anywhere on Earth, poles and antimeridian included
            lat, lng = rng.uniform(-90, 90), rng.uniform(-180, 180)
        rows.append(
            Station(
                name=f"站{index}", slug=f"s{index}", lat=lat, lng=lng,
                published=rng.random() < 0.85,
                opening_hours=rng.choice(EXPRESSIONS),
                amenities=[code for code in amenities.BY_CODE if rng.random() < 0.3],
                closed_now=rng.random() < 0.05,
            )
        )
    # Two stations at the very same point test the tie-break.
    rows.append(Station(name="双A", slug="twin-a", lat=36.45, lng=115.98, published=True, opening_hours="24/7"))
    rows.append(Station(name="双B", slug="twin-b", lat=36.45, lng=115.98, published=True, opening_hours="24/7"))
    Station.objects.bulk_create(rows)
    stations = list(Station.objects.all())
    for station in rng.sample(stations, 30):
        Closure.objects.create(station=station, start_date=date(2026, 10, 9), end_date=date(2026, 10, 12), reason="检修")
    return stations


def every_station_and_its_state() -> list[tuple[Station, str]]:
    """Every row with its state at WHEN, worked out once: the state does not depend on where one stands."""
    calendar = holiday_calendar(first=date(2026, 9, 1), last=date(2026, 12, 31))
    return [
        (station, hours.state_only(schedule_of(station, today=date(2026, 10, 10)), calendar, WHEN))
        for station in Station.objects.prefetch_related("closures")
    ]


def full_scan(
    lat: float, lng: float, *, limit: int, open_now: bool, wanted: list[str], everyone: list[tuple[Station, str]]
) -> list[tuple[str, float]]:
    ranked = []
    for station, state in everyone:
        if not station.published or not set(wanted) <= set(station.amenities):
            continue
        if open_now and state != "open":
            continue
        ranked.append((haversine_m(lat, lng, station.lat, station.lng), station.pk, station.slug))
    ranked.sort()
    return [(slug, distance) for distance, _pk, slug in ranked[:limit]]


def test_nearest_equals_full_scan_on_random_data(random_stations):
    rng = random.Random(7)
    everyone = every_station_and_its_state()
    for _case in range(60):
        if rng.random() < 0.6:
            lat, lng = 36.45 + rng.gauss(0, 0.08), 115.98 + rng.gauss(0, 0.08)
        else:
            lat, lng = rng.uniform(-89, 89), rng.uniform(-179.9, 179.9)
        limit = rng.choice([1, 5, 20, 100])
        open_now = rng.random() < 0.5
        wanted = rng.sample(list(amenities.BY_CODE), rng.choice([0, 0, 1, 2]))

        got = stations_nearest(lat=lat, lng=lng, limit=limit, open_now=open_now, amenities=wanted, at=WHEN)

        expected = full_scan(lat, lng, limit=limit, open_now=open_now, wanted=wanted, everyone=everyone)
        assert [item.station.slug for item in got] == [slug for slug, _d in expected], (lat, lng, limit, open_now, wanted)
        assert [round(item.distance_m, 6) for item in got] == [round(d, 6) for _s, d in expected]
        if open_now:
            assert all(item.open_state.state == "open" for item in got)


def test_ties_are_broken_by_id(random_stations):
    got = stations_nearest(lat=36.45, lng=115.98, limit=2)

    assert [item.station.slug for item in got] == ["twin-a", "twin-b"]
    assert got[0].distance_m == 0


def test_more_wanted_than_exist_returns_all_published(random_stations):
    got = stations_nearest(lat=0, lng=0, limit=10_000)

    assert len(got) == Station.objects.filter(published=True).count()


def test_search_in_a_dense_city_reads_a_box_not_the_table(random_stations):
    with CaptureQueriesContext(connection) as queries:
        got = stations_nearest(lat=36.45, lng=115.98, limit=5)

    station_selects = [q["sql"] for q in queries.captured_queries if 'FROM "stations_station"' in q["sql"]]
    assert len(got) == 5
    assert station_selects
    # Every read of the station table is bounded: a lat/lng box or a list of ids.
    assert all(('"lat" >=' in sql or '"lat" BETWEEN' in sql or '"id" IN' in sql) for sql in station_selects)


def test_box_query_uses_an_index(random_stations):
    if connection.vendor == "sqlite":
        plan_sql = 'EXPLAIN QUERY PLAN SELECT id FROM stations_station WHERE lat >= 36.4 AND lat <= 36.5 AND lng >= 115.9 AND lng <= 116.0'
    else:
        plan_sql = "EXPLAIN SELECT id FROM stations_station WHERE lat >= 36.4 AND lat <= 36.5 AND lng >= 115.9 AND lng <= 116.0"
    with connection.cursor() as cursor:
        if connection.vendor != "sqlite":
            cursor.execute("ANALYZE stations_station")
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(plan_sql)
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert "station_l" in plan  # station_lat_lng_idx or station_lng_lat_idx

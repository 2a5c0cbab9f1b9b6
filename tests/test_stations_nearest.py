"""The nearest search gives exactly what a full scan gives, without reading every row."""
from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.geo import haversine_m
from stations import amenities, hours
from stations.models import Closure, Station
from stations.selectors import STATION_RTREE, holiday_calendar, schedule_of, stations_nearest
from stations.services import station_import, station_update, stations_set_published
from tests.helpers import at, require

pytestmark = pytest.mark.django_db
EXPRESSIONS = ["24/7", "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off", "Mo-Su 22:00-02:00", "24/7 off", "Mo-Sa 07:00-21:00"]
WHEN = at("2026-10-10 08:30")  # the make-up Saturday: hours depend on the calendar
# Text found only in a box query that reads through the 2-D index of migration 0003.
SPATIAL_BOX = "<@ box(" if connection.vendor == "postgresql" else f'"{STATION_RTREE}"'


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


def test_search_in_a_dense_city_reads_one_box_of_the_spatial_index(random_stations):
    stations_nearest(lat=36.45, lng=115.98, limit=5)  # the first search may ask whether SQLite has the R*Tree
    with CaptureQueriesContext(connection) as queries:
        got = stations_nearest(lat=36.45, lng=115.98, limit=5)

    station_selects = [q["sql"] for q in queries.captured_queries if '"stations_station"' in q["sql"]]
    assert len(got) == 5
    assert len(queries.captured_queries) == 2  # the holiday calendar and one box
    assert len(station_selects) == 1
    assert SPATIAL_BOX in station_selects[0]


def test_the_box_is_read_through_the_spatial_index(random_stations):
    with CaptureQueriesContext(connection) as queries:
        stations_nearest(lat=36.45, lng=115.98, limit=5)
    box_sql = [q["sql"] for q in queries.captured_queries if SPATIAL_BOX in q["sql"]][-1]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {box_sql}")
        else:
            cursor.execute("ANALYZE stations_station")
            cursor.execute("SET LOCAL enable_seqscan = off")  # 700 rows: a scan would win without this
            cursor.execute(f"EXPLAIN {box_sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())

    if connection.vendor == "sqlite":
        assert f"SCAN {STATION_RTREE} VIRTUAL TABLE INDEX" in plan
        assert "SEARCH stations_station USING INTEGER PRIMARY KEY" in plan
    else:
        assert "station_point_gist" in plan


# --- the spatial index follows every change of a station --------------------

LHASA = (29.65, 91.13)
KM = 1 / 111.2  # about a kilometre of latitude, in degrees


def imported(slug: str, lat: float, lng: float, *, published: bool = True) -> Station:
    station, _created = station_import(
        slug=slug, name=slug, lat=lat, lng=lng, opening_hours="24/7", published=published
    )
    return station


def nearest_slugs(lat: float, lng: float, *, limit: int = 1) -> list[str]:
    return [item.station.slug for item in stations_nearest(lat=lat, lng=lng, limit=limit, at=WHEN)]


def test_a_created_station_is_found(db):
    imported("far", LHASA[0] + 500 * KM, LHASA[1])
    assert nearest_slugs(*LHASA) == ["far"]

    imported("new", LHASA[0] + 2 * KM, LHASA[1])

    assert nearest_slugs(*LHASA) == ["new"]


def test_a_station_created_unpublished_is_not_found(db):
    imported("far", LHASA[0] + 500 * KM, LHASA[1])

    imported("draft", LHASA[0] + 2 * KM, LHASA[1], published=False)

    assert nearest_slugs(*LHASA, limit=5) == ["far"]


ELSEWHERE = (36.45, 115.98)


def test_a_moved_station_is_found_where_it_is_now_and_not_where_it_was(db):
    imported("mover", LHASA[0] + 1 * KM, LHASA[1])
    imported("stayer", LHASA[0] + 5 * KM, LHASA[1])
    imported("neighbour", ELSEWHERE[0] + 3 * KM, ELSEWHERE[1])

    imported("mover", *ELSEWHERE)  # an import replaces the station of its slug

    assert nearest_slugs(*LHASA) == ["stayer"]
    assert nearest_slugs(*ELSEWHERE) == ["mover"]


def test_a_station_moved_by_a_bulk_update_is_found_where_it_is_now(db):
    """As a data fix in SQL would move it: an UPDATE of lat and lng alone."""
    mover = imported("mover", LHASA[0] + 1 * KM, LHASA[1])
    imported("neighbour", ELSEWHERE[0] + 3 * KM, ELSEWHERE[1])

    Station.objects.filter(pk=mover.pk).update(lat=ELSEWHERE[0], lng=ELSEWHERE[1])

    assert nearest_slugs(*ELSEWHERE) == ["mover"]


def test_an_unpublished_station_is_not_found_and_a_republished_one_is(db):
    near = imported("near", LHASA[0] + 1 * KM, LHASA[1])
    imported("far", LHASA[0] + 50 * KM, LHASA[1])

    station_update(station_id=near.pk, published=False)
    assert nearest_slugs(*LHASA) == ["far"]

    station_update(station_id=near.pk, published=True)
    assert nearest_slugs(*LHASA) == ["near"]


def test_stations_unpublished_together_are_not_found_and_republished_ones_are(db):
    """The admin's action: one UPDATE of many rows."""
    near = imported("near", LHASA[0] + 1 * KM, LHASA[1])
    nearer = imported("nearer", LHASA[0] + 0.5 * KM, LHASA[1])
    imported("far", LHASA[0] + 50 * KM, LHASA[1])

    stations_set_published(station_ids=[near.pk, nearer.pk], published=False)
    assert nearest_slugs(*LHASA, limit=3) == ["far"]

    stations_set_published(station_ids=[near.pk, nearer.pk], published=True)
    assert nearest_slugs(*LHASA, limit=3) == ["nearer", "near", "far"]


def test_a_station_moved_while_unpublished_is_found_at_its_new_place_once_republished(db):
    mover = imported("mover", LHASA[0] + 1 * KM, LHASA[1])
    imported("stayer", LHASA[0] + 5 * KM, LHASA[1])
    imported("neighbour", ELSEWHERE[0] + 3 * KM, ELSEWHERE[1])
    station_update(station_id=mover.pk, published=False)
    imported("mover", *ELSEWHERE, published=False)
    assert nearest_slugs(*ELSEWHERE) == ["neighbour"]

    station_update(station_id=mover.pk, published=True)

    assert nearest_slugs(*ELSEWHERE) == ["mover"]
    assert nearest_slugs(*LHASA) == ["stayer"]


def test_a_deleted_station_is_not_found(db):
    near = imported("near", LHASA[0] + 1 * KM, LHASA[1])
    imported("far", LHASA[0] + 50 * KM, LHASA[1])

    near.delete()

    assert nearest_slugs(*LHASA) == ["far"]


def test_a_deleted_station_restored_with_its_id_elsewhere_is_found_only_there(db):
    """As loaddata restores a backup: the id comes back, the old place must not."""
    gone = imported("gone", LHASA[0] + 1 * KM, LHASA[1])
    imported("far", LHASA[0] + 50 * KM, LHASA[1])
    imported("neighbour", ELSEWHERE[0] + 3 * KM, ELSEWHERE[1])
    gone_id = gone.pk
    gone.delete()

    Station.objects.create(pk=gone_id, slug="restored", name="restored", lat=ELSEWHERE[0], lng=ELSEWHERE[1],
                           opening_hours="24/7", published=True)

    assert nearest_slugs(*LHASA) == ["far"]
    assert nearest_slugs(*ELSEWHERE) == ["restored"]


def test_a_lone_station_300_km_away_is_found(db):
    for index in range(40):  # a city 1,500 km away
        imported(f"city-{index}", 36.45 + index * 0.001, 115.98)
    imported("lone", LHASA[0] + 300 * KM, LHASA[1])

    got = stations_nearest(lat=LHASA[0], lng=LHASA[1], limit=3, at=WHEN)

    assert [item.station.slug for item in got] == ["lone", "city-0", "city-1"]
    assert got[0].distance_m == pytest.approx(300_000, rel=0.01)


# --- the same answer as a full scan, where boxes are awkward ----------------

@pytest.fixture
def stations_at_the_edges(db, calendar_2026) -> list[Station]:
    """Stations along the antimeridian, around both poles and thinly anywhere."""
    rng = random.Random(20261205)
    rows = []
    for index in range(400):
        if index < 150:
            lat, lng = rng.uniform(-70, 70), rng.choice([-1, 1]) * rng.uniform(174, 180)
        elif index < 300:
            lat, lng = rng.choice([-1, 1]) * rng.uniform(80, 90), rng.uniform(-180, 180)
        else:
            lat, lng = rng.uniform(-90, 90), rng.uniform(-180, 180)
        rows.append(
            Station(
                name=f"边{index}", slug=f"edge{index}", lat=lat, lng=lng, published=rng.random() < 0.9,
                opening_hours=rng.choice(EXPRESSIONS),
            )
        )
    rows.append(Station(name="北极", slug="north-pole", lat=90, lng=0, published=True, opening_hours="24/7"))
    rows.append(Station(name="日界", slug="dateline", lat=0, lng=180, published=True, opening_hours="24/7"))
    Station.objects.bulk_create(rows)
    return list(Station.objects.all())


def test_nearest_equals_full_scan_near_the_antimeridian_and_the_poles(stations_at_the_edges):
    rng = random.Random(11)
    everyone = every_station_and_its_state()
    points = [(90.0, 0.0), (-90.0, 0.0), (0.0, 180.0), (0.0, -180.0), (89.999, 179.999)]
    for _case in range(150):
        if rng.random() < 0.5:
            points.append((rng.uniform(-75, 75), rng.choice([-1, 1]) * rng.uniform(170, 180)))
        else:
            points.append((rng.choice([-1, 1]) * rng.uniform(75, 90), rng.uniform(-180, 180)))
    for lat, lng in points:
        limit = rng.choice([1, 5, 20])
        open_now = rng.random() < 0.3

        got = stations_nearest(lat=lat, lng=lng, limit=limit, open_now=open_now, at=WHEN)

        expected = full_scan(lat, lng, limit=limit, open_now=open_now, wanted=[], everyone=everyone)
        assert [item.station.slug for item in got] == [slug for slug, _d in expected], (lat, lng, limit, open_now)
        assert [round(item.distance_m, 6) for item in got] == [round(d, 6) for _s, d in expected]


# --- the migration ----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_stations_already_there_and_is_reversible():
    rng = random.Random(3)
    Station.objects.bulk_create(
        Station(name=f"站{index}", slug=f"m{index}", lat=rng.uniform(20, 50), lng=rng.uniform(75, 130),
                published=rng.random() < 0.9, opening_hours="24/7")
        for index in range(300)
    )
    points = [(rng.uniform(20, 50), rng.uniform(75, 130)) for _ in range(30)]
    everyone = every_station_and_its_state()
    expected = [[slug for slug, _d in full_scan(lat, lng, limit=5, open_now=False, wanted=[], everyone=everyone)]
                for lat, lng in points]

    call_command("migrate", "stations", "0002", verbosity=0)
    assert [nearest_slugs(lat, lng, limit=5) for lat, lng in points] == expected  # by the lat/lng B-trees

    call_command("migrate", "stations", verbosity=0)
    assert [nearest_slugs(lat, lng, limit=5) for lat, lng in points] == expected  # by the index, filled

    imported("new", points[0][0], points[0][1])
    assert nearest_slugs(*points[0]) == ["new"]  # and kept in step again


# --- PostgreSQL: a sparse box reads the stations in it, not a band ----------

def plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in plan_nodes(child))]


@pytest.mark.postgres
def test_postgres_reads_a_sparse_box_from_the_gist_index_and_no_band(db):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    # Enough stations, spread thinly over China, that the planner weighs the index
    # against reading the table, and that a B-tree band across the box would be long.
    rng = random.Random(5)
    Station.objects.bulk_create(
        (Station(name=f"站{index}", slug=f"g{index}", lat=rng.uniform(20, 50), lng=rng.uniform(75, 130),
                 published=rng.random() < 0.95) for index in range(20_000)),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE stations_station")

    with CaptureQueriesContext(connection) as queries:
        got = stations_nearest(lat=35.0, lng=100.0, limit=20)
    box_sql = [q["sql"] for q in queries.captured_queries if SPATIAL_BOX in q["sql"]][-1]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {box_sql}")
        plan = cursor.fetchone()[0][0]["Plan"]

    assert len(got) == 20
    assert got[-1].distance_m > 20_000  # sparse: past the first box
    index_scans = [node for node in plan_nodes(plan) if node.get("Index Name") == "station_point_gist"]
    assert len(index_scans) == 1
    # The index hands over the stations in the box and nothing around it.
    assert index_scans[0]["Actual Rows"] == plan["Actual Rows"] >= 20

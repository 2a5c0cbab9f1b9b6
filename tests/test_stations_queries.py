"""Reads of many stations cost a fixed number of queries, however many stations there are."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations.models import Closure, Station, StationPhoto
from stations.selectors import today_shanghai

pytestmark = pytest.mark.django_db

# Stations, closures, photos and the holiday calendar, plus the session and
# user for the managers' API: a handful, never one per station.
MAX_QUERIES = 8


def add_stations(count: int, *, start: int = 0, manager=None) -> None:
    """Stations 30 m apart, all within the nearest search's first box."""
    today = today_shanghai()
    for index in range(start, start + count):
        station = Station.objects.create(
            slug=f"station-{index}", name=f"驿站{index:03d}", lat=36.45 + index * 0.0003, lng=115.98,
            opening_hours="Mo-Su 08:00-20:00", published=True, amenities=["drinking_water"],
        )
        Closure.objects.create(station=station, start_date=today + timedelta(days=3), end_date=today + timedelta(days=4), reason="检修")
        StationPhoto.objects.create(station=station, image=f"stations/photos/{index}.png", caption="门口")
        if manager is not None:
            station.managers.add(manager)


def queries_of(request) -> int:
    request()  # once before counting: the first request of a test also reads the user, sessions...
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200
    return len(captured)


def test_station_list_api_costs_the_same_for_3_and_30_stations(api, django_assert_max_num_queries):
    add_stations(3)
    few = queries_of(lambda: api.get("/api/v1/stations/", {"lat": 36.45, "lng": 115.98, "limit": 3}))
    add_stations(27, start=3)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = api.get("/api/v1/stations/", {"lat": 36.45, "lng": 115.98, "limit": 30})
    assert response.json()["count"] == 30
    assert queries_of(lambda: api.get("/api/v1/stations/", {"lat": 36.45, "lng": 115.98, "limit": 30})) == few


def test_station_list_api_without_a_position_costs_the_same_for_3_and_30_stations(api, django_assert_max_num_queries):
    add_stations(3)
    few = queries_of(lambda: api.get("/api/v1/stations/", {"limit": 100}))
    add_stations(27, start=3)
    many = queries_of(lambda: api.get("/api/v1/stations/", {"limit": 100}))
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        api.get("/api/v1/stations/", {"limit": 100})


def test_managed_stations_api_costs_the_same_for_3_and_30_stations(api, station_manager, django_assert_max_num_queries):
    api.force_authenticate(station_manager)
    add_stations(3, manager=station_manager)
    few = queries_of(lambda: api.get("/api/v1/manage/stations/"))
    add_stations(27, start=3, manager=station_manager)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = api.get("/api/v1/manage/stations/")
    assert len(response.json()) == 30
    many = queries_of(lambda: api.get("/api/v1/manage/stations/"))
    assert many == few
    # What the serializer shows came from the selector: the week, the coming closure, the photo.
    first = response.json()[0]
    assert len(first["week"]) == 7 and first["closures"][0]["reason"] == "检修" and first["photos"][0]["caption"] == "门口"


def test_finder_page_costs_the_same_for_20_and_40_stations(client, django_assert_max_num_queries):
    # The page lists 20: both counts fill the list from the first box.
    add_stations(20)
    few = queries_of(lambda: client.get("/stations/", {"lat": 36.45, "lng": 115.98, "area": "测试"}))
    add_stations(20, start=20)
    many = queries_of(lambda: client.get("/stations/", {"lat": 36.45, "lng": 115.98, "area": "测试"}))
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/stations/", {"lat": 36.45, "lng": 115.98, "area": "测试"})


def test_station_page_reads_in_a_few_queries(client, django_assert_max_num_queries):
    add_stations(1)
    with django_assert_max_num_queries(5):
        assert client.get("/stations/station-0/").status_code == 200

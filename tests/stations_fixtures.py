"""Fixtures and helpers shared by the tests/test_stations_*.py modules."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stations.models import Station

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_WEEKENDS = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"


def at(text: str) -> datetime:
    """An aware moment from Shanghai wall time, e.g. at("2026-10-05 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_station(slug: str = "shiyiyuan", **fields: Any) -> Station:
    defaults: dict[str, Any] = {
        "name": f"驿站 {slug}",
        "lat": 36.4561,
        "lng": 115.9854,
        "opening_hours": WEEKDAYS_WEEKENDS,
        "published": True,
        "amenities": ["drinking_water", "restroom"],
    }
    defaults.update(fields)
    return Station.objects.create(slug=slug, **defaults)


@pytest.fixture
def calendar_2026(db) -> None:
    from stations.services import holiday_calendar_seed

    holiday_calendar_seed(years=[2026])


@pytest.fixture
def station(db, calendar_2026) -> Station:
    return make_station()


@pytest.fixture
def managed_station(db, station, station_manager) -> Station:
    station.managers.add(station_manager)
    return station


@pytest.fixture
def others_station(db, calendar_2026, other_station_manager) -> Station:
    other = make_station("dengta", name="灯塔中队", lat=36.47, lng=115.99)
    other.managers.add(other_station_manager)
    return other

"""The demo stations and the holiday seeding commands."""
from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from stations.models import Closure, HolidayCalendar, Station
from stations.selectors import station_open_state
from tests.helpers import make_user

pytestmark = pytest.mark.django_db
NAMES = {"市医院中队", "灯塔中队", "湖西中队", "北顺中队", "汽车西站交管服务网点"}


def test_demo_stations_is_idempotent_and_gives_the_manager_two(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = make_user("station", group="station_manager")
    out = io.StringIO()

    call_command("demo_stations", stdout=out)
    call_command("demo_stations", stdout=out)

    assert set(Station.objects.values_list("name", flat=True)) == NAMES
    assert Station.objects.filter(published=True).count() == 5
    assert manager.managed_stations.count() == 2
    assert Closure.objects.filter(station__slug="huxi").count() == 1
    assert station_open_state(station=Station.objects.get(slug="huxi")).state == "closed"
    assert all(36.3 < s.lat < 36.6 and 115.8 < s.lng < 116.1 for s in Station.objects.all())
    assert "Demo care stations ready" in out.getvalue()


def test_seed_holidays_knows_golden_week_and_makeup_days():
    call_command("seed_holidays", "--year", "2026", stdout=io.StringIO())

    assert HolidayCalendar.objects.get(date=date(2026, 10, 5)).kind == "statutory_holiday"
    assert HolidayCalendar.objects.get(date=date(2026, 10, 5)).name == "国庆节"
    assert HolidayCalendar.objects.get(date=date(2026, 10, 10)).kind == "makeup_workday"


def test_seed_holidays_for_an_unknown_year_warns_instead_of_failing():
    out = io.StringIO()

    call_command("seed_holidays", "--year", "2099", stdout=out)

    assert "no data for: 2099" in out.getvalue()
    assert not HolidayCalendar.objects.filter(date__year=2099).exists()


def test_seed_keeps_hand_entered_rows_of_other_dates():
    HolidayCalendar.objects.create(date=date(2027, 1, 1), kind="statutory_holiday", name="元旦")

    call_command("seed_holidays", stdout=io.StringIO())

    assert HolidayCalendar.objects.filter(date=date(2027, 1, 1)).exists()
    assert HolidayCalendar.objects.filter(date__year=2004).exists()

"""While a station is closed, by hand or by a closure, its screen says so instead of today's hours."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import translation

from stations import hours, services
from stations.models import Station
from stations.selectors import today_shanghai

pytestmark = pytest.mark.django_db

SCREEN_API = "/api/v1/stations/shiyiyuan/screen/"
SCREEN_PAGE = "/stations/shiyiyuan/screen/"


@pytest.fixture
def every_day_station(db) -> Station:
    return Station.objects.create(
        name="市医院中队", slug="shiyiyuan", lat=36.4561, lng=115.9854, opening_hours="Mo-Su 07:00-21:00",
        follows_national_calendar=False, published=True,
    )


def today_line(html: str) -> str:
    return re.search(r'<span class="today" id="today-hours"[^>]*>(.*?)</span>', html, re.DOTALL).group(1)


def test_an_open_station_shows_todays_hours(client: Client, every_day_station):
    assert client.get(SCREEN_API).json()["closure_notice"] == ""
    assert today_line(client.get(SCREEN_PAGE).content.decode()) == "今日: 07:00–21:00"


def test_closed_now_shows_the_closure_not_the_hours(client: Client, every_day_station):
    services.station_set_closed_now(station_id=every_day_station.pk, closed=True, reason="外出执勤")

    payload = client.get(SCREEN_API).json()
    html = client.get(SCREEN_PAGE).content.decode()

    assert payload["closure_notice"] == "恢复开放时间另行通知"
    assert payload["hours_text"] == "暂停开放 · 外出执勤"
    assert today_line(html) == "恢复开放时间另行通知"
    assert "07:00" not in today_line(html)
    assert 'id="state-label">暂停开放 · 外出执勤<' in html


def test_a_closure_in_force_shows_until_when(client: Client, every_day_station):
    today = today_shanghai()
    last = today + timedelta(days=2)
    services.closure_create(station_id=every_day_station.pk, start_date=today - timedelta(days=1), end_date=last, reason="装修")

    payload = client.get(SCREEN_API).json()

    assert payload["closure_notice"] == f"暂停开放至 {last.month}月{last.day}日"
    assert "装修" in payload["hours_text"]
    assert today_line(client.get(SCREEN_PAGE).content.decode()) == payload["closure_notice"]


def test_a_one_day_closure_reads_closed_today_and_special_hours_are_not_a_closure():
    schedule = hours.Schedule(
        expression="Mo-Su 07:00-21:00",
        closures=(
            hours.ClosureSpan(date(2026, 12, 1), date(2026, 12, 1), "消防检查"),
            hours.ClosureSpan(date(2026, 12, 2), date(2026, 12, 2), "半天", "10:00-14:00"),
        ),
    )

    with translation.override("zh-hans"):
        assert hours.closure_notice(schedule, {}, date(2026, 12, 1)) == "今日暂停开放"
        assert hours.closure_notice(schedule, {}, date(2026, 12, 2)) == ""
        assert hours.closure_notice(schedule, {}, date(2026, 12, 3)) == ""

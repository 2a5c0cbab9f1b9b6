"""Opening hours on chosen dates: China's calendar, closures, overnight, 24/7, zones."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from django.utils import translation

from stations import hours
from stations.models import HolidayCalendar
from stations.selectors import (
    holiday_calendar_missing_years,
    station_hours_preview,
    station_open_state,
    station_week_hours,
)
from stations.services import closure_create, holiday_calendar_seed, station_update
from tests.helpers import ROOT, WEEKDAYS_WEEKENDS, at, make_station

pytestmark = pytest.mark.django_db


def test_golden_week_monday_is_a_holiday_not_a_workday(station):
    # The library alone thinks 5 October 2026 is an ordinary Monday.
    assert hours.parse_expression(WEEKDAYS_WEEKENDS).is_open(at("2026-10-05 10:00").replace(tzinfo=None))

    state = station_open_state(station=station, at=at("2026-10-05 10:00"))

    assert state.state == "closed"
    assert state.next_change == at("2026-10-08 08:00")


def test_holiday_uses_the_ph_rule_of_the_expression(db, calendar_2026):
    station = make_station(opening_hours="Mo-Fr 08:00-18:00; PH 10:00-14:00")

    assert station_open_state(station=station, at=at("2026-10-05 09:00")).state == "closed"
    state = station_open_state(station=station, at=at("2026-10-05 11:00"))
    assert state.state == "open"
    assert state.next_change == at("2026-10-05 14:00")


def test_station_that_ignores_the_national_calendar_keeps_its_monday(db, calendar_2026):
    station = make_station(follows_national_calendar=False)

    assert station_open_state(station=station, at=at("2026-10-05 10:00")).state == "open"


def test_makeup_saturday_has_monday_hours(station):
    # Saturday 10 October 2026 is a working day (调休): Monday's 08:00-18:00, not Saturday's 09:00-17:00.
    early = station_open_state(station=station, at=at("2026-10-10 08:30"))
    late = station_open_state(station=station, at=at("2026-10-10 17:30"))

    assert early.state == "open"
    assert late.state == "open"
    assert late.next_change == at("2026-10-10 18:00")


def test_week_view_marks_holidays_and_makeup_days(station):
    week = {day.date: day for day in station_week_hours(station=station, start=date(2026, 10, 5), days=7)}

    assert week[date(2026, 10, 5)].kind == "holiday"
    assert week[date(2026, 10, 5)].label == "国庆节"
    assert week[date(2026, 10, 5)].intervals == []
    assert week[date(2026, 10, 8)].kind == "regular"
    assert week[date(2026, 10, 8)].text == "08:00–18:00"
    assert week[date(2026, 10, 10)].kind == "makeup_workday"
    assert week[date(2026, 10, 10)].text == "08:00–18:00"
    assert week[date(2026, 10, 11)].text == "09:00–17:00"


def test_closure_range_overrides_hours_and_gives_the_reopening(station):
    closure_create(station_id=station.pk, start_date=date(2026, 11, 2), end_date=date(2026, 11, 4), reason="装修")

    inside = station_open_state(station=station, at=at("2026-11-03 10:00"))
    after = station_open_state(station=station, at=at("2026-11-05 10:00"))
    week = {day.date: day for day in station_week_hours(station=station, start=date(2026, 11, 1))}

    assert inside.state == "closed"
    assert inside.reason == "装修"
    assert inside.next_change == at("2026-11-05 08:00")
    assert after.state == "open"
    assert [week[date(2026, 11, d)].kind for d in (1, 2, 3, 4, 5)] == ["regular", "closure", "closure", "closure", "regular"]


def test_special_day_has_its_own_hours(station):
    closure_create(
        station_id=station.pk, start_date=date(2026, 11, 3), end_date=date(2026, 11, 3),
        reason="活动日", opening_hours="10:00-12:00",
    )

    assert station_open_state(station=station, at=at("2026-11-03 09:00")).state == "closed"
    assert station_open_state(station=station, at=at("2026-11-03 11:00")).state == "open"
    day = station_week_hours(station=station, start=date(2026, 11, 3), days=1)[0]
    assert (day.kind, day.label, day.text) == ("special", "活动日", "10:00–12:00")


def test_closed_now_switch_overrides_everything(station):
    station_update(station_id=station.pk, closed_now=True, closed_reason="停电")
    station.refresh_from_db()

    state = station_open_state(station=station, at=at("2026-11-03 11:00"))

    assert state.state == "closed"
    assert state.next_change is None
    assert state.reason == "停电"


def test_past_midnight_hours(db, calendar_2026):
    station = make_station(opening_hours="Mo-Su 22:00-02:00")

    night = station_open_state(station=station, at=at("2026-11-03 01:00"))
    evening = station_open_state(station=station, at=at("2026-11-03 23:00"))
    day = station_open_state(station=station, at=at("2026-11-03 12:00"))
    week = station_week_hours(station=station, start=date(2026, 11, 3), days=1)[0]

    assert night.state == "open" and night.next_change == at("2026-11-03 02:00")
    assert evening.state == "open" and evening.next_change == at("2026-11-04 02:00")
    assert day.state == "closed" and day.next_change == at("2026-11-03 22:00")
    assert week.intervals == [{"start": "22:00", "end": "02:00", "state": "open", "overnight": True}]


def test_twenty_four_seven(db, calendar_2026):
    station = make_station(opening_hours="24/7")

    state = station_open_state(station=station, at=at("2026-10-05 03:00"))
    week = station_week_hours(station=station, start=date(2026, 10, 4), days=3)

    assert state.state == "open"
    assert state.next_change is None
    with translation.override("zh-hans"):
        assert hours.status_text("open", None, at("2026-10-05 03:00").replace(tzinfo=None)) == "营业中 · 24 小时"
    assert all(day.intervals == [{"start": "00:00", "end": "24:00", "state": "open", "overnight": False}] for day in week)


def test_unknown_modifier_gives_unknown_state(db, calendar_2026):
    station = make_station(opening_hours='Mo-Fr 08:00-18:00; Sa unknown "call first"')

    state = station_open_state(station=station, at=at("2026-11-07 10:00"))

    assert state.state == "unknown"
    assert state.next_change == at("2026-11-08 00:00")


def test_human_text_in_chinese(station):
    with translation.override("zh-hans"):
        open_text = station_open_state(station=station, at=at("2026-11-03 10:00")).text
        closed_text = station_open_state(station=station, at=at("2026-11-03 19:00")).text
        holiday_text = station_open_state(station=station, at=at("2026-10-05 10:00")).text

    assert open_text == "营业中 · 18:00 关门"
    assert closed_text == "已关门 · 明天 08:00 开门"
    assert holiday_text == "已关门 · 周四 08:00 开门"


def test_year_missing_from_the_calendar_never_breaks(db, calendar_2026):
    assert not HolidayCalendar.objects.filter(date__year=2027).exists()
    assert holiday_calendar_seed(years=[2099]) == {2099: 0}  # a year chinesecalendar does not know: no error
    station = make_station()

    state = station_open_state(station=station, at=at("2027-10-01 10:00"))
    week = station_week_hours(station=station, start=date(2027, 9, 28))

    assert state.state == "open"  # no calendar: a plain Friday
    assert len(week) == 7 and all(day.kind == "regular" for day in week)
    assert holiday_calendar_missing_years(today=date(2026, 11, 26)) == [2027]


def test_invalid_expression_has_a_clear_message():
    with translation.override("en"), pytest.raises(hours.OpeningHoursError) as error:
        hours.parse_expression("Mo-Fr 25:00-26:00")

    assert str(error.value).startswith("This is not a valid opening hours format. Example: “Mo-Fr 08:00-18:00")
    assert "25:00" not in str(error.value)
    assert "expected" not in str(error.value)


def test_preview_of_an_unsaved_expression(station):
    week = station_hours_preview(
        station=station, opening_hours="Mo-Su 07:00-09:00", follows_national_calendar=False, start=date(2026, 10, 5)
    )

    assert week[0].text == "07:00–09:00"
    station.refresh_from_db()
    assert station.opening_hours == WEEKDAYS_WEEKENDS


EVALUATE_IN_ANOTHER_ZONE = """
import json, os, time, django
django.setup()
# Django sets TZ from settings.TIME_ZONE; put the process in another zone after it.
os.environ["TZ"] = "America/Los_Angeles"
time.tzset()
assert time.strftime("%Z") in ("PST", "PDT"), time.strftime("%Z")
from datetime import datetime, timezone
from stations import hours
calendar = {datetime(2026, 10, 10).date(): hours.CalendarDay("makeup_workday", "国庆节")}
schedule = hours.Schedule("Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off")
# 00:30 UTC on 10 October is 08:30 in Shanghai on the make-up Saturday,
# but still 9 October (a Friday) 17:30 in Los Angeles.
state = hours.open_state(schedule, calendar, datetime(2026, 10, 10, 0, 30, tzinfo=timezone.utc))
print(json.dumps({"state": state.state, "next_change": state.next_change.isoformat(), "now": hours.now_shanghai().utcoffset() is None}))
"""


def test_evaluation_ignores_the_server_zone():
    env = {**os.environ, "TZ": "America/Los_Angeles", "DJANGO_SETTINGS_MODULE": "fieldapp.project.settings"}
    done = subprocess.run(
        [sys.executable, "-c", EVALUATE_IN_ANOTHER_ZONE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["state"] == "open"
    assert result["next_change"] == "2026-10-10T18:00:00+08:00"


def test_evaluation_ignores_the_zone_in_process(station, monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Pacific/Honolulu")
    time.tzset()
    try:
        state = station_open_state(station=station, at=at("2026-10-10 08:30"))
    finally:
        monkeypatch.undo()
        time.tzset()

    assert state.state == "open"
    assert state.next_change == at("2026-10-10 18:00")

"""The managers' week editor of the opening hours, posted as a plain form (no JS)."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from stations.models import Station

pytestmark = pytest.mark.django_db

PAGE = "/stations/manage/shiyiyuan/"
WEEKDAYS_WEEKENDS = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"


@pytest.fixture
def own_station(db, station_manager) -> Station:
    station = Station.objects.create(
        name="市医院中队", slug="shiyiyuan", lat=36.4561, lng=115.9854, opening_hours=WEEKDAYS_WEEKENDS, published=True,
    )
    station.managers.add(station_manager)
    return station


@pytest.fixture
def manager(client: Client, station_manager) -> Client:
    client.force_login(station_manager)
    return client


def week_post(days: dict[str, tuple[str, ...]], *, holidays: str = "closed", holiday: tuple[str, ...] = (),
              shown: str = WEEKDAYS_WEEKENDS, typed: str | None = None, **extra: str) -> dict[str, str]:
    """What the browser sends from the week editor: days maps "mo".."su" to (from1, to1[, from2, to2])."""
    data = {"action": "hours", "hours-editor": "week", "hours-shown_expression": shown,
            "hours-opening_hours": shown if typed is None else typed, "hours-holidays": holidays,
            "hours-follows_national_calendar": "on", **extra}
    for code in ("mo", "tu", "we", "th", "fr", "sa", "su"):
        times = days.get(code, ())
        if times:
            data[f"hours-{code}_open"] = "on"
        for name, value in zip(("from1", "to1", "from2", "to2"), times):
            data[f"hours-{code}_{name}"] = value
    for name, value in zip(("from1", "to1", "from2", "to2"), holiday):
        data[f"hours-ph_{name}"] = value
    return data


LUNCH_BREAK = ("08:00", "12:00", "14:00", "18:00")


def test_the_page_shows_the_saved_hours_as_a_week_with_the_expression_folded_away(manager, own_station):
    html = manager.get(PAGE).content.decode()

    assert 'class="week-editor"' in html
    assert re.search(r'<input type="checkbox" name="hours-mo_open"[^>]*checked', html)
    assert 'name="hours-mo_from1" value="08:00"' in html
    assert 'name="hours-sa_to1" value="17:00"' in html
    assert re.search(r'<input type="radio" name="hours-holidays" value="closed"[^>]*checked', html)
    expert = html.split('<details class="expert">')[1].split("</details>")[0]
    assert "高级: 直接编辑表达式" in expert
    assert WEEKDAYS_WEEKENDS in expert


def test_hours_beyond_the_simple_editor_show_the_expression_only(manager, own_station):
    own_station.opening_hours = "Mo-Fr 08:00-18:00; Jan 01 off"
    own_station.save()

    html = manager.get(PAGE).content.decode()

    assert 'class="week-editor"' not in html
    assert '<details class="expert"' not in html
    assert 'name="hours-opening_hours"' in html and "Jan 01 off" in html


def test_the_week_editor_saves_the_expression_it_composes(manager, own_station):
    days = {code: LUNCH_BREAK for code in ("mo", "tu", "we", "th", "fr")} | {"sa": ("09:00", "12:00")}

    response = manager.post(PAGE, week_post(days, holidays="own", holiday=("10:00", "14:00")))

    assert response.status_code == 302
    own_station.refresh_from_db()
    assert own_station.opening_hours == "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00; PH 10:00-14:00"


def test_closing_at_midnight_is_24_00(manager, own_station):
    manager.post(PAGE, week_post({code: ("06:00", "00:00") for code in ("mo", "tu", "we", "th", "fr", "sa", "su")}, holidays="usual"))

    own_station.refresh_from_db()
    assert own_station.opening_hours == "Mo-Su 06:00-24:00"


def test_an_edited_expression_wins_over_the_week(manager, own_station):
    response = manager.post(PAGE, week_post({"mo": ("08:00", "18:00")}, typed="Mo-Su 07:00-21:00"))

    assert response.status_code == 302
    own_station.refresh_from_db()
    assert own_station.opening_hours == "Mo-Su 07:00-21:00"


def test_preview_of_the_week_shows_seven_days_and_the_expression_without_saving(manager, own_station):
    days = {code: ("10:00", "16:00") for code in ("mo", "tu", "we", "th", "fr", "sa", "su")}

    response = manager.post(PAGE, week_post(days, holidays="usual", preview="1"))

    assert response.status_code == 200
    html = response.content.decode()
    preview = html.split('id="hours-preview"')[1].split("</ul>")[0]
    assert preview.count("<li>") == 7
    assert preview.count("10:00–16:00") >= 5  # a statutory holiday this week may take the PH rule
    assert "<code>Mo-Su 10:00-16:00</code>" in html
    assert 'name="hours-mo_from1" value="10:00"' in html  # the week stays as typed
    own_station.refresh_from_db()
    assert own_station.opening_hours == WEEKDAYS_WEEKENDS


@pytest.mark.parametrize(
    ("times", "error"),
    [
        (("18:00", "08:00"), "关门时间必须晚于开门时间"),
        (("08:00",), "请填写开门和关门时间"),
        (("08:00", "12:00", "11:00", "18:00"), "第二段必须在第一段结束之后开始"),
    ],
)
def test_a_wrong_week_is_explained_and_nothing_is_saved(manager, own_station, times, error):
    response = manager.post(PAGE, week_post({"mo": times}))

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'<p class="field-error" role="alert">周一: {error}', html)
    own_station.refresh_from_db()
    assert own_station.opening_hours == WEEKDAYS_WEEKENDS


def test_a_bad_typed_expression_is_explained_in_plain_chinese(manager, own_station):
    response = manager.post(PAGE, week_post({"mo": ("08:00", "18:00")}, typed="Mo-Fr 8-18"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "营业时间格式不正确：时间要写上分钟" in html
    assert "expected" not in html and "EOI" not in html
    assert '<details class="expert" open>' in html  # the error is not hidden in a folded section
    own_station.refresh_from_db()
    assert own_station.opening_hours == WEEKDAYS_WEEKENDS


def test_the_api_explains_a_bad_expression_without_parser_internals(api, own_station, station_manager):
    api.force_authenticate(station_manager)

    response = api.patch("/api/v1/stations/shiyiyuan/", {"opening_hours": "Mo-Fr 8-18"}, format="json")

    assert response.status_code == 400
    body = response.json()
    message = body["fields"]["opening_hours"][0]
    assert message.startswith("营业时间格式不正确：时间要写上分钟")
    assert "Mo-Fr 8-18" not in message
    for internal in ("expected", "EOI", "rule_separator", "-->"):
        assert internal not in str(body)
    own_station.refresh_from_db()
    assert own_station.opening_hours == WEEKDAYS_WEEKENDS

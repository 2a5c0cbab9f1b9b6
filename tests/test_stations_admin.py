"""Django admin of the stations: filters, hours preview, calendar warning, pushes, invalid hours."""
from __future__ import annotations

from datetime import date

import pytest

from stations import events
from stations.models import HolidayCalendar, Slogan, Station
from tests.helpers import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, admin):
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    return client


def test_changelist_filters_open_now_amenity_and_published(logged_in, calendar_2026):
    make_station("always", name="全天", opening_hours="24/7", amenities=["wifi"])
    make_station("never", name="不开", opening_hours="24/7 off", amenities=["restroom"])
    make_station("draft", name="草稿", opening_hours="24/7", published=False)

    def names(query: str) -> set[str]:
        r = logged_in.get(f"/admin/stations/station/?{query}")
        assert r.status_code == 200
        return {station.name for station in r.context["cl"].result_list}

    assert names("open_now=yes") == {"全天", "草稿"}
    assert names("open_now=no") == {"不开"}
    assert names("amenity=wifi") == {"全天"}
    assert names("published__exact=0") == {"草稿"}
    assert names("q=全天") == {"全天"}


def test_change_form_shows_the_next_seven_days(logged_in, calendar_2026):
    station = make_station("shiyiyuan", name="市医院中队")

    r = logged_in.get(f"/admin/stations/station/{station.pk}/change/")

    assert r.status_code == 200
    page = r.content.decode()
    assert 'class="hours-preview"' in page
    assert page.count("<tr><td>") >= 7


def test_invalid_hours_are_refused_in_admin_with_the_reason(logged_in):
    r = logged_in.post(
        "/admin/stations/station/add/",
        {"name": "坏", "slug": "bad", "coordinate_system": "wgs84", "lat": "36.4", "lng": "115.9", "opening_hours": "Mo-Fr 8-18",
         **{f"{p}-{k}": v for p in ("closures", "playlist_items", "slogans", "photos") for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}},
    )

    assert r.status_code == 200
    assert "This is not a valid opening hours format: write times with minutes" in r.content.decode()
    assert "expected" not in r.content.decode()
    assert not Station.objects.exists()


def test_missing_next_year_shows_a_warning(logged_in, calendar_2026, monkeypatch):
    from stations import selectors

    monkeypatch.setattr(selectors, "today_shanghai", lambda at=None: date(2026, 11, 26))

    calendar_page = logged_in.get("/admin/stations/holidaycalendar/").content.decode()
    station_page = logged_in.get("/admin/stations/station/").content.decode()

    assert "no dates for 2027" in calendar_page
    assert "no dates for 2027" in station_page


def test_no_warning_once_next_year_is_entered(logged_in, calendar_2026, monkeypatch):
    from stations import selectors

    monkeypatch.setattr(selectors, "today_shanghai", lambda at=None: date(2026, 11, 26))
    HolidayCalendar.objects.create(date=date(2027, 1, 1), kind="statutory_holiday", name="元旦")

    page = logged_in.get("/admin/stations/holidaycalendar/").content.decode()

    assert "no dates for" not in page


def test_admin_saves_nudge_the_screen(logged_in, calendar_2026, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(events, "station_changed_on_commit", lambda station_id: sent.append(station_id))
    station = make_station("shiyiyuan")
    slogan = Slogan.objects.create(station=station, text="旧", position=1)
    form = {
        "name": station.name, "slug": station.slug, "published": "on", "coordinate_system": "wgs84",
        "lat": station.lat, "lng": station.lng, "opening_hours": station.opening_hours, "follows_national_calendar": "on",
        "amenities": station.amenities,
        "slogans-TOTAL_FORMS": "1", "slogans-INITIAL_FORMS": "1", "slogans-0-id": slogan.pk, "slogans-0-station": station.pk,
        "slogans-0-position": "1", "slogans-0-text": "新标语", "slogans-0-active": "on",
        **{f"{p}-{k}": v for p in ("closures", "playlist_items", "photos") for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))},
    }

    r = logged_in.post(f"/admin/stations/station/{station.pk}/change/", form)

    assert r.status_code == 302
    assert Slogan.objects.get(pk=slogan.pk).text == "新标语"
    assert station.pk in sent


def test_admin_delete_nudges_the_screen(logged_in, calendar_2026, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(events, "station_changed_on_commit", lambda station_id: sent.append(station_id))
    station = make_station("shiyiyuan")

    logged_in.post(f"/admin/stations/station/{station.pk}/delete/", {"post": "yes"})

    assert not Station.objects.exists()
    assert sent == [station.pk]

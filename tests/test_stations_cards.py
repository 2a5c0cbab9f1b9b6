"""The station card keeps its fixed part (names, links, amenities) per language, and an
edit to the station, its hours, closures or amenities shows in the next card at once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from common.maps import navigation_links
from stations import selectors, services
from stations.selectors import today_shanghai
from stations.serializers import station_card
from tests.helpers import at, make_station

pytestmark = pytest.mark.django_db
CENTRE = {"lat": 36.45, "lng": 115.98}


def card_of(api, slug: str, *, language: str = "zh-hans") -> dict:
    api.cookies["django_language"] = language
    results = api.get("/api/v1/stations/", CENTRE).json()["results"]
    return next(card for card in results if card["slug"] == slug)


@pytest.fixture
def open_station(db, calendar_2026):
    return make_station("open", name="近站", lat=36.451, lng=115.981, opening_hours="24/7", amenities=["wifi"])


def test_a_renamed_and_moved_station_shows_its_new_name_address_and_links(api, open_station):
    card_of(api, "open")

    services.station_import(slug="open", name="新名字", address="新地址 1 号", lat=36.452, lng=115.982, opening_hours="24/7",
                             published=True)

    card = card_of(api, "open")
    assert (card["name"], card["address"]) == ("新名字", "新地址 1 号")
    assert card["wgs84"] == {"lat": 36.452, "lng": 115.982}
    assert card["navigation"] == navigation_links(lat=36.452, lng=115.982, name="新名字", detail="新地址 1 号",
                                                  source="webapp.luchang.stations")


def test_new_opening_hours_show_in_the_next_card(api, open_station):
    assert card_of(api, "open")["open_state"] == "open"

    services.station_update(station_id=open_station.pk, opening_hours="24/7 off")

    card = card_of(api, "open")
    assert (card["opening_hours"], card["open_state"]) == ("24/7 off", "closed")


def test_a_closure_shows_in_the_next_card_and_its_end_too(api, open_station):
    today = today_shanghai()
    assert card_of(api, "open")["open_state"] == "open"

    closure = services.closure_create(station_id=open_station.pk, start_date=today, end_date=today + timedelta(days=1),
                                      reason="检修")

    closed = card_of(api, "open")
    assert (closed["open_state"], closed["closed_reason"]) == ("closed", "检修")
    services.closure_delete(station_id=open_station.pk, closure_id=closure.pk)
    assert card_of(api, "open")["open_state"] == "open"


def test_closed_now_shows_in_the_next_card(api, open_station):
    card_of(api, "open")

    services.station_set_closed_now(station_id=open_station.pk, closed=True, reason="外出执勤")

    card = card_of(api, "open")
    assert (card["open_state"], card["closed_reason"]) == ("closed", "外出执勤")


def test_new_amenities_show_in_the_next_card(api, open_station):
    assert [item["code"] for item in card_of(api, "open")["amenities"]] == ["wifi"]

    services.station_update(station_id=open_station.pk, amenities=["drinking_water", "restroom"])

    assert [item["code"] for item in card_of(api, "open")["amenities"]] == ["drinking_water", "restroom"]


def test_each_language_gets_its_own_labels(api, open_station):
    services.station_update(station_id=open_station.pk, amenities=["drinking_water"])

    chinese = card_of(api, "open")
    english = card_of(api, "open", language="en")
    again = card_of(api, "open")

    assert english["amenities"][0]["label"] == "Drinking water" and english["state_label"] == "Open"
    assert english["hours_text"].startswith("Open")
    assert chinese["amenities"][0]["label"] != "Drinking water" and chinese["state_label"] != "Open"
    assert not chinese["hours_text"].startswith("Open")
    assert again == chinese


def test_the_open_state_follows_the_clock_while_the_rest_is_kept(open_station, calendar_2026):
    services.station_update(station_id=open_station.pk, opening_hours="Mo-Su 08:00-18:00")

    def card_at(moment: str) -> dict:
        return station_card(selectors.stations_nearest(**CENTRE, limit=1, at=at(moment))[0])

    early, later = card_at("2026-11-02 07:30"), card_at("2026-11-02 09:00")

    assert (early["open_state"], later["open_state"]) == ("closed", "open")
    assert early["hours_text"] != later["hours_text"]
    assert early["navigation"] == later["navigation"] and early["amenities"] == later["amenities"]


def test_the_open_state_changes_on_the_minute_it_opens(open_station, calendar_2026):
    services.station_update(station_id=open_station.pk, opening_hours="Mo-Su 08:00-18:00")

    def state_at(moment: str) -> str:
        return selectors.stations_nearest(**CENTRE, limit=1, at=at(moment))[0].open_state.state

    assert [state_at("2026-11-02 07:59:59.999"), state_at("2026-11-02 08:00"), state_at("2026-11-02 17:59:59")] == [
        "closed", "open", "open"
    ]
    assert state_at("2026-11-02 18:00:00.001") == "closed"

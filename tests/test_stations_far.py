"""The finder says so when no open care station is near (settings.STATION_FINDER_FAR_KM), through the
list API's `far` and the page that renders it."""
from __future__ import annotations

import json
import re

import pytest

from stations import services
from tests.helpers import NEAR_BEISHUN, make_city_station

pytestmark = pytest.mark.django_db

# South of the city: the nearest station, 汽车西站 (open), is 32 km away.
FAR_SOUTH = (36.16, 115.95)


def far_of(client, lat: float, lng: float, **params) -> dict | None:
    answer = client.get("/api/v1/stations/", {"lat": lat, "lng": lng, "open_first": 1, **params})
    assert answer.status_code == 200
    return answer.json()["far"]


def page_config(html: str) -> dict:
    return json.loads(re.search(r'<script id="page-config" type="application/json">(.*?)</script>', html, re.S).group(1))


def close(*stations) -> None:
    for station in stations:
        services.station_set_closed_now(station_id=station.pk, closed=True, reason="外出执勤")


def test_near_an_open_station_there_is_no_hint(client, stations_city):
    assert far_of(client, *NEAR_BEISHUN) is None
    html = client.get("/stations/", {"lat": NEAR_BEISHUN[0], "lng": NEAR_BEISHUN[1], "area": "北顺中队"}).content.decode()
    assert 'id="far-hint"' not in html
    assert page_config(html)["far"] is None


def test_far_from_every_station_the_hint_says_how_far_the_nearest_is(client, stations_city):
    assert far_of(client, *FAR_SOUTH) == {
        "kind": "no_station",
        "radius_km": 10,
        "distance_m": 32074,
        "text": "附近 10 公里内没有爱心驿站，最近的一个在 32 公里外。",
    }


def test_the_page_renders_the_hint_the_api_gives_with_a_way_to_pick_an_area(client, stations_city):
    lat, lng = FAR_SOUTH
    html = client.get("/stations/", {"lat": lat, "lng": lng, "area": "南边"}).content.decode()
    api = client.get("/api/v1/stations/", {"lat": lat, "lng": lng, "limit": 20, "open_first": 1}).json()
    assert page_config(html)["far"] == api["far"]
    hint = re.search(r'<li class="far-hint" id="far-hint" data-kind="no_station">(.*?)</li>', html, re.S).group(1)
    assert "附近 10 公里内没有爱心驿站，最近的一个在 32 公里外。" in hint
    # A picked area may not be where the citizen is.
    assert "如果您不在这里，请选择您所在的区域" in hint
    assert 'href="#areas" data-pick-area>选择您所在的区域</a>' in hint
    # The hint comes before the first card, inside the list.
    assert html.index('id="far-hint"') < html.index('class="station-card')


def test_the_threshold_is_the_setting(client, stations_city, settings):
    settings.STATION_FINDER_FAR_KM = 40
    assert far_of(client, *FAR_SOUTH) is None
    settings.STATION_FINDER_FAR_KM = 30
    assert far_of(client, *FAR_SOUTH)["text"] == "附近 30 公里内没有爱心驿站，最近的一个在 32 公里外。"


def test_stations_near_but_none_open_names_the_nearest_open_one(client, stations_city):
    close(stations_city["dengta"], stations_city["shiyiyuan"], stations_city["qichexizhan"])
    make_city_station("tangyi", "堂邑中队", 36.27, 115.985)  # open, 25 km south
    far = far_of(client, *NEAR_BEISHUN)
    assert far["kind"] == "none_open"
    assert far["text"] == "附近 10 公里内没有正在营业的爱心驿站，最近一个营业中的在 25 公里外。"
    # "Open now" lists the far open station alone, with the same words.
    assert far_of(client, *NEAR_BEISHUN, open_now=1)["text"] == far["text"]


def test_stations_near_and_none_open_anywhere(client, stations_city):
    close(stations_city["dengta"], stations_city["shiyiyuan"], stations_city["qichexizhan"])
    assert far_of(client, *NEAR_BEISHUN) == {
        "kind": "none_open", "radius_km": 10, "distance_m": None, "text": "附近 10 公里内没有正在营业的爱心驿站。",
    }
    # With "open now" the list is empty, and the hint still says why.
    answer = client.get("/api/v1/stations/", {"lat": NEAR_BEISHUN[0], "lng": NEAR_BEISHUN[1], "open_now": 1}).json()
    assert answer["results"] == [] and answer["far"]["text"] == "附近 10 公里内没有正在营业的爱心驿站。"


def test_an_open_station_near_but_past_the_listed_ones_means_no_hint(client, stations_city):
    # Only the nearest station is listed, and it is closed; 灯塔 (open) is 3 km away.
    answer = client.get("/api/v1/stations/", {"lat": NEAR_BEISHUN[0], "lng": NEAR_BEISHUN[1], "limit": 1}).json()
    assert [item["slug"] for item in answer["results"]] == ["beishun"]
    assert answer["far"] is None


def test_with_amenities_only_stations_that_have_them_count(client, stations_city):
    # Only 汽车西站 has e-bike charging: 7 km from 北顺, 32 km from FAR_SOUTH.
    assert far_of(client, *NEAR_BEISHUN, amenity="ebike_charging") is None
    assert far_of(client, *FAR_SOUTH, amenity="ebike_charging")["text"] == (
        "附近 10 公里内没有符合条件的爱心驿站，最近的一个在 32 公里外。"
    )


def test_no_station_at_all_gives_no_hint_and_the_empty_list_says_so(client, stations_city):
    assert far_of(client, *FAR_SOUTH, amenity="reading") is None
    html = client.get("/stations/", {"lat": FAR_SOUTH[0], "lng": FAR_SOUTH[1], "area": "南边", "amenity": "reading"})
    text = html.content.decode()
    assert 'id="far-hint"' not in text and '<li class="empty">' in text


def test_without_a_position_there_is_no_hint(client, stations_city):
    assert client.get("/api/v1/stations/").json()["far"] is None


def test_the_hint_in_english(client, stations_city):
    client.cookies["django_language"] = "en"
    assert far_of(client, *FAR_SOUTH)["text"] == "There is no care station within 10 km. The nearest one is 32 km away."

"""The finder page and the list API share one station card, and the page's choices live in its URL."""
from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from tests.helpers import NEAR_BEISHUN

pytestmark = pytest.mark.django_db


def page_config(html: str) -> dict:
    return json.loads(re.search(r'<script id="page-config" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_the_page_embeds_exactly_the_cards_the_api_gives(client, stations_city):
    lat, lng = NEAR_BEISHUN
    html = client.get("/stations/", {"lat": lat, "lng": lng, "area": "北部"}).content.decode()
    api = client.get("/api/v1/stations/", {"lat": lat, "lng": lng, "limit": 20, "open_first": 1}).json()
    assert page_config(html)["stations"] == api["results"]


def test_the_api_can_list_open_stations_first(client, stations_city):
    lat, lng = NEAR_BEISHUN
    nearest = client.get("/api/v1/stations/", {"lat": lat, "lng": lng}).json()["results"]
    open_first = client.get("/api/v1/stations/", {"lat": lat, "lng": lng, "open_first": "true"}).json()["results"]
    assert nearest[0]["slug"] == "beishun"  # the nearest, closed
    assert [item["slug"] for item in open_first] == ["dengta", "shiyiyuan", "qichexizhan", "beishun"]


def test_area_links_keep_the_chosen_filters(client, stations_city):
    html = client.get("/stations/", {"open_now": "1", "amenity": "wifi"}).content.decode()
    href = unescape(re.search(r'<a href="([^"]+)" data-lat="[^"]+" data-lng="[^"]+" data-label="北顺中队"', html).group(1))
    query = parse_qs(urlparse(href).query)
    assert query["area"] == ["北顺中队"] and query["open_now"] == ["1"] and query["amenity"] == ["wifi"]
    assert urlparse(href).path == "/stations/"


def test_a_picked_area_is_named_in_the_folded_picker(client, stations_city):
    lat, lng = NEAR_BEISHUN
    html = client.get("/stations/", {"lat": lat, "lng": lng, "area": "北顺中队"}).content.decode()
    assert '<details class="areas" id="areas">' in html  # folded: the stations come right after it
    assert '<span id="area-chosen">区域：北顺中队</span>' in html
    assert 'aria-current="true">北顺中队</a>' in html


def test_without_an_area_the_picker_is_on_the_page_from_the_start(client, stations_city):
    html = client.get("/stations/").content.decode()
    assert '<details class="areas" id="areas">' in html and "选择您所在的区域" in html
    assert 'id="areas" hidden' not in html


def test_finder_and_station_pages_have_a_meta_description(client, stations_city):
    def description(path: str) -> str:
        html = client.get(path).content.decode()
        return unescape(re.search(r'<meta name="description" content="([^"]+)">', html).group(1))

    assert "聊城市" in description("/stations/") and "爱心驿站" in description("/stations/")
    assert "市医院中队" in description("/stations/shiyiyuan/") and "聊城市东昌府区市医院中队" in description("/stations/shiyiyuan/")

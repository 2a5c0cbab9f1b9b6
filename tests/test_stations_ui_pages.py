"""Citizens' pages of the care stations: finder, station page, kiosk screen."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from common.gcj02 import wgs84_to_gcj02
from tests.helpers import NEAR_BEISHUN

pytestmark = pytest.mark.django_db


def card_slugs(html: str) -> list[str]:
    return re.findall(r'class="station-card[^"]*" data-slug="([^"]+)"', html)


def test_finder_renders_for_anonymous_nearest_to_the_city_centre_first(client, stations_city):
    response = client.get("/stations/")
    assert response.status_code == 200
    html = response.content.decode()
    slugs = card_slugs(html)
    assert slugs[0] == "shiyiyuan"
    assert "huxi" not in slugs  # unpublished
    assert "市医院中队" in html
    assert 'id="page-config"' in html


def test_finder_with_a_picked_area_lists_the_nearest_open_station_first(client, stations_city):
    lat, lng = NEAR_BEISHUN
    response = client.get("/stations/", {"lat": lat, "lng": lng, "area": "北部"})
    slugs = card_slugs(response.content.decode())
    # Beishun is nearest but closed: it goes after every open station.
    assert slugs == ["dengta", "shiyiyuan", "qichexizhan", "beishun"]


def test_finder_open_now_filter_leaves_out_closed_stations(client, stations_city):
    lat, lng = NEAR_BEISHUN
    response = client.get("/stations/", {"lat": lat, "lng": lng, "open_now": "1"})
    slugs = card_slugs(response.content.decode())
    assert "beishun" not in slugs
    assert slugs[0] == "dengta"


def test_finder_amenity_filter(client, stations_city):
    response = client.get("/stations/", {"amenity": "repair_tools"})
    assert card_slugs(response.content.decode()) == ["qichexizhan"]


def cards_by_slug(html: str) -> dict[str, str]:
    return {re.match(r'[^"]*" data-slug="([^"]+)"', part).group(1): part for part in html.split('<li class="station-card')[1:]}


def test_finder_offers_navigation_to_a_closed_station_with_its_opening_time(client, stations_city):
    from stations import services
    from stations.selectors import today_shanghai

    # Closed all of today by a closure; the hours open it again tomorrow at 08:00.
    dengta = stations_city["dengta"]
    services.station_update(station_id=dengta.pk, opening_hours="Mo-Su 08:00-20:00")
    services.closure_create(station_id=dengta.pk, start_date=today_shanghai(), end_date=today_shanghai(), reason="培训")
    cards = cards_by_slug(client.get("/stations/").content.decode())
    assert "uri.amap.com" in cards["shiyiyuan"]
    assert "uri.amap.com" in cards["dengta"] and "明天 08:00 开门" in cards["dengta"]
    # Closed "now" by its manager: still a way there, but no opening time to promise.
    assert "uri.amap.com" in cards["beishun"] and "开门" not in cards["beishun"]


def test_finder_survives_nonsense_coordinates(client, stations_city):
    response = client.get("/stations/", {"lat": "abc", "lng": "1e999", "amenity": "nope"})
    assert response.status_code == 200
    assert card_slugs(response.content.decode())[0] == "shiyiyuan"


def link_query(html: str, prefix: str) -> dict[str, list[str]]:
    href = re.search(r'href="(' + re.escape(prefix) + r'[^"]+)"', html).group(1).replace("&amp;", "&")
    return parse_qs(urlparse(href).query)


def test_station_page_renders_for_anonymous_with_hours_call_and_navigation(client, stations_city):
    station = stations_city["shiyiyuan"]
    response = client.get("/stations/shiyiyuan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:06358888001"' in html
    assert html.count("<tr") == 7
    amap = link_query(html, "https://uri.amap.com/marker?")
    assert amap["position"] == [f"{station.lng:.6f},{station.lat:.6f}"]
    assert amap["coordinate"] == ["wgs84"] and amap["name"] == ["市医院中队"]
    baidu = link_query(html, "https://api.map.baidu.com/marker?")
    assert baidu["location"] == [f"{station.lat:.6f},{station.lng:.6f}"] and baidu["coord_type"] == ["wgs84"]
    # Apple Maps reads coordinates in China as GCJ-02.
    apple = link_query(html, "https://maps.apple.com/?")
    gcj_lat, gcj_lng = wgs84_to_gcj02(station.lat, station.lng)
    assert apple["ll"] == [f"{gcj_lat:.6f},{gcj_lng:.6f}"]
    assert f'href="geo:{station.lat:.6f},{station.lng:.6f}?q=' in html


def test_station_page_has_schema_org_json_ld(client, stations_city):
    html = client.get("/stations/shiyiyuan/").content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "CivicStructure"
    assert data["geo"]["latitude"] == pytest.approx(36.4561)
    assert data["geo"]["longitude"] == pytest.approx(115.9854)
    assert len(data["openingHoursSpecification"]) >= 7
    assert data["openingHoursSpecification"][0]["opens"] == "00:00"


def tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xcc\x00")) + chunk(b"IEND", b"")


def test_station_page_shows_photos(client, stations_city, media_root):
    from django.core.files.base import ContentFile

    from stations.models import StationPhoto

    photo = StationPhoto(station=stations_city["shiyiyuan"], caption="门口")
    photo.image.save("door.png", ContentFile(tiny_png()), save=True)
    html = client.get("/stations/shiyiyuan/").content.decode()
    assert f'src="{photo.image.url}"' in html and "门口" in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["image"] == [f"http://testserver{photo.image.url}"]


def test_unpublished_station_page_is_404(client, stations_city):
    assert client.get("/stations/huxi/").status_code == 404
    assert client.get("/stations/no-such-station/").status_code == 404


def test_screen_page_carries_its_playlist_and_slogans(client, screen_station):
    response = client.get("/stations/shiyiyuan/screen/")
    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(re.search(r'<script id="page-config" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert [item["title"] for item in config["payload"]["playlist"]] == ["安全头盔", "礼让行人"]
    assert config["payload"]["slogans"][0]["text"] == "一盔一带 安全常在"
    assert config["wsPath"] == "/ws/stations/shiyiyuan/screen/"
    assert "muted" in html and "playsinline" in html


def test_screen_page_of_an_empty_playlist_shows_the_standby_slide(client, stations_city):
    html = client.get("/stations/dengta/screen/").content.decode()
    assert 'id="standby"' in html and 'id="standby" hidden' not in html


def test_pages_speak_chinese_by_default_and_english_on_request(client, stations_city):
    html = client.get("/stations/").content.decode()
    assert "查找爱心驿站" in html and "选择您所在的区域" in html
    config = json.loads(re.search(r'<script id="page-config" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert config["labels"]["states"] == {"open": "营业中", "closed": "已关门", "unknown": "时间待定"}
    assert "导航前往" in client.get("/stations/shiyiyuan/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Find a care station" in client.get("/stations/").content.decode()


def test_station_page_week_shows_holidays_and_make_up_workdays(client, stations_city):
    from datetime import timedelta

    from stations.models import HolidayCalendar
    from stations.selectors import today_shanghai

    station = stations_city["shiyiyuan"]
    station.opening_hours = "Mo-Fr 08:00-18:00; Sa,Su off; PH off"
    station.save()
    today = today_shanghai()
    holiday = today + timedelta(days=1)
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    if saturday == holiday:
        saturday += timedelta(days=7)
    HolidayCalendar.objects.create(date=holiday, kind="statutory_holiday", name="测试节")
    HolidayCalendar.objects.create(date=saturday, kind="makeup_workday", name="测试节调休")
    html = client.get("/stations/shiyiyuan/").content.decode()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    by_date = {day: row for day in (holiday, saturday) for row in rows if f"{day.month}/{day.day}<" in row}
    assert "测试节" in by_date[holiday] and "08:00" not in by_date[holiday]
    if saturday - today <= timedelta(days=6):  # within the week shown
        assert "测试节调休" in by_date[saturday] and "08:00" in by_date[saturday]


def test_finder_gives_up_on_a_position_after_ten_seconds_unless_configured(client, settings, stations_city):
    def finder_config() -> dict:
        html = client.get("/stations/").content.decode()
        return json.loads(re.search(r'<script id="page-config" type="application/json">(.*?)</script>', html, re.S).group(1))

    assert finder_config()["geolocationTimeoutMs"] == 10_000
    # Test servers shorten it through the setting; finder.js takes it from the page.
    settings.STATION_FINDER_GEOLOCATION_TIMEOUT_S = 2
    assert finder_config()["geolocationTimeoutMs"] == 2_000

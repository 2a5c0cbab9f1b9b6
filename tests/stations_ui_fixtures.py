"""Care stations for the stations UI tests, around Liaocheng (36.45 N, 115.98 E).

Open and closed states must not depend on the clock the tests run at, so open
stations use "24/7" and closed ones the "closed now" switch.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from stations.models import PlaylistItem, SafetyVideo, Slogan, Station

DATA = Path(__file__).resolve().parent / "data"

# A point in the city where the closed station is the nearest of all.
NEAR_BEISHUN = (36.4950, 115.9850)


def make_station(slug: str, name: str, lat: float, lng: float, **fields) -> Station:
    fields.setdefault("opening_hours", "24/7")
    fields.setdefault("published", True)
    fields.setdefault("amenities", ["drinking_water", "phone_charging"])
    return Station.objects.create(slug=slug, name=name, lat=lat, lng=lng, address=f"聊城市东昌府区{name}", phone="0635-8888001", **fields)


@pytest.fixture
def stations_city(db, station_manager, other_station_manager) -> dict[str, Station]:
    shiyiyuan = make_station("shiyiyuan", "市医院中队", 36.4561, 115.9854, amenities=["cooling", "drinking_water", "restroom", "wifi"])
    shiyiyuan.managers.add(station_manager)
    dengta = make_station("dengta", "灯塔中队", 36.4700, 115.9700)
    dengta.managers.add(other_station_manager)
    # Nearest to NEAR_BEISHUN but closed: the finder must put the open one first.
    beishun = make_station("beishun", "北顺中队", 36.4945, 115.9852, closed_now=True, closed_reason="外出执勤")
    huxi = make_station("huxi", "湖西中队", 36.4400, 115.9500, published=False)
    qichezhan = make_station("qichexizhan", "汽车西站交管服务网点", 36.4480, 115.9300, amenities=["ebike_charging", "repair_tools"])
    return {"shiyiyuan": shiyiyuan, "dengta": dengta, "beishun": beishun, "huxi": huxi, "qichexizhan": qichezhan}


def make_video(title: str, filename: str) -> SafetyVideo:
    video = SafetyVideo(title=title, duration_seconds=2)
    video.file.save(filename, ContentFile((DATA / filename).read_bytes()), save=False)
    video.save()
    return video


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def screen_station(stations_city, media_root) -> Station:
    station = stations_city["shiyiyuan"]
    first = make_video("安全头盔", "safety-1.webm")
    second = make_video("礼让行人", "safety-2.webm")
    PlaylistItem.objects.create(station=station, video=first, position=0)
    PlaylistItem.objects.create(station=station, video=second, position=1)
    Slogan.objects.create(station=station, text="一盔一带 安全常在", position=0)
    return station

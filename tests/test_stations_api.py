"""The public stations API: search, detail, GeoJSON, screen payload, manager writes, schema."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from common.gcj02 import wgs84_to_gcj02
from stations import hours
from stations.models import Closure, PlaylistItem, SafetyVideo, Slogan, Station
from stations.selectors import today_shanghai
from tests.helpers import make_station

pytestmark = pytest.mark.django_db
CENTRE = {"lat": 36.45, "lng": 115.98}
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def always_open(db, calendar_2026):
    return {
        "near": make_station("near", name="近站", lat=36.451, lng=115.981, opening_hours="24/7", amenities=["wifi"]),
        "middle": make_station("middle", name="中站", lat=36.46, lng=115.99, opening_hours="24/7 off"),
        "far": make_station("far", name="远站", lat=36.60, lng=116.20, opening_hours="24/7", amenities=["wifi", "restroom"]),
        "hidden": make_station("hidden", name="未发布", lat=36.4501, lng=115.9801, opening_hours="24/7", published=False),
    }


def test_list_is_sorted_by_distance_with_every_field(api, always_open):
    r = api.get("/api/v1/stations/", CENTRE)

    assert r.status_code == 200
    body = r.json()
    assert [item["slug"] for item in body["results"]] == ["near", "middle", "far"]
    first = body["results"][0]
    assert set(first) >= {
        "slug", "name", "address", "phone", "wgs84", "gcj02", "distance_m", "open_state", "next_change",
        "hours_text", "closed_reason", "amenities", "opening_hours", "url",
    }
    assert first["wgs84"] == {"lat": 36.451, "lng": 115.981}
    gcj_lat, gcj_lng = wgs84_to_gcj02(36.451, 115.981)
    assert first["gcj02"] == {"lat": round(gcj_lat, 7), "lng": round(gcj_lng, 7)}
    assert 100 < first["distance_m"] < 200
    assert first["open_state"] == "open"
    assert first["amenities"] == [{"code": "wifi", "label": "Wi-Fi", "icon": "📶"}]
    assert body["results"][1]["open_state"] == "closed"


def test_open_now_and_amenity_filters(api, always_open):
    open_only = api.get("/api/v1/stations/", {**CENTRE, "open_now": "true"}).json()["results"]
    with_restroom = api.get("/api/v1/stations/", {**CENTRE, "amenity": "wifi,restroom"}).json()["results"]
    repeated = api.get("/api/v1/stations/?lat=36.45&lng=115.98&amenity=wifi&amenity=restroom").json()["results"]

    assert [item["slug"] for item in open_only] == ["near", "far"]
    assert [item["slug"] for item in with_restroom] == ["far"]
    assert repeated == with_restroom


def test_list_without_position_is_by_name(api, always_open):
    results = api.get("/api/v1/stations/").json()["results"]

    assert sorted(item["slug"] for item in results) == ["far", "middle", "near"]
    assert all(item["distance_m"] is None for item in results)


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"lat": "abc", "lng": "115"}, "lat must be a number"),
        ({"lat": "36.4"}, "both lat and lng"),
        ({"lat": "91", "lng": "115"}, "between -90 and 90"),
        ({"lat": "nan", "lng": "115"}, "finite"),
        ({**CENTRE, "limit": "0"}, "limit must be between 1 and 100"),
        ({**CENTRE, "limit": "ten"}, "whole number"),
        ({**CENTRE, "amenity": "sauna"}, "Unknown amenity"),
        ({**CENTRE, "open_now": "maybe"}, "open_now must be true or false"),
    ],
)
def test_bad_parameters_are_400_with_a_message(api, db, params, fragment):
    api.cookies["django_language"] = "en"
    r = api.get("/api/v1/stations/", params)

    assert r.status_code == 400
    assert fragment in r.json()["detail"]
    assert r.json()["code"]


def test_bad_parameter_message_is_chinese_by_default(api, db):
    r = api.get("/api/v1/stations/", {"lat": "abc", "lng": "115"})

    assert r.status_code == 400
    assert r.json()["detail"] == "lat 必须是数字，收到的是“abc”。"


def test_detail_of_published_station_has_week_and_closures(api, station):
    Closure.objects.create(
        station=station, start_date=today_shanghai() + timedelta(days=2),
        end_date=today_shanghai() + timedelta(days=3), reason="装修",
    )

    r = api.get(f"/api/v1/stations/{station.slug}/")

    assert r.status_code == 200
    body = r.json()
    assert len(body["week"]) == 7
    assert body["week"][2]["kind"] == "closure"
    assert body["closures"][0]["reason"] == "装修"
    assert body["follows_national_calendar"] is True
    assert body["distance_m"] is None


def test_unpublished_station_is_404_except_for_its_manager(api, managed_station, station_manager):
    Station.objects.filter(pk=managed_station.pk).update(published=False)

    assert api.get(f"/api/v1/stations/{managed_station.slug}/").status_code == 404
    api.force_authenticate(station_manager)
    assert api.get(f"/api/v1/stations/{managed_station.slug}/").status_code == 200


def test_geojson_lists_published_points_in_lng_lat_order(api, always_open):
    r = api.get("/api/v1/stations.geojson")

    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection"
    by_slug = {feature["properties"]["slug"]: feature for feature in body["features"]}
    assert set(by_slug) == {"near", "middle", "far"}
    assert by_slug["near"]["geometry"] == {"type": "Point", "coordinates": [115.981, 36.451]}
    assert by_slug["near"]["properties"]["open_state"] == "open"


def test_screen_payload_has_playlist_slogans_and_hours(api, station, media):
    today = today_shanghai()
    video = SafetyVideo(title="头盔", duration_seconds=30)
    video.file.save("helmet.mp4", ContentFile(MP4_HEAD), save=False)
    video.save()
    expired = SafetyVideo.objects.create(title="旧片", file=video.file.name, duration_seconds=10)
    PlaylistItem.objects.create(station=station, video=video, position=1)
    PlaylistItem.objects.create(station=station, video=expired, position=2, end_date=today - timedelta(days=1))
    Slogan.objects.create(station=station, text="一盔一带", position=1)
    Slogan.objects.create(station=station, text="停用", position=2, active=False)

    r = api.get(f"/api/v1/stations/{station.slug}/screen/")

    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    body = r.json()
    assert body["station"] == {"slug": station.slug, "name": station.name}
    assert [item["title"] for item in body["playlist"]] == ["头盔"]
    assert body["playlist"][0]["src"].startswith("/media/stations/videos/helmet")
    assert body["playlist"][0]["mime"] == "video/mp4"
    assert [slogan["text"] for slogan in body["slogans"]] == ["一盔一带"]
    assert body["open_state"] in ("open", "closed")
    assert body["today"]["date"] == today.isoformat()
    assert body["version"]


def test_screen_version_changes_when_a_slogan_is_added(api, managed_station, station_manager):
    before = api.get(f"/api/v1/stations/{managed_station.slug}/screen/").json()["version"]
    api.force_authenticate(station_manager)
    api.post(f"/api/v1/stations/{managed_station.slug}/slogans/", {"text": "新标语"}, format="json")
    api.force_authenticate(None)

    after = api.get(f"/api/v1/stations/{managed_station.slug}/screen/").json()

    assert after["version"] != before
    assert [slogan["text"] for slogan in after["slogans"]] == ["新标语"]


def test_manager_patches_hours_closed_now_and_amenities(api, managed_station, station_manager):
    api.force_authenticate(station_manager)

    r = api.patch(
        f"/api/v1/stations/{managed_station.slug}/",
        {"opening_hours": "Mo-Su 06:00-22:00", "closed_now": True, "closed_reason": "停电", "amenities": ["wifi", "cooling"]},
        format="json",
    )

    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["open_state"] == "closed"
    assert body["closed_reason"] == "停电"
    assert [item["code"] for item in body["amenities"]] == ["cooling", "wifi"]
    managed_station.refresh_from_db()
    assert managed_station.opening_hours == "Mo-Su 06:00-22:00"
    assert managed_station.closed_now is True


def test_invalid_hours_are_rejected_and_nothing_changes(api, managed_station, station_manager):
    api.force_authenticate(station_manager)

    r = api.patch(f"/api/v1/stations/{managed_station.slug}/", {"opening_hours": "Mo-Fr 8-18"}, format="json")

    assert r.status_code == 400
    assert "opening_hours" in r.json()["fields"]
    assert "Mo-Fr 8-18" not in r.json()["fields"]["opening_hours"][0]
    managed_station.refresh_from_db()
    assert managed_station.opening_hours.startswith("Mo-Fr 08:00-18:00")


def test_manager_may_not_publish(api, managed_station, station_manager):
    api.force_authenticate(station_manager)

    r = api.patch(f"/api/v1/stations/{managed_station.slug}/", {"published": False}, format="json")

    assert r.status_code == 403
    managed_station.refresh_from_db()
    assert managed_station.published is True


def test_closures_playlist_and_slogans_round_trip(api, managed_station, station_manager, media):
    api.force_authenticate(station_manager)
    base = f"/api/v1/stations/{managed_station.slug}"
    videos = []
    for title in ("一", "二", "三"):
        video = SafetyVideo(title=title)
        video.file.save(f"{title}.mp4", ContentFile(MP4_HEAD), save=False)
        video.save()
        videos.append(video)

    closure = api.post(f"{base}/closures/", {"start_date": "2026-12-01", "end_date": "2026-12-03", "reason": "装修"}, format="json")
    bad_closure = api.post(f"{base}/closures/", {"start_date": "2026-12-03", "end_date": "2026-12-01", "reason": "x"}, format="json")
    items = [api.post(f"{base}/playlist/", {"video_id": video.pk}, format="json").json() for video in videos]
    reordered = api.put(f"{base}/playlist/order/", {"item_ids": [items[2]["id"], items[0]["id"], items[1]["id"]]}, format="json")
    bad_order = api.put(f"{base}/playlist/order/", {"item_ids": [items[0]["id"]]}, format="json")
    window = api.patch(f"{base}/playlist/{items[1]['id']}/", {"start_date": "2026-12-01", "end_date": None}, format="json")
    removed = api.delete(f"{base}/playlist/{items[0]['id']}/")
    deleted = api.delete(f"{base}/closures/{closure.json()['id']}/")

    assert closure.status_code == 201
    assert bad_closure.status_code == 400
    assert [item["video"]["title"] for item in reordered.json()] == ["三", "一", "二"]
    assert bad_order.status_code == 400
    assert window.json()["start_date"] == "2026-12-01"
    assert removed.status_code == 204
    assert deleted.status_code == 204
    playlist = api.get(f"{base}/playlist/").json()
    assert [(item["position"], item["video"]["title"]) for item in playlist] == [(1, "三"), (2, "二")]


def test_writes_nudge_the_screen_after_commit(
    api, managed_station, station_manager, monkeypatch, django_capture_on_commit_callbacks
):
    from stations import events

    # events.send is the one call that reaches the channel layer.
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(events, "send", lambda group, message: sent.append((group, message)))
    api.force_authenticate(station_manager)

    with django_capture_on_commit_callbacks() as after_commit:
        patched = api.patch(f"/api/v1/stations/{managed_station.slug}/", {"closed_now": True}, format="json")
        created = api.post(f"/api/v1/stations/{managed_station.slug}/slogans/", {"text": "慢行"}, format="json")
    assert (patched.status_code, created.status_code) == (200, 201)
    # The test's transaction has not committed: nothing may have left yet.
    assert sent == []

    for callback in after_commit:
        callback()
    nudge = (events.station_group(managed_station.pk), events.station_changed_message(managed_station.pk))
    assert sent == [nudge, nudge]


def test_openapi_schema_generates_without_errors():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)

    assert "/api/v1/stations/" in schema["paths"]
    assert "/api/v1/stations/{slug}/screen/" in schema["paths"]
    assert "patch" in schema["paths"]["/api/v1/stations/{slug}/"]


def test_next_change_is_shanghai_time(api, db, calendar_2026):
    make_station("night", opening_hours="Mo-Su 22:00-02:00")

    item = api.get("/api/v1/stations/", CENTRE).json()["results"][0]

    assert item["next_change"].endswith("+08:00")
    moment = timezone.datetime.fromisoformat(item["next_change"])
    assert moment.astimezone(hours.SHANGHAI).strftime("%H:%M") in ("22:00", "02:00")
    assert date.fromisoformat(item["next_change"][:10]) >= today_shanghai() - timedelta(days=1)


def test_amenity_labels_follow_the_language_of_each_request():
    """The labels are translated once per language and kept: a Chinese answer never leaks into an English one."""
    from django.utils import translation

    from stations import amenities

    with translation.override("zh-hans"):
        chinese = amenities.describe(["drinking_water", "restroom"])
    with translation.override("en"):
        english = amenities.describe(["drinking_water", "restroom"])
    with translation.override("zh-hans"):
        again = amenities.describe(["drinking_water", "restroom"])
    assert [item["label"] for item in english] == ["Drinking water", "Restroom"]
    assert [item["label"] for item in chinese] == [item["label"] for item in again]
    assert chinese[0]["label"] != "Drinking water" and chinese[0]["icon"] == "🚰"

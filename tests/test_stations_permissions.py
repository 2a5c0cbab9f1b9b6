"""Who may write a station: its managers and admins; other managers see 404, others 403, anonymous 401."""
from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from stations.models import Closure, PlaylistItem, SafetyVideo, Slogan, Station
from tests.helpers import make_station

pytestmark = pytest.mark.django_db
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


@pytest.fixture
def world(db, calendar_2026, station_manager, other_station_manager, settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    station = make_station("shiyiyuan", name="市医院中队")
    station.managers.add(station_manager)
    other = make_station("dengta", name="灯塔中队")
    other.managers.add(other_station_manager)
    video = SafetyVideo(title="头盔")
    video.file.save("helmet.mp4", ContentFile(MP4_HEAD), save=False)
    video.save()
    item = PlaylistItem.objects.create(station=station, video=video, position=1)
    slogan = Slogan.objects.create(station=station, text="一盔一带", position=1)
    closure = Closure.objects.create(station=station, start_date="2026-12-01", end_date="2026-12-02", reason="装修")
    return {"station": station, "video": video, "item": item, "slogan": slogan, "closure": closure}


def writes(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/api/v1/stations/{world['station'].slug}"
    return [
        ("patch", f"{base}/", {"closed_now": True, "closed_reason": "测试"}),
        ("get", f"{base}/closures/", None),
        ("post", f"{base}/closures/", {"start_date": "2026-12-10", "end_date": "2026-12-11", "reason": "检修"}),
        ("patch", f"{base}/closures/{world['closure'].pk}/", {"reason": "改"}),
        ("delete", f"{base}/closures/{world['closure'].pk}/", None),
        ("get", f"{base}/playlist/", None),
        ("post", f"{base}/playlist/", {"video_id": world["video"].pk}),
        ("put", f"{base}/playlist/order/", {"item_ids": [world["item"].pk]}),
        ("patch", f"{base}/playlist/{world['item'].pk}/", {"start_date": "2026-12-01"}),
        ("delete", f"{base}/playlist/{world['item'].pk}/", None),
        ("get", f"{base}/slogans/", None),
        ("post", f"{base}/slogans/", {"text": "新"}),
        ("put", f"{base}/slogans/order/", {"slogan_ids": [world["slogan"].pk]}),
        ("patch", f"{base}/slogans/{world['slogan'].pk}/", {"active": False}),
        ("delete", f"{base}/slogans/{world['slogan'].pk}/", None),
    ]


def call(api, method: str, url: str, body: dict[str, Any] | None):  # type: ignore[no-untyped-def]
    return getattr(api, method)(url, body, format="json") if body is not None else getattr(api, method)(url)


def unchanged(world: dict[str, Any]) -> bool:
    station = Station.objects.get(pk=world["station"].pk)
    return (
        station.closed_now is False
        and list(station.closures.values_list("reason", flat=True)) == ["装修"]
        and list(station.playlist_items.values_list("pk", flat=True)) == [world["item"].pk]
        and list(station.slogans.values_list("text", "active")) == [("一盔一带", True)]
    )


@pytest.mark.parametrize("index", range(15))
def test_anonymous_gets_401(api, world, index):
    method, url, body = writes(world)[index]

    r = call(api, method, url, body)

    assert r.status_code == 401
    assert unchanged(world)


@pytest.mark.parametrize("persona", ["officer", "dispatcher"])
@pytest.mark.parametrize("index", range(15))
def test_other_roles_get_403(api, world, request, persona, index):
    person = request.getfixturevalue(persona)
    api.force_authenticate(getattr(person, "user", person))
    method, url, body = writes(world)[index]

    r = call(api, method, url, body)

    assert r.status_code == 403
    assert unchanged(world)


@pytest.mark.parametrize("index", range(15))
def test_manager_of_another_station_gets_404(api, world, other_station_manager, index):
    api.force_authenticate(other_station_manager)
    method, url, body = writes(world)[index]

    r = call(api, method, url, body)

    assert r.status_code == 404
    assert unchanged(world)


@pytest.mark.parametrize("persona", ["station_manager", "admin"])
@pytest.mark.parametrize("index", range(15))
def test_own_manager_and_admin_may_write(api, world, request, persona, index):
    api.force_authenticate(request.getfixturevalue(persona))
    method, url, body = writes(world)[index]

    r = call(api, method, url, body)

    assert r.status_code in (200, 201, 204), r.content


def test_token_authentication_works_for_managers(api, world, station_manager):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=station_manager)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    r = api.patch(f"/api/v1/stations/{world['station'].slug}/", {"closed_now": True}, format="json")

    assert r.status_code == 200


def test_managed_list_shows_only_own_stations(api, world, station_manager, admin, officer):
    api.force_authenticate(station_manager)
    own = [item["slug"] for item in api.get("/api/v1/manage/stations/").json()]
    api.force_authenticate(admin)
    every = [item["slug"] for item in api.get("/api/v1/manage/stations/").json()]
    api.force_authenticate(officer.user)
    officer_status = api.get("/api/v1/manage/stations/").status_code

    assert own == ["shiyiyuan"]
    assert sorted(every) == ["dengta", "shiyiyuan"]
    assert officer_status == 403


def test_manager_cannot_touch_another_stations_items_through_own_url(api, world, other_station_manager):
    other = Station.objects.get(slug="dengta")
    api.force_authenticate(other_station_manager)

    r = api.delete(f"/api/v1/stations/{other.slug}/slogans/{world['slogan'].pk}/")

    assert r.status_code == 404
    assert Slogan.objects.filter(pk=world["slogan"].pk).exists()


def test_public_reads_need_no_login(api, world):
    assert api.get("/api/v1/stations/").status_code == 200
    assert api.get(f"/api/v1/stations/{world['station'].slug}/").status_code == 200
    assert api.get("/api/v1/stations.geojson").status_code == 200
    assert api.get(f"/api/v1/stations/{world['station'].slug}/screen/").status_code == 200

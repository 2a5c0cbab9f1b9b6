"""The admin's bulk actions and the import write through the services: the station is
marked changed and its screen is nudged after the commit, like any other write."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from stations import events
from stations.models import PlaylistItem, SafetyVideo, Station
from stations.transfer import import_text

pytestmark = pytest.mark.django_db

HEADER = "slug,name,address,phone,description,lat,lng,coordinate_system,amenities,opening_hours,follows_national_calendar,published,managers\n"


@pytest.fixture
def pushed(monkeypatch) -> list[tuple[str, dict]]:
    """Messages that reached the channel layer (only after a commit, see events)."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(events, "send", lambda group, message: sent.append((group, message)))
    return sent


def station(slug: str, **fields) -> Station:
    return Station.objects.create(slug=slug, name=slug, lat=36.45, lng=115.98, opening_hours="24/7", **fields)


def test_publish_action_touches_and_nudges_after_commit(client, admin, pushed, django_capture_on_commit_callbacks):
    first, second = station("one"), station("two")
    before = first.updated_at
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/admin/stations/station/", {"action": "publish", "_selected_action": [first.pk, second.pk]})
        assert pushed == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()
    assert Station.objects.filter(published=True).count() == 2
    assert Station.objects.get(pk=first.pk).updated_at > before
    assert sorted(group for group, _message in pushed) == [events.station_group(first.pk), events.station_group(second.pk)]


def test_import_nudges_each_station_after_commit(pushed, django_capture_on_commit_callbacks):
    get_user_model().objects.create_user("station_manager")
    text = HEADER + "shiyiyuan,市医院中队,东昌西路67号,,,36.4565,115.9740,wgs84,wifi,24/7,true,true,station_manager\n"

    with django_capture_on_commit_callbacks(execute=True):
        report = import_text(text, fmt="csv")

    imported = Station.objects.get(slug="shiyiyuan")
    assert report.created == ["shiyiyuan"] and imported.managers.count() == 1
    assert pushed == [(events.station_group(imported.pk), events.station_changed_message(imported.pk))]


def test_a_changed_library_video_nudges_only_the_stations_that_play_it(pushed, django_capture_on_commit_callbacks):
    from stations import services

    playing, idle = station("playing"), station("idle")
    video = SafetyVideo.objects.create(title="安全头盔", file="videos/a.mp4")
    PlaylistItem.objects.create(station=playing, video=video, position=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.safety_video_changed(video_id=video.pk)

    assert pushed == [(events.station_group(playing.pk), events.station_changed_message(playing.pk))]
    assert idle.pk not in [message["station_id"] for _group, message in pushed]

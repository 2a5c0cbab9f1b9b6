"""The position track: read by dispatchers and admins only, kept POSITION_TRACK_RETENTION_DAYS."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fieldapp.models import TrackFix


@pytest.fixture
def track(officer) -> list[TrackFix]:
    now = timezone.now()
    return TrackFix.objects.bulk_create([
        TrackFix(officer=officer, lat=36.4 + n / 100, lng=115.9, accuracy_m=5.0, device_at=now - timedelta(minutes=n, seconds=2),
                 at=now - timedelta(minutes=n))
        for n in range(5)
    ])


def url(officer, **query: str) -> str:
    params = "&".join(f"{name}={value.replace('+', '%2B')}" for name, value in query.items())
    return f"/api/v1/officers/{officer.pk}/track/?{params}"


def test_a_dispatcher_reads_an_officers_fixes_in_a_range_oldest_first(api, dispatcher, officer, other_officer, track):
    TrackFix.objects.create(officer=other_officer, lat=1.0, lng=1.0, at=timezone.now())
    api.force_authenticate(dispatcher)
    start = (timezone.now() - timedelta(minutes=3, seconds=30)).isoformat()
    response = api.get(url(officer, **{"from": start}))
    assert response.status_code == 200
    body = response.json()
    assert body["officer_id"] == officer.pk and body["truncated"] is False
    assert [fix["lat"] for fix in body["fixes"]] == [36.43, 36.42, 36.41, 36.4]
    assert set(body["fixes"][0]) == {"lat", "lng", "accuracy_m", "device_at", "at"}


def test_an_admin_reads_a_track(api, admin, officer, track):
    api.force_authenticate(admin)
    response = api.get(url(officer, **{"from": (timezone.now() - timedelta(hours=1)).isoformat()}))
    assert response.status_code == 200 and len(response.json()["fixes"]) == 5


@pytest.mark.parametrize("persona", ["officer", "other_officer", "station_manager"])
def test_officers_and_station_managers_cannot_read_a_track(api, persona, officer, other_officer, station_manager, track):
    user = {"officer": officer.user, "other_officer": other_officer.user, "station_manager": station_manager}[persona]
    api.force_authenticate(user)
    response = api.get(url(officer, **{"from": (timezone.now() - timedelta(hours=1)).isoformat()}))
    assert response.status_code == 403
    assert "fixes" not in response.json()


def test_anonymous_cannot_read_a_track(api, officer, track):
    response = api.get(url(officer, **{"from": (timezone.now() - timedelta(hours=1)).isoformat()}))
    assert response.status_code in (401, 403)
    assert "fixes" not in response.json()


def test_a_track_without_from_or_longer_than_a_week_is_refused(api, dispatcher, officer):
    api.force_authenticate(dispatcher)
    missing = api.get(url(officer))
    assert missing.status_code == 400 and "from" in missing.json()["fields"]
    too_long = api.get(url(officer, **{"from": (timezone.now() - timedelta(days=8)).isoformat()}))
    assert too_long.status_code == 400 and "to" in too_long.json()["fields"]


def test_the_track_of_no_such_officer_is_404(api, dispatcher):
    api.force_authenticate(dispatcher)
    response = api.get(f"/api/v1/officers/999999/track/?from={(timezone.now() - timedelta(hours=1)).isoformat().replace('+', '%2B')}")
    assert response.status_code == 404


def test_prune_deletes_track_fixes_older_than_the_retention_setting(settings, officer):
    settings.POSITION_TRACK_RETENTION_DAYS = 30
    now = timezone.now()
    TrackFix.objects.bulk_create([
        TrackFix(officer=officer, lat=36.0, lng=115.0, at=now - timedelta(days=31)),
        TrackFix(officer=officer, lat=36.1, lng=115.0, at=now - timedelta(days=29)),
    ])
    out = StringIO()
    call_command("prune_dispatch", stdout=out)
    assert "Deleted 1 position-track fixes older than 30 days." in out.getvalue()
    assert list(TrackFix.objects.values_list("lat", flat=True)) == [36.1]


def test_a_shorter_retention_deletes_more(settings, officer):
    settings.POSITION_TRACK_RETENTION_DAYS = 7
    TrackFix.objects.create(officer=officer, lat=36.0, lng=115.0, at=timezone.now() - timedelta(days=8))
    call_command("prune_dispatch", stdout=StringIO())
    assert not TrackFix.objects.exists()
    TrackFix.objects.create(officer=officer, lat=36.0, lng=115.0, at=timezone.now() - timedelta(days=3))
    call_command("prune_dispatch", "--track-days", "2", stdout=StringIO())
    assert not TrackFix.objects.exists()


def test_prune_refuses_a_track_retention_under_a_day(officer):
    with pytest.raises(CommandError):
        call_command("prune_dispatch", "--track-days", "0", stdout=StringIO())

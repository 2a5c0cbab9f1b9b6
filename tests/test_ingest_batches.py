"""Position fixes are written in batches: newest per officer wins, every accepted fix is in the track."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

# database_sync_to_async closes the thread's connection, so the test database can be dropped afterwards.
from channels.db import database_sync_to_async as sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.errors import InvalidInput
from fieldapp import ingest, services
from fieldapp.ingest import PositionIngest, fixes_write
from fieldapp.models import Officer, TrackFix
from fieldapp.positions import OFF_DUTY, Fix, fix_check
from tests.helpers import on_duty


def fix(officer: Officer, *, lat: float = 36.45, lng: float = 115.98, accuracy: float | None = 8.0,
        device_at: datetime | None = None, now: datetime | None = None) -> Fix:
    return fix_check(officer_id=officer.pk, lat=lat, lng=lng, accuracy=accuracy, device_at=device_at,
                     now=now or timezone.now())


def queries_for(fixes: list[Fix]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fixes_write(fixes)
    return len(captured.captured_queries)


def test_the_number_of_queries_of_a_batch_does_not_grow_with_its_fixes(db, officer, other_officer):
    on_duty(officer, age_s=3600)
    on_duty(other_officer, age_s=3600)
    now = timezone.now()
    few = [fix(officer, device_at=now - timedelta(seconds=1800)), fix(other_officer, device_at=now - timedelta(seconds=1800))]
    many = [fix(o, lat=36.45 + n / 10_000, device_at=now - timedelta(seconds=900) + timedelta(milliseconds=n))
            for n in range(60) for o in (officer, other_officer)]
    few_queries, many_queries = queries_for(few), queries_for(many)
    # Lock, UPDATE … FROM (VALUES …), INSERT into the track, and the test's savepoint around them.
    assert few_queries == many_queries <= 5
    assert TrackFix.objects.filter(officer=officer).count() == 1 + 1 + 60  # with on_duty's own fix


def test_the_newest_fix_wins_when_fixes_arrive_out_of_order(db, officer):
    on_duty(officer, age_s=600)
    now = timezone.now()
    fixes_write([
        fix(officer, lat=36.3, device_at=now - timedelta(seconds=30)),
        fix(officer, lat=36.1, device_at=now - timedelta(seconds=10)),
        fix(officer, lat=36.2, device_at=now - timedelta(seconds=20)),
    ])
    officer.refresh_from_db()
    assert officer.fix_lat == 36.1 and officer.fix_at == now - timedelta(seconds=10)
    # A later batch with an older fix (a retry) leaves the newer one in place.
    fixes_write([fix(officer, lat=36.9, device_at=now - timedelta(seconds=60))])
    officer.refresh_from_db()
    assert officer.fix_lat == 36.1


def test_a_device_time_ahead_of_the_server_is_clamped_and_does_not_hold_back_later_fixes(db, officer):
    on_duty(officer, age_s=600)
    received = timezone.now()
    fixes_write([fix(officer, lat=36.5, device_at=received + timedelta(minutes=3), now=received)])
    officer.refresh_from_db()
    assert officer.fix_at == received
    later = received + timedelta(seconds=5)
    fixes_write([fix(officer, lat=36.6, device_at=later, now=later)])
    officer.refresh_from_db()
    assert officer.fix_lat == 36.6
    track = list(TrackFix.objects.filter(officer=officer).order_by("at").values_list("lat", "device_at"))[-2:]
    assert track == [(36.5, received), (36.6, later)]


def test_a_device_time_far_in_the_future_is_refused(db, officer):
    with pytest.raises(InvalidInput):
        fix(officer, device_at=timezone.now() + timedelta(hours=1))


def test_a_newer_fix_with_poor_accuracy_still_replaces_the_last_fix_and_is_kept_as_sent(db, officer):
    on_duty(officer, age_s=60)
    fixes_write([fix(officer, lat=36.7, accuracy=250.0)])
    officer.refresh_from_db()
    assert (officer.fix_lat, officer.fix_accuracy_m) == (36.7, 250.0)
    assert TrackFix.objects.filter(officer=officer, accuracy_m=250.0).count() == 1


def test_off_duty_fixes_are_refused_and_stored_nowhere(db, officer, other_officer):
    on_duty(other_officer)
    plan = fixes_write([fix(officer), fix(other_officer, lat=36.8)])
    assert plan.refused == {0: OFF_DUTY}
    officer.refresh_from_db()
    assert officer.fix_at is None
    assert not TrackFix.objects.filter(officer=officer).exists()
    assert TrackFix.objects.filter(officer=other_officer, lat=36.8).exists()


def test_the_track_gets_every_accepted_fix_with_both_times(db, officer):
    on_duty(officer, age_s=60)
    TrackFix.objects.all().delete()
    now = timezone.now()
    device_times = [now - timedelta(seconds=s) for s in (5, 40, 20, 1)]
    fixes_write([fix(officer, lat=36 + n / 100, device_at=at, now=now) for n, at in enumerate(device_times)])
    rows = list(TrackFix.objects.filter(officer=officer).order_by("id").values_list("lat", "device_at", "at"))
    assert rows == [(36 + n / 100, at, now) for n, at in enumerate(device_times)]


def test_posting_a_position_writes_the_last_fix_and_the_track(api, officer):
    on_duty(officer, age_s=60)
    api.force_authenticate(officer.user)
    response = api.post("/api/v1/me/position/", {"lat": 36.47, "lng": 115.99, "accuracy": 6}, format="json")
    assert response.status_code == 200 and response.json()["lat"] == 36.47
    assert TrackFix.objects.filter(officer=officer, lat=36.47, lng=115.99, accuracy_m=6).count() == 1


# --- the buffer -------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
async def test_a_failed_write_keeps_the_batch_and_writes_it_at_the_next_tick(officer, monkeypatch):
    await sync_to_async(on_duty)(officer, age_s=60)
    buffer = PositionIngest(tick_s=3600)  # flushed by hand below
    calls: list[int] = []
    real = ingest.fixes_write

    def failing_once(fixes: list[Fix]) -> Any:
        calls.append(len(fixes))
        if len(calls) == 1:
            raise RuntimeError("database away")
        return real(fixes)

    monkeypatch.setattr(ingest, "fixes_write", failing_once)
    first = buffer.submit(fix(officer, lat=36.61))
    await buffer.flush()
    assert not first.done() and len(buffer.pending) == 1
    second = buffer.submit(fix(officer, lat=36.62))
    await buffer.flush()
    assert calls == [1, 2]
    assert await first is None and await second is None
    lats = await sync_to_async(lambda: list(TrackFix.objects.filter(officer=officer).order_by("id").values_list("lat", flat=True)))()
    assert lats[-2:] == [36.61, 36.62]
    if buffer.task:
        buffer.task.cancel()


@pytest.mark.django_db(transaction=True)
async def test_an_officer_who_goes_off_duty_before_the_write_is_not_given_the_position(officer):
    await sync_to_async(on_duty)(officer, age_s=60)
    before = await sync_to_async(Officer.objects.get)(pk=officer.pk)
    buffer = PositionIngest(tick_s=3600)
    outcome = buffer.submit(fix(officer, lat=37.0))
    await sync_to_async(services.officer_set_duty)(officer_id=officer.pk, on_duty=False)
    await buffer.flush()
    assert await outcome == OFF_DUTY
    after = await sync_to_async(Officer.objects.get)(pk=officer.pk)
    assert after.on_duty is False and (after.fix_lat, after.fix_at) == (before.fix_lat, before.fix_at)
    assert not await sync_to_async(TrackFix.objects.filter(lat=37.0).exists)()
    if buffer.task:
        buffer.task.cancel()


@pytest.mark.django_db(transaction=True)
async def test_the_buffer_writes_by_itself_each_tick_and_stops_when_empty(officer):
    await sync_to_async(on_duty)(officer, age_s=60)
    buffer = PositionIngest(tick_s=0.02)
    outcomes = [buffer.submit(fix(officer, lat=36 + n / 100)) for n in range(5)]
    assert await asyncio.wait_for(asyncio.gather(*outcomes), 10) == [None] * 5
    await asyncio.wait_for(buffer.task, 10) if buffer.task else None
    assert buffer.task is None and buffer.pending == []
    officer_row = await sync_to_async(Officer.objects.get)(pk=officer.pk)
    assert officer_row.fix_lat == 36.04


def test_a_fix_without_accuracy_or_device_time_is_stored_with_nulls_and_the_server_time(db, officer, other_officer):
    on_duty(officer, age_s=60)
    on_duty(other_officer, age_s=60)
    now = timezone.now()
    fixes_write([fix(officer, accuracy=None, now=now), fix(other_officer, accuracy=12.0, now=now)])
    officer.refresh_from_db()
    assert (officer.fix_accuracy_m, officer.fix_at) == (None, now)
    assert TrackFix.objects.filter(officer=officer, accuracy_m__isnull=True, device_at__isnull=True, at=now).count() == 1

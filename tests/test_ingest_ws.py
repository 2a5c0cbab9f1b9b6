"""Position frames on /ws/field/: answered after their batch is committed; the desk gets one coalesced batch."""
from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from fieldapp.models import Officer, TrackFix
from tests.helpers import on_duty
from tests.test_dispatch_ws import TIMEOUT, open_field, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_channel_layer")]


@pytest.fixture(autouse=True)
def short_tick(settings) -> None:
    settings.POSITION_TICK_MS = 50


async def test_a_position_is_answered_saved_only_once_it_is_in_the_database(officer):
    await sync_to_async(on_duty)(officer, age_s=60)
    phone = await open_field(officer)
    at = timezone.localtime().replace(microsecond=0)
    await phone.send_json_to({"type": "position", "lat": 36.46, "lng": 115.97, "accuracy": 7, "at": at.isoformat()})
    saved = await phone.receive_json_from(TIMEOUT)
    assert saved["type"] == "position.saved"
    # Read at once, without waiting: the answer came after the commit.
    row = await sync_to_async(Officer.objects.get)(pk=officer.pk)
    assert (row.fix_lat, row.fix_lng, row.fix_accuracy_m, row.fix_at) == (36.46, 115.97, 7.0, at)
    track = await sync_to_async(lambda: TrackFix.objects.filter(officer=officer).latest("id"))()
    assert (track.lat, track.lng, track.accuracy_m, track.device_at) == (36.46, 115.97, 7.0, at)
    await phone.disconnect()


async def test_a_position_off_duty_is_answered_with_off_duty_and_not_stored(officer):
    phone, connected = await open_socket(officer)
    assert connected
    await phone.receive_json_from(TIMEOUT)  # hello
    await phone.send_json_to({"type": "position", "lat": 36.45, "lng": 115.98, "accuracy": 5})
    error = await phone.receive_json_from(TIMEOUT)
    assert (error["type"], error["code"], error["frame_type"]) == ("error", "off_duty", "position")
    assert not await sync_to_async(TrackFix.objects.filter(officer=officer).exists)()
    await phone.disconnect()


async def test_the_desk_gets_one_batch_with_the_newest_fix_of_each_officer(dispatcher, officer, other_officer):
    await sync_to_async(on_duty)(officer, age_s=60)
    await sync_to_async(on_duty)(other_officer, age_s=60)
    mine, theirs = await open_field(officer), await open_field(other_officer)
    desk, connected = await open_socket(dispatcher, "/ws/dispatch/")
    assert connected and (await desk.receive_json_from(TIMEOUT)) == {"type": "hello"}
    for lat in (36.41, 36.42, 36.43):
        await mine.send_json_to({"type": "position", "lat": lat, "lng": 115.9, "accuracy": 5})
    await theirs.send_json_to({"type": "position", "lat": 36.51, "lng": 115.9, "accuracy": 9})
    for phone, count in ((mine, 3), (theirs, 1)):
        for _ in range(count):
            assert (await phone.receive_json_from(TIMEOUT))["type"] == "position.saved"
    # The first batch may hold only what the first tick wrote; the next one (a second later) the rest.
    seen: dict[int, dict] = {}
    while set(seen) != {officer.pk, other_officer.pk} or seen[officer.pk]["lat"] != 36.43:
        batch = await desk.receive_json_from(TIMEOUT)
        assert batch["type"] == "officer.positions"
        seen.update({p["officer_id"]: p for p in batch["positions"]})
    assert seen[officer.pk]["lat"] == 36.43 and seen[other_officer.pk] == {
        "officer_id": other_officer.pk, "lat": 36.51, "lng": 115.9, "accuracy_m": 9.0, "at": seen[other_officer.pk]["at"],
    }
    assert await sync_to_async(TrackFix.objects.filter(officer=officer, lat__in=[36.41, 36.42, 36.43]).count)() == 3
    for socket in (mine, theirs, desk):
        await socket.disconnect()


async def test_batches_from_the_ingest_are_coalesced_into_at_most_one_desk_batch_a_second():
    import asyncio

    from fieldapp.consumers import DispatchConsumer

    sent: list[dict] = []
    consumer = DispatchConsumer()
    consumer.positions, consumer.last_batch, consumer.flush_task = {}, 0.0, None

    async def capture(frame: dict) -> None:
        sent.append(frame)

    consumer.send_frame = capture  # type: ignore[method-assign]
    # Four ticks' batches in quick succession: the first goes out at once, the rest wait for the second.
    for tick in range(4):
        await consumer.desk_positions({"positions": [{"officer_id": n, "lat": float(tick), "lng": 0.0} for n in range(50)]})
        await asyncio.sleep(0.01)
    assert len(sent) == 1 and {p["lat"] for p in sent[0]["positions"]} == {0.0}
    await consumer.flush_task
    assert len(sent) == 2 and len(sent[1]["positions"]) == 50 and {p["lat"] for p in sent[1]["positions"]} == {3.0}

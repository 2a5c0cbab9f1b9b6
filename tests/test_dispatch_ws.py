"""/ws/field/ and /ws/dispatch/ through the real ASGI application (origin check, session auth, routing)."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from fieldapp import services
from fieldapp.consumers import DispatchConsumer
from fieldapp.models import Assignment, Officer
from fieldapp.project.asgi import application
from tests.helpers import dispatch, new_job, on_duty, ws_headers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_channel_layer")]

TIMEOUT = 10


async def open_socket(user: Any, path: str = "/ws/field/", origin: str = "http://testserver"):
    if isinstance(user, Officer):
        user = await sync_to_async(lambda: Officer.objects.select_related("user").get(pk=user.pk).user)()
    headers = await sync_to_async(ws_headers)(user, origin)
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _detail = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected


async def open_field(officer: Any, after: int = 0) -> WebsocketCommunicator:
    """Connect as the officer and resume; returns once the replay is done."""
    communicator, connected = await open_socket(officer)
    assert connected
    hello = await communicator.receive_json_from(TIMEOUT)
    assert hello["type"] == "hello" and hello["officer_id"] == officer.pk
    await communicator.send_json_to({"type": "resume", "after": after})
    while (await communicator.receive_json_from(TIMEOUT))["type"] != "resumed":
        pass
    return communicator


async def frames_until(communicator: WebsocketCommunicator, frame_type: str) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await communicator.receive_json_from(TIMEOUT)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames


async def wait_for(check, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if await sync_to_async(check)():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_dispatch_reaches_the_right_officer_and_no_other(dispatcher, officer, other_officer):
    await sync_to_async(on_duty)(officer)
    await sync_to_async(on_duty)(other_officer)
    mine = await open_field(officer)
    theirs = await open_field(other_officer)
    job = await sync_to_async(new_job)(dispatcher)
    (assignment,) = await sync_to_async(dispatch)(job, dispatcher, officer)

    frame = await mine.receive_json_from(TIMEOUT)
    assert frame["type"] == "assignment.new" and frame["seq"] == 1
    assert frame["assignment"]["id"] == assignment.pk
    assert frame["assignment"]["job"]["number"] == job.number
    assert frame["assignment"]["next_step"] == "accepted"
    assert await theirs.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


async def test_ack_sets_received_at_and_the_desk_sees_it(dispatcher, officer):
    await sync_to_async(on_duty)(officer)
    phone = await open_field(officer)
    desk, connected = await open_socket(dispatcher, "/ws/dispatch/")
    assert connected and (await desk.receive_json_from(TIMEOUT))["type"] == "hello"
    job = await sync_to_async(new_job)(dispatcher)
    (assignment,) = await sync_to_async(dispatch)(job, dispatcher, officer)
    frame = await phone.receive_json_from(TIMEOUT)

    await phone.send_json_to({"type": "ack", "seq": frame["seq"]})
    await wait_for(lambda: Assignment.objects.get(pk=assignment.pk).received_at is not None, "received_at")
    desk_frames = await frames_until(desk, "assignment.changed")  # the dispatch itself
    assert desk_frames[-1]["assignment"]["received_at"] is None
    received = await desk.receive_json_from(TIMEOUT)
    while received["type"] != "assignment.changed":
        received = await desk.receive_json_from(TIMEOUT)
    assert received["assignment"]["id"] == assignment.pk and received["assignment"]["received_at"] is not None
    # The ack itself is not answered with a new feed frame.
    assert await phone.receive_nothing(timeout=0.3)
    await phone.disconnect()
    await desk.disconnect()


async def test_frames_missed_while_closed_arrive_after_resume_in_order_exactly_once(dispatcher, officer):
    await sync_to_async(on_duty)(officer)
    job = await sync_to_async(new_job)(dispatcher)
    (first,) = await sync_to_async(dispatch)(job, dispatcher, officer)
    phone = await open_field(officer)  # feed_seq 1 is already there: replayed
    await phone.disconnect()

    # While the phone is in a tunnel: withdrawn, sent to a second job, that one cancelled.
    await sync_to_async(services.assignment_withdraw)(assignment_id=first.pk, by=dispatcher, reason="换人")
    second_job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(second_job, dispatcher, officer)
    await sync_to_async(services.job_cancel)(job_id=second_job.pk, by=dispatcher, reason="误报")

    phone, connected = await open_socket(officer)
    assert connected
    hello = await phone.receive_json_from(TIMEOUT)
    assert hello["feed_seq"] == 4
    await phone.send_json_to({"type": "resume", "after": 1})
    frames = await frames_until(phone, "resumed")
    assert [(f["type"], f.get("seq")) for f in frames] == [
        ("assignment.changed", 2), ("assignment.new", 3), ("job.cancelled", 4), ("resumed", None),
    ]
    assert frames[-1] == {"type": "resumed", "after": 1, "replayed": 3, "feed_seq": 4, "ack_again": []}
    # Then live frames, and nothing twice.
    third_job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(third_job, dispatcher, officer)
    live = await phone.receive_json_from(TIMEOUT)
    assert (live["type"], live["seq"]) == ("assignment.new", 5)
    assert await phone.receive_nothing(timeout=0.3)
    await phone.disconnect()


async def test_live_frames_before_resume_wait_for_the_replay(dispatcher, officer):
    await sync_to_async(on_duty)(officer)
    job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(job, dispatcher, officer)  # seq 1, stored while disconnected
    phone, connected = await open_socket(officer)
    assert connected
    assert (await phone.receive_json_from(TIMEOUT))["type"] == "hello"
    # A live push (seq 2) reaches the consumer before the phone said where it stands.
    other_job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(other_job, dispatcher, officer, force=True)
    assert await phone.receive_nothing(timeout=0.3)
    await phone.send_json_to({"type": "resume", "after": 0})
    frames = await frames_until(phone, "resumed")
    assert [f.get("seq") for f in frames] == [1, 2, None]
    assert await phone.receive_nothing(timeout=0.3)
    await phone.disconnect()


async def test_a_lost_push_is_filled_in_from_the_database(dispatcher, officer):
    await sync_to_async(on_duty)(officer)
    phone = await open_field(officer)
    job = await sync_to_async(new_job)(dispatcher)
    (assignment,) = await sync_to_async(dispatch)(job, dispatcher, officer)
    assert (await phone.receive_json_from(TIMEOUT))["seq"] == 1

    # Store seq 2 without pushing it, as if the channel layer dropped it.
    def store_without_push() -> None:
        from django.db import transaction

        with transaction.atomic():
            services.assignment_withdraw(assignment_id=assignment.pk, by=dispatcher, reason="x")
            transaction.get_connection().run_on_commit.clear()

    await sync_to_async(store_without_push)()
    assert await phone.receive_nothing(timeout=0.3)
    other_job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(other_job, dispatcher, officer)  # seq 3, pushed
    frames = [await phone.receive_json_from(TIMEOUT), await phone.receive_json_from(TIMEOUT)]
    assert [(f["type"], f["seq"]) for f in frames] == [("assignment.changed", 2), ("assignment.new", 3)]
    await phone.disconnect()


@pytest.mark.parametrize(
    "text, code",
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"seq": 1}', "unknown_type"),
        ('{"type": "ack", "seq": "one"}', "bad_frame"),
        ('{"type": "ack", "seq": 99}', "bad_frame"),
        ('{"type": "resume", "after": -1}', "bad_frame"),
        ('{"type": "position", "lat": 91, "lng": 115.9}', "bad_frame"),
        ('{"type": "position", "lat": "x", "lng": 115.9}', "bad_frame"),
        ('{"type": "position", "lat": 36.4, "lng": 115.9, "at": "yesterday"}', "bad_frame"),
    ],
)
async def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays(officer, text, code):
    await sync_to_async(on_duty)(officer)
    phone = await open_field(officer)
    await phone.send_to(text_data=text)
    error = await phone.receive_json_from(TIMEOUT)
    assert error["type"] == "error" and error["code"] == code and error["detail"]
    await phone.send_json_to({"type": "ping"})
    assert await phone.receive_json_from(TIMEOUT) == {"type": "pong"}
    await phone.disconnect()


async def test_position_off_duty_gets_an_error_frame(officer):
    phone = await open_field(officer)
    await phone.send_json_to({"type": "position", "lat": 36.45, "lng": 115.98, "accuracy": 5})
    error = await phone.receive_json_from(TIMEOUT)
    assert error["code"] == "off_duty" and error["frame_type"] == "position"
    await phone.disconnect()


async def test_a_socket_from_another_origin_is_refused(officer):
    communicator, connected = await open_socket(officer, origin="https://evil.example")
    assert not connected
    await communicator.disconnect()


@pytest.mark.parametrize(
    "who, path, code",
    [
        ("anonymous", "/ws/field/", 4401),
        ("dispatcher", "/ws/field/", 4403),
        ("station_manager", "/ws/field/", 4403),
        ("anonymous", "/ws/dispatch/", 4401),
        ("officer", "/ws/dispatch/", 4403),
    ],
)
async def test_wrong_people_are_closed_with_a_code(officer, dispatcher, station_manager, who, path, code):
    user = {"anonymous": None, "officer": officer, "dispatcher": dispatcher, "station_manager": station_manager}[who]
    communicator, _connected = await open_socket(user, path)
    closed = await communicator.receive_output(TIMEOUT)
    assert closed == {"type": "websocket.close", "code": code}
    await communicator.disconnect()


async def test_desk_sees_jobs_assignments_officers_and_positions(dispatcher, officer):
    desk, connected = await open_socket(dispatcher, "/ws/dispatch/")
    assert connected and (await desk.receive_json_from(TIMEOUT)) == {"type": "hello"}
    await sync_to_async(services.officer_set_duty)(officer_id=officer.pk, on_duty=True)
    changed = await desk.receive_json_from(TIMEOUT)
    assert changed["type"] == "officer.changed" and changed["officer"]["state"] == "available"

    phone = await open_field(officer)
    await phone.send_json_to({"type": "position", "lat": 36.46, "lng": 115.97, "accuracy": 7})
    batch = await desk.receive_json_from(TIMEOUT)
    assert batch["type"] == "officer.positions"
    assert batch["positions"] == [
        {"officer_id": officer.pk, "lat": 36.46, "lng": 115.97, "accuracy_m": 7.0, "at": batch["positions"][0]["at"]}
    ]

    job = await sync_to_async(new_job)(dispatcher)
    created = await desk.receive_json_from(TIMEOUT)
    assert created["type"] == "job.changed" and created["job"]["id"] == job.pk
    await sync_to_async(dispatch)(job, dispatcher, officer)
    frames = [await desk.receive_json_from(TIMEOUT), await desk.receive_json_from(TIMEOUT)]
    assert [f["type"] for f in frames] == ["assignment.changed", "officer.changed"]
    assert frames[1]["officer"]["state"] == "busy"
    await desk.send_json_to({"type": "resume", "after": 0})
    assert (await desk.receive_json_from(TIMEOUT))["code"] == "unknown_type"
    await phone.disconnect()
    await desk.disconnect()


async def test_desk_positions_are_coalesced_into_one_batch_per_second():
    sent: list[dict[str, Any]] = []
    consumer = DispatchConsumer()
    consumer.positions, consumer.last_batch, consumer.flush_task = {}, 0.0, None

    async def capture(frame: dict[str, Any]) -> None:
        sent.append(frame)

    consumer.send_frame = capture  # type: ignore[method-assign]
    # 300 fixes from 100 officers arrive in one go: one batch, the latest fix of each.
    for round_ in range(3):
        for officer_id in range(100):
            await consumer.desk_position({"position": {"officer_id": officer_id, "lat": round_, "lng": 0.0}})
    await asyncio.sleep(0.05)
    assert len(sent) == 1 and len(sent[0]["positions"]) == 100
    assert {p["lat"] for p in sent[0]["positions"]} == {2}
    # More fixes right after the batch wait for the next second instead of going out at once.
    await consumer.desk_position({"position": {"officer_id": 7, "lat": 9.0, "lng": 0.0}})
    await asyncio.sleep(0.05)
    assert len(sent) == 1
    await consumer.flush_task
    assert len(sent) == 2 and sent[1]["positions"] == [{"officer_id": 7, "lat": 9.0, "lng": 0.0}]


async def test_resume_beyond_the_feed_does_not_hold_back_new_frames(dispatcher, officer):
    await sync_to_async(on_duty)(officer)
    phone = await open_field(officer, after=500)
    job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(job, dispatcher, officer)
    frame = await phone.receive_json_from(TIMEOUT)
    assert (frame["type"], frame["seq"]) == ("assignment.new", 1)
    await phone.disconnect()

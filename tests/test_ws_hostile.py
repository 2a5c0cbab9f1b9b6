"""Hostile sockets: what a client that does not follow the contract gets from /ws/field/, /ws/dispatch/ and /ws/screen/.

Through the real ASGI application (origin check, session auth, routing) with
WebsocketCommunicator; the frame-size close is also checked against a real
Daphne, whose own limit sits in front of the consumer's.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from fieldapp.models import Assignment, Officer
from fieldapp.project.asgi import application
from tests.helpers import dispatch, new_job, on_duty, session_cookie, ws_headers

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10
DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.fixture(autouse=True)
def _in_memory_layer(settings) -> None:
    """These tests are about the consumers' own checks, so they run on the in-memory layer.

    On Redis, a refused handshake's consumer is still waiting in BZPOPMIN
    when the test's loop closes; now and then that cancelled read never
    finished and the loop's teardown hung (240 s) in CI. Redis itself is
    proven by the fault, two-server and group tests.
    """
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    async_to_sync(get_channel_layer().flush)()


async def connect(user: Any, path: str = "/ws/field/", *, origin: str = "http://testserver",
                  host: str = "testserver", extra: list[tuple[bytes, bytes]] | None = None):
    if isinstance(user, Officer):
        user = await sync_to_async(lambda: Officer.objects.select_related("user").get(pk=user.pk).user)()
    headers = [(name, value) for name, value in await sync_to_async(ws_headers)(user, origin) if name != b"host"]
    headers += [(b"host", host.encode()), *(extra or [])]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected


async def field_socket(officer: Officer, after: int = 0) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """An officer's socket, resumed; returns it with the `resumed` frame."""
    communicator, connected = await connect(officer)
    assert connected
    assert (await communicator.receive_json_from(TIMEOUT))["type"] == "hello"
    await communicator.send_json_to({"type": "resume", "after": after})
    while (frame := await communicator.receive_json_from(TIMEOUT))["type"] != "resumed":
        pass
    return communicator, frame


async def still_open(communicator: WebsocketCommunicator) -> bool:
    await communicator.send_json_to({"type": "ping"})
    return await communicator.receive_json_from(TIMEOUT) == {"type": "pong"}


async def closed_with(communicator: WebsocketCommunicator) -> int:
    while (output := await communicator.receive_output(TIMEOUT))["type"] != "websocket.close":
        pass
    return output.get("code", 1000)


# --- who may open a socket ----------------------------------------------------

async def test_a_socket_without_a_session_cookie_is_closed_with_4401():
    communicator, connected = await connect(None)
    assert connected
    assert await closed_with(communicator) == 4401


@pytest.mark.parametrize("who, path", [("dispatcher", "/ws/field/"), ("officer", "/ws/dispatch/"),
                                       ("station_manager", "/ws/dispatch/")])
async def test_a_socket_for_the_wrong_role_is_closed_with_4403(request, who, path):
    user = await sync_to_async(request.getfixturevalue)(who)
    communicator, connected = await connect(user, path)
    assert connected
    assert await closed_with(communicator) == 4403


@pytest.mark.parametrize("origin", [
    "https://evil.example",
    "http://testserver:8080",  # the right host on another port: another origin
    "https://testserver",  # the right host over another scheme
    "http://testserver.evil.example",
    "null",
    "",
])
async def test_a_handshake_from_another_origin_is_refused(officer, origin):
    communicator, connected = await connect(officer, origin=origin)
    assert not connected


async def test_a_handshake_names_the_port_it_was_served_on(officer):
    communicator, connected = await connect(officer, origin="http://testserver:8080", host="testserver:8080")
    assert connected
    await communicator.disconnect()


async def test_behind_the_tls_proxy_the_https_origin_is_the_own_one(officer, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    communicator, connected = await connect(officer, origin="https://testserver",
                                            extra=[(b"x-forwarded-proto", b"https")])
    assert connected
    await communicator.disconnect()
    plain, connected = await connect(officer, origin="http://testserver", extra=[(b"x-forwarded-proto", b"https")])
    assert not connected


async def test_a_csrf_trusted_origin_may_open_a_socket(officer, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.luchang.example"]
    communicator, connected = await connect(officer, origin="https://app.luchang.example")
    assert connected
    await communicator.disconnect()
    other, connected = await connect(officer, origin="http://app.luchang.example")
    assert not connected


async def test_a_host_outside_allowed_hosts_is_refused_even_from_its_own_origin(officer):
    communicator, connected = await connect(officer, origin="http://evil.example", host="evil.example")
    assert not connected


# --- frames a client should not send ---------------------------------------------

@pytest.mark.parametrize("path", ["/ws/field/", "/ws/dispatch/", "/ws/stations/shiyiyuan/screen/"])
async def test_deeply_nested_json_gets_bad_json_and_the_socket_stays_open(request, path):
    user = await sync_to_async(request.getfixturevalue)("officer" if path == "/ws/field/" else "dispatcher")
    if path.startswith("/ws/stations/"):
        await sync_to_async(request.getfixturevalue)("station")
    communicator, connected = await connect(user, path)
    assert connected
    assert (await communicator.receive_json_from(TIMEOUT))["type"] == "hello"
    await communicator.send_to(text_data=DEEP_JSON)
    frame = await communicator.receive_json_from(TIMEOUT)
    assert (frame["type"], frame["code"]) == ("error", "bad_json")
    assert await still_open(communicator)
    await communicator.disconnect()


@pytest.mark.parametrize("junk", [
    {"text_data": "not json"},
    {"text_data": "[1, 2]"},
    {"text_data": '"resume"'},
    {"text_data": "17"},
    {"bytes_data": b"\xff\xfe\x00garbage"},
    {"text_data": '{"type": "resume", "after": 1' + "1" * 5000},
])
async def test_junk_frames_get_bad_json_and_the_socket_stays_open(duty_officer, junk):
    communicator, _resumed = await field_socket(duty_officer)
    await communicator.send_to(**junk)
    frame = await communicator.receive_json_from(TIMEOUT)
    assert (frame["type"], frame["code"]) == ("error", "bad_json")
    assert await still_open(communicator)
    await communicator.disconnect()


@pytest.mark.parametrize("frame, code", [
    ({"type": "launch"}, "unknown_type"),
    ({"seq": 1}, "unknown_type"),
    ({"type": ["ack"]}, "unknown_type"),
    ({"type": "ack", "seq": "1"}, "bad_frame"),
    ({"type": "ack", "seq": -1}, "bad_frame"),
    ({"type": "ack", "seq": True}, "bad_frame"),
    ({"type": "ack", "seq": 10**30}, "bad_frame"),
    ({"type": "resume", "after": 1.5}, "bad_frame"),
    ({"type": "position", "lat": "NaN", "lng": 1}, "bad_frame"),
    ({"type": "position", "lat": 1e400, "lng": 1}, "bad_frame"),
])
async def test_frames_with_bad_fields_get_an_error_frame_and_the_socket_stays_open(duty_officer, frame, code):
    communicator, _resumed = await field_socket(duty_officer)
    await communicator.send_to(text_data=json.dumps(frame))
    error = await communicator.receive_json_from(TIMEOUT)
    assert (error["type"], error["code"]) == ("error", code)
    assert await still_open(communicator)
    await communicator.disconnect()


@pytest.mark.parametrize("path", ["/ws/field/", "/ws/stations/shiyiyuan/screen/"])
async def test_a_frame_over_the_size_limit_is_closed_with_1009(request, settings, path):
    settings.WS_MAX_FRAME_BYTES = 1000
    user = await sync_to_async(request.getfixturevalue)("officer")
    if path.startswith("/ws/stations/"):
        await sync_to_async(request.getfixturevalue)("station")
    communicator, connected = await connect(user, path)
    assert connected
    assert (await communicator.receive_json_from(TIMEOUT))["type"] == "hello"
    await communicator.send_to(text_data=json.dumps({"type": "ping", "pad": "路" * 400}))  # 1,200 bytes of UTF-8
    assert await closed_with(communicator) == 1009


async def test_a_flood_of_frames_gets_rate_limited_and_then_closed(settings, duty_officer):
    settings.WS_FRAME_BURST = 5
    settings.WS_FRAME_RATE_PER_S = 1
    communicator, _resumed = await field_socket(duty_officer)  # the resume took one token
    for _ in range(20):
        await communicator.send_json_to({"type": "ping"})
    answers = []
    while (output := await communicator.receive_output(TIMEOUT))["type"] != "websocket.close":
        answers.append(json.loads(output["text"]))
    assert output["code"] == 4429
    assert answers[:-1] == [{"type": "pong"}] * 4
    assert answers[-1]["type"] == "error" and answers[-1]["code"] == "rate_limited"


async def test_a_flood_of_acks_for_one_seq_is_rate_limited(settings, dispatcher, duty_officer):
    settings.WS_FRAME_BURST = 5
    settings.WS_FRAME_RATE_PER_S = 1
    job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(job, dispatcher, duty_officer)
    communicator, _resumed = await field_socket(duty_officer)  # seq 1 replayed
    for _ in range(20):
        await communicator.send_json_to({"type": "ack", "seq": 1})
    while (output := await communicator.receive_output(TIMEOUT))["type"] != "websocket.close":
        pass
    assert output["code"] == 4429


async def test_acking_every_frame_of_a_long_replay_is_not_a_flood(settings, dispatcher, duty_officer):
    """The phone acks each frame it is sent; those acks take no token, however many."""
    settings.WS_FRAME_BURST = 5
    settings.WS_FRAME_RATE_PER_S = 1
    for _ in range(12):
        job = await sync_to_async(new_job)(dispatcher)
        (assignment,) = await sync_to_async(dispatch)(job, dispatcher, duty_officer)
        await sync_to_async(Assignment.objects.filter(pk=assignment.pk).update)(status="withdrawn")
    communicator, connected = await connect(duty_officer)
    assert connected
    await communicator.receive_json_from(TIMEOUT)
    await communicator.send_json_to({"type": "resume", "after": 0})
    seqs = []
    while (frame := await communicator.receive_json_from(TIMEOUT))["type"] != "resumed":
        seqs.append(frame["seq"])
        await communicator.send_json_to({"type": "ack", "seq": frame["seq"]})
    assert seqs == list(range(1, 13))
    assert await still_open(communicator)
    await communicator.disconnect()


async def test_an_ack_of_another_officers_seq_stores_no_receipt_for_them(dispatcher, duty_officer, other_officer):
    await sync_to_async(on_duty)(other_officer)
    job = await sync_to_async(new_job)(dispatcher)
    (theirs,) = await sync_to_async(dispatch)(job, dispatcher, other_officer)  # seq 1 of their feed
    communicator, _resumed = await field_socket(duty_officer)
    await communicator.send_json_to({"type": "ack", "seq": 1})
    error = await communicator.receive_json_from(TIMEOUT)
    assert (error["type"], error["code"], error["frame_type"]) == ("error", "bad_frame", "ack")
    await communicator.disconnect()
    await sync_to_async(theirs.refresh_from_db)()
    assert theirs.received_at is None


# --- a receipt lost with a server process ----------------------------------------

async def test_a_phone_that_resumes_after_an_unstored_receipt_is_asked_to_ack_it_again(dispatcher, duty_officer):
    """Issue 9, defect 3: the phone handled frame 1, its ack died with the process; resume after 1 asks again."""
    job = await sync_to_async(new_job)(dispatcher)
    (assignment,) = await sync_to_async(dispatch)(job, dispatcher, duty_officer)
    first, _resumed = await field_socket(duty_officer)  # frame 1 arrives; the ack is lost
    await first.disconnect()

    phone, resumed = await field_socket(duty_officer, after=1)
    assert resumed == {"type": "resumed", "after": 1, "replayed": 0, "feed_seq": 1, "ack_again": [1]}
    await phone.send_json_to({"type": "ack", "seq": 1})
    assert await still_open(phone)  # the ack was handled before the ping
    await sync_to_async(assignment.refresh_from_db)()
    assert assignment.received_at is not None
    await phone.disconnect()

    again, resumed = await field_socket(duty_officer, after=1)
    assert resumed["ack_again"] == []
    await again.disconnect()


# --- through a real Daphne -------------------------------------------------------

@pytest.mark.multiprocess
def test_daphne_closes_a_frame_over_a_mebibyte_with_1009(live_server_factory, officer):
    """Autobahn drops the TCP connection by default; the phone must see why."""
    server = live_server_factory()
    cookie = session_cookie(officer.user)

    async def scenario() -> tuple[int | None, str]:
        async with websockets.connect(
            f"{server.ws_url}/ws/field/", origin=server.url, additional_headers={"Cookie": f"sessionid={cookie}"},
            max_size=None,
        ) as phone:
            assert json.loads(await asyncio.wait_for(phone.recv(), TIMEOUT))["type"] == "hello"
            await phone.send(json.dumps({"type": "ping", "pad": "x" * (1024 * 1024 + 10)}))
            try:
                await asyncio.wait_for(phone.recv(), TIMEOUT)
            except websockets.ConnectionClosed as closed:
                return (closed.rcvd.code if closed.rcvd else None), str(closed)
            raise AssertionError("the socket stayed open")

    code, detail = asyncio.run(scenario())
    assert code == 1009, detail

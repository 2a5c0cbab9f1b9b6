"""Dispatch figures: server time of create, dispatch and advance; dispatch-to-phone latency.

1. Server time: POST /jobs/, /jobs/{id}/dispatch/ and /assignments/{id}/advance/
   through the whole Django stack (middleware, DRF, services, JSON) with the
   test client, on a scratch PostgreSQL database (and a scratch SQLite file).
2. Push latency against real Daphne processes: from the start of the dispatch
   POST to the `assignment.new` frame arriving on a connected WebSocket client,
   with the in-memory layer (one Daphne) and with Redis (POST to one Daphne,
   phone on another). Then one dispatch fanned out to hundreds of sockets on one
   process, which also shows that they do not exhaust the Redis connection pool.

    .venv/bin/python bench/bench_dispatch.py               # sqlite and postgres
    BENCH_OPS=50 .venv/bin/python bench/bench_dispatch.py postgres

Everything is on loopback; the scratch databases are removed; it stops by itself.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from typing import Any

from scratch import run_on_scratch_databases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OPS = int(os.environ.get("BENCH_OPS", "200"))
PUSHES = int(os.environ.get("BENCH_PUSHES", "100"))
FANOUT_SOCKETS = int(os.environ.get("BENCH_SOCKETS", "300"))
OFFICERS = 20
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")


# --- parent ------------------------------------------------------------------

def main(argv: list[str]) -> int:
    wanted = argv or ["sqlite", "postgres"]
    print(f"dispatch benchmark: {OPS} jobs (create, dispatch, 4 advances each), {PUSHES} pushes", flush=True)
    return run_on_scratch_databases(__file__, wanted, prefix="bench-dispatch")


# --- child: figures on one database -------------------------------------------

def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   (n={len(ordered)})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child(label: str) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = make_people()
    server_times(people)
    push_latency(label, people)
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


def server_times(people: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    desk = APIClient()
    desk.force_authenticate(people["dispatcher"])
    phones = {}
    for officer in people["officers"]:
        phones[officer.pk] = APIClient()
        phones[officer.pk].force_authenticate(officer.user)
    created, dispatched, advanced, cleared = [], [], [], []
    # Queries per request, counted on every request; their time is in the server time.
    queries: dict[str, list[int]] = {"create": [], "dispatch": [], "advance": [], "cleared": []}
    # A hazard: clearing an accident would first need its quick-clearance record.
    body = {"kind": "hazard", "priority": 2, "summary": "路面散落货物", "lat": 36.4561, "lng": 115.9855,
            "source": "video_patrol", "address": "东昌路/柳园路口"}
    for index in range(OPS):
        officer = people["officers"][index % OFFICERS]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = desk.post("/api/v1/jobs/", body, format="json")
        created.append(time.perf_counter() - started)
        queries["create"].append(len(captured.captured_queries))
        assert response.status_code == 201, response.content
        job_id = response.json()["id"]
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = desk.post(f"/api/v1/jobs/{job_id}/dispatch/", {"officers": [officer.pk]}, format="json")
        dispatched.append(time.perf_counter() - started)
        queries["dispatch"].append(len(captured.captured_queries))
        assert response.status_code == 200, response.content
        assignment_id = response.json()["created"][0]["id"]
        for step in ("accepted", "en_route", "on_scene", "cleared"):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = phones[officer.pk].post(
                    f"/api/v1/assignments/{assignment_id}/advance/", {"to": step, "lat": 36.45, "lng": 115.98}, format="json"
                )
            (cleared if step == "cleared" else advanced).append(time.perf_counter() - started)
            queries["cleared" if step == "cleared" else "advance"].append(len(captured.captured_queries))
            assert response.status_code == 200, response.content
    print("server time through the Django stack (test client):", flush=True)
    print(f"  create   POST /jobs/                    {percentiles(created)}")
    print(f"  dispatch POST /jobs/{{id}}/dispatch/       {percentiles(dispatched)}")
    print(f"  advance  POST /assignments/{{id}}/advance/ {percentiles(advanced)}  (accepted, en_route, on_scene)")
    print(f"  advance  to cleared, job closes itself   {percentiles(cleared)}", flush=True)
    counts = ", ".join(f"{name} {statistics.median(values):.0f}" for name, values in queries.items())
    print(f"  SQL queries per request (median): {counts}", flush=True)


class Daphne:
    def __init__(self, redis_url: str | None) -> None:
        from django.db import connection

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("REDIS_URL", None)
        if connection.vendor == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["REDIS_PREFIX"] = f"bench-dispatch-{os.getpid()}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-dispatch-daphne-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "fieldapp.project.asgi:application"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except Exception:  # noqa: BLE001
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("daphne did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        errors = [line for line in Path(self.log.name).read_text(errors="replace").splitlines() if "Error" in line]
        if errors:
            print(f"    daphne on port {self.port} logged errors, e.g.: {errors[-1]}")
        os.unlink(self.log.name)


def post(url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def push_latency(label: str, people: dict[str, Any]) -> None:
    from fieldapp import services

    officer = people["officers"][0]
    cookie = session_cookie(officer.user)
    cases = [("in-memory layer, one Daphne", None, False)]
    if redis_up():
        cases.append(("Redis layer, POST to Daphne B, phone on Daphne A", REDIS_URL, True))
    else:
        print(f"  (Redis not available at {REDIS_URL}: the cross-process case is left out)")
    print("dispatch request -> assignment.new on a connected WebSocket client (real Daphne, loopback):", flush=True)
    for title, redis_url, two in cases:
        server_a = Daphne(redis_url)
        server_b = Daphne(redis_url) if two else server_a
        try:
            jobs = [services.job_create(created_by=people["dispatcher"], kind="hazard", summary="遗撒物",
                                        lat=36.45, lng=115.98) for _ in range(PUSHES)]
            latencies, responses = asyncio.run(
                measure(server_a, server_b, cookie, officer, jobs, people["dispatcher_token"],
                        people["officer_tokens"][officer.pk])
            )
            print(f"  {title}:")
            print(f"    request start -> frame on the socket  {percentiles(latencies)}")
            print(f"    request start -> HTTP response         {percentiles(responses)}", flush=True)
            if two:
                fanout(server_a, server_b, people)
        finally:
            server_a.stop()
            if two:
                server_b.stop()


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


def fanout(server_a: Daphne, server_b: Daphne, people: dict[str, Any]) -> None:
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
    print(f"    {count} sockets opened and resumed on Daphne A (50 at a time) in {opened:.2f} s, all open together;")
    print(f"    one dispatch through B reached all {count} in {delivered * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

"""Soak: hundreds of phones on two Daphne processes for half an hour, through a Redis restart and a kill -9.

    make soak                                  # 30 minutes, 500 officers
    .venv/bin/python bench/soak.py --minutes 5 --officers 200

Everything runs here, on loopback: a scratch PostgreSQL database (bench/scratch.py),
a redis-server of its own on a free port, two Daphne processes on it. Each
officer's phone follows the feed contract (resume after the last seq, ack every
frame, ack `ack_again`); 5% of them drop and reconnect every minute. A desk
dispatches throughout. A third of the way in Redis restarts; two thirds in the
phones' first Daphne is killed with SIGKILL and a new one takes its place.

Every minute it prints each Daphne's RSS, the database connections, Redis's
clients, and the feed frames lost (stored more than a minute ago, not on the
phone) and duplicated (on the phone twice), and receipts missing. At the end
it waits for the phones to settle and exits 1 if anything is lost or doubled.
Not part of CI.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
import scratch  # noqa: E402

# A frame stored longer ago than this and not on its phone counts as lost.
LOST_AFTER_S = 60
SETTLE_S = 90


def options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 30)))
    parser.add_argument("--officers", type=int, default=int(os.environ.get("SOAK_OFFICERS", 500)))
    parser.add_argument("--reconnect-share", type=float, default=float(os.environ.get("SOAK_RECONNECT_SHARE", 0.05)),
                        help="share of the phones that drop and reconnect every minute")
    parser.add_argument("--dispatches-per-minute", type=int, default=int(os.environ.get("SOAK_DISPATCHES", 60)))
    return parser.parse_args(argv)


# --- parent --------------------------------------------------------------------

def main(argv: list[str]) -> int:
    wanted = options(argv)
    # The child reads the same options from the environment.
    os.environ.update({
        "SOAK_MINUTES": str(wanted.minutes), "SOAK_OFFICERS": str(wanted.officers),
        "SOAK_RECONNECT_SHARE": str(wanted.reconnect_share), "SOAK_DISPATCHES": str(wanted.dispatches_per_minute),
    })
    scratch.CHILD_TIMEOUT_S = int(wanted.minutes * 60 + SETTLE_S + 600)
    print(f"soak: {wanted.minutes:g} min, {wanted.officers} officers, {wanted.reconnect_share:.0%} reconnecting a minute, "
          f"{wanted.dispatches_per_minute} dispatches a minute", flush=True)
    return scratch.run_on_scratch_databases(__file__, ["postgres"], prefix="soak")


# --- child -----------------------------------------------------------------------

def child(label: str) -> int:
    os.environ.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    wanted = options([])
    return asyncio.run(Soak(wanted).run())


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def request_json(url: str, body: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


class Soak:
    def __init__(self, wanted: argparse.Namespace) -> None:
        from tests.faults import RedisServer

        self.wanted = wanted
        self.redis = RedisServer()
        self.servers: list[Any] = []
        self.stop = asyncio.Event()
        self.dispatched = 0
        self.dispatch_failures = 0
        self.reconnects = 0
        self.events: list[str] = []

    # --- set-up ---

    def people(self) -> tuple[list[Any], str]:
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
        from django.contrib.auth.models import Group
        from django.contrib.sessions.backends.db import SessionStore
        from rest_framework.authtoken.models import Token

        from common.roles import DISPATCHER, OFFICER
        from fieldapp import services
        from fieldapp.models import Officer, Squad

        users = get_user_model()
        squad = Squad.objects.create(name="Soak squad", code="soak", brigade="soak")
        officer_group = Group.objects.get_or_create(name=OFFICER)[0]
        desk = users.objects.create_user(username="soak-desk", password="x")
        desk.groups.add(Group.objects.get_or_create(name=DISPATCHER)[0])
        officers = []
        for number in range(self.wanted.officers):
            user = users.objects.create_user(username=f"soak-{number}", password="x")
            user.groups.add(officer_group)
            officer = Officer.objects.create(user=user, badge_number=f"S{number:05d}", call_sign=f"S{number}", squad=squad)
            services.officer_set_duty(officer_id=officer.pk, on_duty=True)
            services.officer_record_position(officer_id=officer.pk, lat=36.45, lng=115.98, accuracy=10.0, at=None)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            officers.append((officer.pk, session.session_key))
        return officers, Token.objects.create(user=desk).key

    def start_server(self) -> Any:
        from tests.live import LiveServer

        class SoakServer(LiveServer):
            def _wait_ready(self, timeout: float = 30) -> None:
                # A loaded machine starting a Daphne beside 500 sockets needs longer than a test does.
                try:
                    super()._wait_ready(timeout=180)
                except RuntimeError:
                    self.process.kill()
                    raise

        server = SoakServer(redis_url=self.redis.url, env={"LOG_LEVEL": "WARNING"})
        self.servers.append(server)
        return server

    def alive(self) -> list[Any]:
        return [server for server in self.servers if server.alive()]

    # --- phones ---

    async def phone_loop(self, phone: Any, first: Any) -> None:
        import websockets

        server = first
        failures = 0
        while not self.stop.is_set():
            if phone.socket is None:
                try:
                    await phone.connect(server, timeout=15)
                    failures = 0
                except Exception:  # noqa: BLE001 - any failed handshake: back off and try another server.
                    if phone.socket is not None:
                        await phone.socket.close()
                    phone.socket = None
                    failures += 1
                    await asyncio.sleep(random.uniform(0.5, min(30, 2**failures)))
                    server = random.choice(self.alive() or self.servers)
                    continue
            try:
                await phone.next_frame(timeout=5)
            except TimeoutError:
                continue
            except (websockets.ConnectionClosed, OSError):
                phone.socket = None
                self.reconnects += 1
                await asyncio.sleep(random.uniform(0.2, 3))
                server = random.choice(self.alive() or self.servers)
        if phone.socket is not None:
            await phone.socket.close()

    async def churn(self, phones: list[Any]) -> None:
        """Every minute, a share of the phones drops its socket (a tunnel, a lift) and comes back."""
        while not self.stop.is_set():
            await asyncio.sleep(60)
            for phone in random.sample(phones, max(1, int(len(phones) * self.wanted.reconnect_share))):
                if phone.socket is not None:
                    await phone.socket.close()

    # --- the desk ---

    def desk(self, officers: list[tuple[int, str]], token: str, stop: threading.Event) -> None:
        pause = 60 / max(1, self.wanted.dispatches_per_minute)
        while not stop.is_set():
            officer_id, _cookie = random.choice(officers)
            servers = self.alive()
            if not servers:
                time.sleep(pause)
                continue
            server = random.choice(servers)
            try:
                status, job = request_json(f"{server.url}/api/v1/jobs/", {
                    "kind": "accident", "summary": "soak", "lat": 36.45, "lng": 115.98}, token)
                if status == 201:
                    status, _body = request_json(f"{server.url}/api/v1/jobs/{job['id']}/dispatch/",
                                                 {"officers": [officer_id], "force": True}, token)
                if status == 200:
                    self.dispatched += 1
                else:
                    self.dispatch_failures += 1
            except OSError:
                self.dispatch_failures += 1
            stop.wait(pause)

    # --- faults ---

    async def faults(self, minutes: float) -> None:
        await asyncio.sleep(minutes * 60 / 3)
        self.events.append(f"{time.strftime('%H:%M:%S')} redis restart")
        print(f"  !! {self.events[-1]}", flush=True)
        await asyncio.to_thread(self.redis.restart)
        await asyncio.sleep(minutes * 60 / 3)
        victim = self.servers[0]
        self.events.append(f"{time.strftime('%H:%M:%S')} kill -9 of daphne :{victim.port}")
        print(f"  !! {self.events[-1]}", flush=True)
        victim.process.kill()
        victim.process.wait()
        await asyncio.to_thread(self.start_server)

    # --- figures ---

    def figures(self, phones: list[Any], *, grace_s: float = LOST_AFTER_S) -> dict[str, Any]:
        from django.db import connection
        from django.utils import timezone

        from fieldapp.models import Assignment, OfficerMessage

        try:
            before = timezone.now() - timedelta(seconds=grace_s)
            stored = set(OfficerMessage.objects.filter(created_at__lt=before).values_list("officer_id", "seq"))
            seen = {(phone.officer_id, seq) for phone in phones for seq in phone.seqs()}
            duplicated = sum(len(phone.seqs()) - len(set(phone.seqs())) for phone in phones)
            unreceived = Assignment.objects.filter(dispatched_at__lt=before, received_at__isnull=True).count()
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
                (db_connections,) = cursor.fetchone()
        finally:
            connection.close()
        try:
            redis_clients = self.redis.clients()
        except Exception:  # noqa: BLE001 - mid-restart
            redis_clients = -1
        return {
            "rss": [(server.port, rss_mib(server.process.pid)) for server in self.alive()],
            "db": db_connections - 1, "redis": redis_clients, "lost": len(stored - seen), "duplicated": duplicated,
            "receipts_missing": unreceived, "frames": len(seen), "open": sum(phone.socket is not None for phone in phones),
        }

    def print_figures(self, minute: float, figures: dict[str, Any]) -> None:
        rss = "  ".join(f":{port} {mib:.0f} MiB" for port, mib in figures["rss"] if mib is not None)
        print(
            f"[{minute:5.1f} min] RSS {rss} | db conns {figures['db']} | redis clients {figures['redis']} | "
            f"sockets {figures['open']}/{self.wanted.officers} | dispatched {self.dispatched} "
            f"(failed {self.dispatch_failures}) | frames {figures['frames']} | lost {figures['lost']} | "
            f"duplicated {figures['duplicated']} | receipts missing {figures['receipts_missing']} | "
            f"reconnects {self.reconnects}",
            flush=True,
        )

    # --- the run ---

    async def run(self) -> int:
        try:
            return await self.soak()
        finally:
            self.stop.set()
            for server in self.servers:
                if server.alive():
                    server.stop()
            self.redis.stop()

    async def soak(self) -> int:
        from tests.faults import Phone

        started = time.monotonic()
        officers, token = await asyncio.to_thread(self.people)
        print(f"  {len(officers)} officers on duty in {time.monotonic() - started:.0f} s", flush=True)
        await asyncio.to_thread(self.start_server)
        await asyncio.to_thread(self.start_server)
        phones = []
        for officer_id, cookie in officers:
            phone = Phone(cookie)
            phone.officer_id = officer_id  # type: ignore[attr-defined]
            phones.append(phone)
        tasks = []
        # Ten handshakes a second: Daphne drops a handshake not accepted within 5 s,
        # and every handshake costs a few database connections (CONN_MAX_AGE=0).
        for first in range(0, len(phones), 10):
            batch = phones[first:first + 10]
            for offset, phone in enumerate(batch):
                tasks.append(asyncio.ensure_future(self.phone_loop(phone, self.servers[(first + offset) % 2])))
            await asyncio.sleep(1)
        print(f"  phones connecting; the soak starts ({time.monotonic() - started:.0f} s of set-up)", flush=True)

        desk_stop = threading.Event()
        desk = threading.Thread(target=self.desk, args=(officers, token, desk_stop), daemon=True)
        desk.start()
        background = [asyncio.ensure_future(self.churn(phones)), asyncio.ensure_future(self.faults(self.wanted.minutes))]
        soak_started = time.monotonic()
        try:
            while (elapsed := time.monotonic() - soak_started) < self.wanted.minutes * 60:
                await asyncio.sleep(min(60, self.wanted.minutes * 60 - elapsed))
                self.print_figures((time.monotonic() - soak_started) / 60, await asyncio.to_thread(self.figures, phones))
            desk_stop.set()
            for task in background:
                task.cancel()
            # Settle: the last dispatches reach their phones; then nothing may be missing.
            deadline = time.monotonic() + SETTLE_S
            while True:
                final = await asyncio.to_thread(self.figures, phones, grace_s=0)
                if (final["lost"] == 0 and final["receipts_missing"] == 0) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(2)
            print("final (everything stored, settled):", flush=True)
            self.print_figures((time.monotonic() - soak_started) / 60, final)
            print(f"  faults: {'; '.join(self.events) or 'none (too short a run)'}", flush=True)
        finally:
            self.stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
        ok = final["lost"] == 0 and final["duplicated"] == 0 and final["receipts_missing"] == 0
        print("soak: OK" if ok else "soak: FAILED (lost, duplicated or unreceived frames above)", flush=True)
        return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

"""A real Daphne server on the test database, and helpers for driving it from a browser.

Starting Daphne costs seconds, so servers are shared: a `ServerPool` keeps one
process per settings (Redis URL and environment) for the whole session. Tests
still see their own data, because each test commits it to the one test
database (transactional_db) that every server reads, and the database is
emptied after each test.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.db import connection, connections

from tests.helpers import FAST_HASHER, PASSWORD, ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}

# Timers the pages read from their config (settings read from the environment),
# shortened so a test waits no longer than the behaviour needs. The servers the
# tests start run with these; tests of the defaults render the pages in-process.
TEST_TIMERS = {
    "STATION_FINDER_GEOLOCATION_TIMEOUT_S": "2",
    "STATION_SCREEN_SLOGAN_S": "2",
    "STATION_SCREEN_POLL_S": "1",
    "FIELD_STEP_COOL_DOWN_MS": "300",
    "DISPATCH_FIGURE_THROTTLE_MS": "1000",
    "FIELD_OUTBOX_RETRY_BASE_MS": "100",
    "FIELD_OUTBOX_RETRY_CAP_MS": "800",
    "FIELD_OUTBOX_POLL_MS": "1000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_subprocess() -> str:
    """The test database as a DATABASE_URL, for servers started by tests."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


def process_stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the process to end; kill it when it has not within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class LiveServer:
    """A Daphne subprocess serving fieldapp.project.asgi against the test database."""

    def __init__(self, *, redis_url: str | None = None, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        environment = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "DEBUG": "true", "PYTHONUNBUFFERED": "1",
                       "PASSWORD_HASHERS": FAST_HASHER}
        environment.pop("REDIS_URL", None)
        environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if redis_url:
            environment["REDIS_URL"] = redis_url
        environment.update(env or {})
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"daphne-{self.port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            # Daphne drops a WebSocket handshake not done in 5 s; on a CI machine running
            # three test workers, a burst of handshakes can take longer than that.
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "--websocket_connect_timeout", "20",
             "fieldapp.project.asgi:application"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except Exception:  # noqa: BLE001
                time.sleep(0.1)
        raise RuntimeError(f"daphne did not become ready:\n{self.log_path.read_text()}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        process_stop(self.process)
        self.log.close()


class ServerPool:
    """One running Daphne per settings, for the whole test session."""

    def __init__(self, *, base_env: dict[str, str] | None = None) -> None:
        # What every server gets unless a test says otherwise, e.g. folders outside the repository.
        self.base_env = dict(base_env or {})
        self._servers: dict[tuple[str | None, tuple[tuple[str, str], ...]], LiveServer] = {}

    def settings_env(self, env: dict[str, str] | None) -> dict[str, str]:
        """The variables that make a server's settings: the test timers, the pool's, then the test's own."""
        return {**TEST_TIMERS, **self.base_env, **(env or {})}

    def start(self, *, redis_url: str | None, env: dict[str, str] | None = None) -> LiveServer:
        """A new process, not kept in the pool: the caller stops it."""
        return LiveServer(redis_url=redis_url, env=self.settings_env(env))

    def get(self, *, redis_url: str | None, env: dict[str, str]) -> LiveServer:
        # Keyed by the settings the server ends up with, so a test that spells
        # out a default (MEDIA_ROOT, a test timer) still shares the server.
        key = (redis_url, tuple(sorted(self.settings_env(env).items())))
        server = self._servers.get(key)
        if server is None or not server.alive():
            # A test may have stopped it on purpose; start a new one in its place.
            server = self.start(redis_url=redis_url, env=env)
            self._servers[key] = server
        return server

    def stop_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Any, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form."""
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def in_thread(function: Any, /, **kwargs: Any) -> Any:
    """Call a service outside Playwright's event loop, so its after-commit push can run."""
    def call() -> Any:
        try:
            return function(**kwargs)
        finally:
            # The thread's own connection would otherwise outlive the test database.
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def api_post(server: LiveServer, user: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST to the live server's API as `user`, as the desk does: the server itself writes and
    pushes, so its sockets hear it on any channel layer (a service called in the test process
    pushes on the test process's own in-memory layer, which no server socket listens to)."""
    from rest_framework.authtoken.models import Token

    token = in_thread(lambda: Token.objects.get_or_create(user=user)[0].key)
    request = urllib.request.Request(
        f"{server.url}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())

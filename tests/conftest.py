"""Shared fixtures: personas, API clients, a real Daphne server and a real browser.

Services a test needs (Chromium, PostgreSQL, Redis) are never silently
skipped in CI: with CI=true a missing service fails the test.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from fieldapp.models import Officer, Squad
from common.roles import DISPATCHER, OFFICER, STATION_MANAGER

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REDIS_TEST_URL = os.environ.get("REDIS_URL") or os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
ARTIFACTS = ROOT / "test-artifacts"


def require(available: bool, what: str) -> None:
    """Skip on a developer machine without the service; fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available on this machine")


def redis_available(url: str = REDIS_TEST_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:
    """Hash test passwords in microseconds; PBKDF2 costs about 0.5 s a hash here."""
    settings.PASSWORD_HASHERS = [FAST_HASHER]


# --- database -------------------------------------------------------------

@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On SQLite, keep the test database in a file so a Daphne subprocess can share it."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    else:
        suffix = os.environ.get("TEST_DB_SUFFIX")
        if suffix:
            database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{suffix}"


def database_url_for_subprocess() -> str:
    """The test database as a DATABASE_URL, for servers started by tests."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


# --- personas -------------------------------------------------------------

PASSWORD = "correct-horse-battery"


def make_user(username: str, *, group: str | None = None, full_name: str = "", **extra: Any):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=full_name, **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def squad(db) -> Squad:
    return Squad.objects.create(name="市医院中队", code="shiyiyuan", brigade="执勤二大队")


@pytest.fixture
def other_squad(db) -> Squad:
    return Squad.objects.create(name="灯塔中队", code="dengta", brigade="执勤二大队")


@pytest.fixture
def officer(db, squad) -> Officer:
    user = make_user("officer", group=OFFICER, full_name="王军")
    return Officer.objects.create(user=user, badge_number="371501", call_sign="铁骑01", squad=squad, phone="13800000001")


@pytest.fixture
def other_officer(db, other_squad) -> Officer:
    user = make_user("other_officer", group=OFFICER, full_name="李强")
    return Officer.objects.create(user=user, badge_number="371502", call_sign="铁骑02", squad=other_squad)


@pytest.fixture
def dispatcher(db):
    return make_user("dispatcher", group=DISPATCHER, full_name="周指挥")


@pytest.fixture
def station_manager(db):
    return make_user("station_manager", group=STATION_MANAGER, full_name="吴站长")


@pytest.fixture
def other_station_manager(db):
    return make_user("other_station_manager", group=STATION_MANAGER, full_name="郑站长")


@pytest.fixture
def admin(db):
    return make_user("admin", full_name="管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


# --- a real server and a real browser -------------------------------------

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
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "fieldapp.project.asgi:application"],
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
                time.sleep(0.2)
        raise RuntimeError(f"daphne did not become ready:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def live_server_factory(transactional_db):
    """Start Daphne processes on the test database; data must be committed (transactional_db)."""
    servers: list[LiveServer] = []

    def start(**kwargs: Any) -> LiveServer:
        server = LiveServer(redis_url=kwargs.pop("redis_url", os.environ.get("REDIS_URL") or None), **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def daphne(live_server_factory) -> LiveServer:
    return live_server_factory()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium per test module.

    Not per session: Playwright's sync API keeps an event loop running in this
    thread while it lives, and async tests in later modules need the thread
    free to run their own loop.
    """
    require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # That running loop also trips Django's async-safety check for every ORM
    # call in the browser tests. The check stays on inside the Daphne servers
    # under test, and comes back on once the browser is gone.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(**PHONE)
    yield context
    context.close()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(**DESKTOP)
    yield context
    context.close()


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

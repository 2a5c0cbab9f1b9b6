"""Shared fixtures: personas, API clients, jobs, stations, a real Daphne server and a real browser.

Plain helpers (make_user, new_job, make_station, ...) live in tests/helpers.py,
the server and browser helpers in tests/live.py. Services a test needs
(Chromium, PostgreSQL, Redis) are never silently skipped in CI: with CI=true a
missing service fails the test.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from common.roles import DISPATCHER, OFFICER, STATION_MANAGER
from fieldapp.models import Assignment, Job, Officer, Squad
from stations.models import PlaylistItem, Slogan, Station
from tests.helpers import (
    FAST_HASHER,
    dispatch,
    make_city_station,
    make_station,
    make_user,
    make_video,
    new_job,
    on_duty,
    require,
)
from tests.live import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, LiveServer, ServerPool


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:
    """Hash test passwords in microseconds; PBKDF2 costs about 0.5 s a hash here."""
    settings.PASSWORD_HASHERS = [FAST_HASHER]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path: Path) -> Path:
    """Record photos go to a folder of the test's own, checked for leftovers by the tests."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """A channel layer object of the test's own.

    Each async test runs on an event loop of its own, and a Redis layer keeps
    per-loop state (its shared receive loop, its lock, its count of
    receivers). A consumer left waiting when an earlier test's loop closed
    made every later test on that layer fail with "Two event loops are trying
    to receive() on one channel layer at once!", or hang in teardown.
    """
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def empty_channel_layer() -> None:
    """The in-memory layer is one object per process; start a socket test without old groups."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()


# --- database -------------------------------------------------------------

@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On SQLite, keep the test database in a file so a Daphne subprocess can share it.

    On PostgreSQL each pytest-xdist worker gets a database of its own
    (test_test_gw0, ...), and TEST_DB_SUFFIX keeps runs apart that share the server.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # tmp_path_factory is already the worker's own under xdist.
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        return
    parts = [part for part in (os.environ.get("TEST_DB_SUFFIX"), os.environ.get("PYTEST_XDIST_WORKER")) if part]
    if parts:
        database.setdefault("TEST", {})["NAME"] = "_".join(["test", database["NAME"], *parts])


@pytest.fixture(scope="session", autouse=True)
def quick_flush_on_postgresql() -> Iterator[None]:
    """Empty the tables after a transactional test with DELETE, not TRUNCATE, on PostgreSQL.

    TRUNCATE of every table costs about 0.75 s here, on every transactional
    test; DELETE of a test's few rows costs a hundredth of that. Django makes
    PostgreSQL foreign keys DEFERRABLE INITIALLY DEFERRED and flushes in one
    transaction, so the order of the deletes does not matter.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.core.management.color import no_style
    from django.db import IntegrityError

    operations = type(connection.ops)
    truncate = operations.sql_flush
    execute = operations.execute_sql_flush

    def execute_sql_flush(self, sql_list: list[str]) -> None:  # type: ignore[no-untyped-def]
        try:
            execute(self, sql_list)
        except IntegrityError:
            # A test's Daphne wrote a row after its delete (a position batch due
            # when the phone's page closed): TRUNCATE takes every table at once.
            tables = [re.search(r'"([^"]+)"', sql).group(1) for sql in sql_list if sql.startswith("DELETE FROM")]
            if not tables:
                raise
            execute(self, truncate(self, no_style(), tables, allow_cascade=True))

    def sql_flush(self, style, tables, *, reset_sequences: bool = False, allow_cascade: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    operations.sql_flush = sql_flush
    operations.execute_sql_flush = execute_sql_flush
    yield
    operations.sql_flush = truncate
    operations.execute_sql_flush = execute


# --- personas -------------------------------------------------------------

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


# --- dispatch -------------------------------------------------------------

@pytest.fixture
def job(dispatcher) -> Job:
    return new_job(dispatcher)


@pytest.fixture
def duty_officer(officer) -> Officer:
    return on_duty(officer)


@pytest.fixture
def assignment(job, dispatcher, duty_officer) -> Assignment:
    (created,) = dispatch(job, dispatcher, duty_officer)
    return created


@pytest.fixture
def third_officer(db, squad) -> Officer:
    user = make_user("third_officer", group=OFFICER, full_name="张伟")
    return Officer.objects.create(user=user, badge_number="371503", call_sign="铁骑03", squad=squad)


# --- stations -------------------------------------------------------------

@pytest.fixture
def calendar_2026(db) -> None:
    from stations.services import holiday_calendar_seed

    holiday_calendar_seed(years=[2026])


@pytest.fixture
def station(db, calendar_2026) -> Station:
    return make_station()


@pytest.fixture
def managed_station(db, station, station_manager) -> Station:
    station.managers.add(station_manager)
    return station


@pytest.fixture
def others_station(db, calendar_2026, other_station_manager) -> Station:
    other = make_station("dengta", name="灯塔中队", lat=36.47, lng=115.99)
    other.managers.add(other_station_manager)
    return other


@pytest.fixture
def stations_city(db, station_manager, other_station_manager) -> dict[str, Station]:
    """Care stations around Liaocheng (36.45 N, 115.98 E) for the stations UI tests."""
    shiyiyuan = make_city_station(
        "shiyiyuan", "市医院中队", 36.4561, 115.9854, amenities=["cooling", "drinking_water", "restroom", "wifi"]
    )
    shiyiyuan.managers.add(station_manager)
    dengta = make_city_station("dengta", "灯塔中队", 36.4700, 115.9700)
    dengta.managers.add(other_station_manager)
    # Nearest to NEAR_BEISHUN but closed: the finder must put the open one first.
    beishun = make_city_station("beishun", "北顺中队", 36.4945, 115.9852, closed_now=True, closed_reason="外出执勤")
    huxi = make_city_station("huxi", "湖西中队", 36.4400, 115.9500, published=False)
    qichezhan = make_city_station(
        "qichexizhan", "汽车西站交管服务网点", 36.4480, 115.9300, amenities=["ebike_charging", "repair_tools"]
    )
    return {"shiyiyuan": shiyiyuan, "dengta": dengta, "beishun": beishun, "huxi": huxi, "qichexizhan": qichezhan}


@pytest.fixture(scope="session")
def shared_media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def media_root(settings, shared_media_root) -> Path:
    """An empty MEDIA_ROOT for this test.

    The folder is the same in every test, so a test server started with it
    can be reused; it is emptied before each test instead.
    """
    shutil.rmtree(shared_media_root)
    shared_media_root.mkdir()
    settings.MEDIA_ROOT = str(shared_media_root)
    return shared_media_root


@pytest.fixture
def screen_station(stations_city, media_root) -> Station:
    station = stations_city["shiyiyuan"]
    first = make_video("安全头盔", "safety-1.webm")
    second = make_video("礼让行人", "safety-2.webm")
    PlaylistItem.objects.create(station=station, video=first, position=0)
    PlaylistItem.objects.create(station=station, video=second, position=1)
    Slogan.objects.create(station=station, text="一盔一带 安全常在", position=0)
    return station


# --- a real server and a real browser -------------------------------------

@pytest.fixture(scope="session")
def live_servers(django_db_setup, tmp_path_factory: pytest.TempPathFactory, shared_media_root) -> Iterator[ServerPool]:
    """The session's Daphne processes; stopped before the test database is dropped."""
    # Servers serve what tests save through media_root, and record photos
    # uploaded through them never land in the repository's private/.
    pool = ServerPool(base_env={
        "MEDIA_ROOT": str(shared_media_root),
        "PRIVATE_MEDIA_ROOT": str(tmp_path_factory.mktemp("private-live")),
    })
    yield pool
    pool.stop_all()


@pytest.fixture
def live_server_factory(transactional_db, live_servers):
    """A Daphne on the test database; data must be committed (transactional_db).

    A server with the same Redis URL and environment as an earlier test's is
    that same running process. `fresh=True` starts a process of the test's own,
    stopped when the test ends: for tests that need two servers, or that stop,
    load or break the one they get.
    """
    own: list[LiveServer] = []
    # To rule the sharing out when a test misbehaves: LUCHANG_TEST_FRESH_SERVERS=1.
    always_fresh = os.environ.get("LUCHANG_TEST_FRESH_SERVERS") == "1"

    def start(*, redis_url: str | None = None, env: dict[str, str] | None = None, fresh: bool = False) -> LiveServer:
        redis_url = redis_url or os.environ.get("REDIS_URL") or None
        if not (fresh or always_fresh):
            return live_servers.get(redis_url=redis_url, env=env or {})
        server = live_servers.start(redis_url=redis_url, env=env)
        own.append(server)
        return server

    yield start
    for server in own:
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


# Modules whose code has SQL of its own for PostgreSQL (UPDATE ... FROM (VALUES ...),
# window functions, the bounding-box search), so their tests belong on PostgreSQL too.
BACKEND_SQL_MODULES = {
    "test_ingest_batches", "test_ingest_track", "test_ingest_ws", "test_figures_api", "test_figures_demo",
    "test_roadwork_rates", "test_roadwork_api", "test_stations_nearest", "test_stations_queries",
    "test_dispatch_services", "test_records_found", "test_plainsql", "test_dispatch_shapes",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what the production-stack run (PostgreSQL + Redis) must repeat: `production`.

    That is every test that commits (transactional_db: real transactions, row locks,
    pushes after the commit, sockets over the channel layer) and every test of a
    module with SQL of its own. Tests inside a rolled-back transaction that go
    through the ORM alone run once, on SQLite.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        commits = "transactional_db" in fixtures or "live_server_factory" in fixtures or (
            marker is not None and marker.kwargs.get("transaction", False))
        if commits or item.module.__name__.rsplit(".", 1)[-1] in BACKEND_SQL_MODULES:
            item.add_marker(pytest.mark.production)

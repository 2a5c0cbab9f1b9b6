"""PostgreSQL's connection pool on a real Daphne (issue 10): a burst never takes more connections than the pool's cap.

Sixty requests at once, each needing the database, go to one server whose pool
holds at most three connections. PostgreSQL itself counts the server's
connections (by its application_name) while they run; every request is
answered, and /healthz shows the pool's bounds and that nobody waits after it.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.faults import http_get
from tests.helpers import require
from tests.live import database_url_for_subprocess

pytestmark = [pytest.mark.multiprocess, pytest.mark.postgres]

POOL_MAX = 3
APPLICATION = "luchang-pool-test"


def server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION])
        return cursor.fetchone()[0]


def test_a_burst_of_requests_shares_the_pools_few_connections(live_server_factory, stations_city):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    server = live_server_factory(fresh=True, env={
        "DATABASE_URL": f"{database_url_for_subprocess()}?application_name={APPLICATION}",
        "DATABASE_POOL": "true", "DATABASE_POOL_MIN": "1", "DATABASE_POOL_MAX": str(POOL_MAX),
    })
    status, health = http_get(f"{server.url}/healthz")
    assert status == 200
    assert health["database"]["pool"]["min"] == 1
    assert health["database"]["pool"]["max"] == POOL_MAX

    most_seen = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal most_seen
        while not done.is_set():
            most_seen = max(most_seen, server_connections())
            time.sleep(0.005)

    urls = [f"{server.url}/api/v1/stations/?lat=36.45&lng=115.98" if n % 2 else f"{server.url}/healthz" for n in range(60)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=30) as requests:
            answers = list(requests.map(lambda url: http_get(url, timeout=30), urls))
    finally:
        done.set()
        watcher.join()

    assert [status for status, _ in answers] == [200] * 60
    assert {station["slug"] for station in answers[1][1]["results"]} <= set(stations_city)
    assert answers[1][1]["results"]
    assert 1 <= most_seen <= POOL_MAX
    assert server_connections() <= POOL_MAX
    _, health = http_get(f"{server.url}/healthz")
    pool = health["database"]["pool"]
    assert pool["size"] <= POOL_MAX and pool["waiting"] == 0


def test_healthz_says_there_is_no_pool_when_it_is_off(live_server_factory):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    server = live_server_factory(env={"DATABASE_POOL": "false"})
    status, health = http_get(f"{server.url}/healthz")
    assert status == 200
    assert health["database"] == {"ok": True, "vendor": "postgresql", "pool": None}

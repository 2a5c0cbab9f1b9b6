"""The servers store the presence of ended post windows by themselves (fieldapp/housekeeping.py).

Only settled windows, each once, nothing on a pass with nothing new, through a
database error, and with several processes at once. The known data set
(tests/test_roadwork_rates.py): one point, Monday covered by 15 minutes, Tuesday
not (5 minutes).
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fieldapp import housekeeping
from fieldapp.models import SettledPresence, TrackFix
from fieldapp.roadwork_selectors import active_points_with_windows, rates_for_range
from fieldapp.roadwork_services import presence_fill
from tests.faults import wait_until
from tests.helpers import ROOT, at_once, require
from tests.live import database_url_for_subprocess, process_stop
from tests.test_roadwork_rates import MONDAY, TUESDAY, load_known, moment


@pytest.fixture
def known(squad, officer, dispatcher):  # type: ignore[no-untyped-def]
    return load_known(squad, officer, dispatcher)


@pytest.fixture
def back_to_monday(settings) -> int:
    """The track's retention reaches back to the known Monday, so a first pass looks at it."""
    settings.POSITION_TRACK_RETENTION_DAYS = (timezone.localdate() - MONDAY).days + 1
    return settings.POSITION_TRACK_RETENTION_DAYS


def stored() -> list[tuple]:
    return list(SettledPresence.objects.order_by("start").values_list("start", "visits"))


def every_window_once() -> tuple[int, int]:
    """How many windows are stored, and how many the known point has from Monday to today (ended ones)."""
    points, windows = active_points_with_windows(first=MONDAY, last=timezone.localdate())
    now = timezone.now()
    ended = sum(1 for ws in windows.values() for w in ws if w.end <= now - timedelta(minutes=5))
    keys = Counter(SettledPresence.objects.values_list("point_id", "start", "end", "basis"))
    assert set(keys.values()) <= {1}
    return len(keys), ended


def test_a_pass_stores_only_windows_ended_more_than_settle_ago_and_the_next_pass_nothing(known, settings):
    settings.POSITION_TRACK_RETENTION_DAYS = 2
    first = housekeeping.presence_pass(first=None, now=moment(TUESDAY, "09:04"))  # Tuesday's ended 4 minutes ago
    assert first.stored == 1
    assert stored() == [(moment(MONDAY, "07:00"), 1)]

    later = housekeeping.presence_pass(first=first.next_first, now=moment(TUESDAY, "09:06"))
    assert later.stored == 1
    assert stored() == [(moment(MONDAY, "07:00"), 1), (moment(TUESDAY, "07:00"), 1)]
    assert housekeeping.presence_pass(first=later.next_first, now=moment(TUESDAY, "09:30")).stored == 0

    # The figures page reads what the passes stored, without the track.
    TrackFix.objects.all().delete()
    rates = rates_for_range(first=MONDAY, last=TUESDAY)
    assert (rates.visibility.part, rates.visibility.whole, rates.by_point[0].officer_minutes) == (1, 2, 20.0)


def test_a_pass_with_nothing_new_reads_a_day_of_stored_windows_and_never_the_track(known, back_to_monday):
    catch_up = housekeeping.presence_pass(first=None)
    assert catch_up.stored == every_window_once()[1] > 2
    assert catch_up.next_first == timezone.localdate() - timedelta(days=1)

    with CaptureQueriesContext(connection) as queries:
        again = housekeeping.presence_pass(first=catch_up.next_first)
    assert again.stored == 0
    sql = [query["sql"] for query in queries.captured_queries if "advisory" not in query["sql"]]
    assert not any("fieldapp_trackfix" in statement for statement in sql)
    assert len(sql) <= 3, sql  # the calendar, the points, the stored windows (and on PostgreSQL the lock)


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_a_pass_is_logged_and_the_next_pass_stores(known, back_to_monday, settings, caplog):
    settings.ROADWORK_FILL_EVERY_S = 0.05
    caplog.set_level(logging.ERROR, logger="fieldapp.housekeeping")
    stop = threading.Event()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE fieldapp_settledpresence RENAME TO fieldapp_settledpresence_away")
    thread = threading.Thread(target=housekeeping.serve, kwargs={"stop": stop})
    try:
        thread.start()
        failures = lambda: [r for r in caplog.records if r.name == "fieldapp.housekeeping" and r.exc_info]  # noqa: E731
        wait_until(lambda: len(failures()) >= 2, "two failed passes")
        assert "housekeeping pass failed" in failures()[0].getMessage()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE fieldapp_settledpresence_away RENAME TO fieldapp_settledpresence")
    try:
        wait_until(lambda: SettledPresence.objects.filter(start=moment(TUESDAY, "07:00")).exists(), "a pass that stores")
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert stored()[:2] == [(moment(MONDAY, "07:00"), 1), (moment(TUESDAY, "07:00"), 1)]
    count, ended = every_window_once()
    assert count == ended


# --- several processes: PostgreSQL ----------------------------------------------------


@pytest.fixture
def postgres() -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_store_each_window_once_and_one_of_them_does_the_work(postgres, known, back_to_monday):
    passes = at_once(2, lambda i: housekeeping.presence_pass(first=None))
    assert not [p for p in passes if isinstance(p, Exception)], passes
    count, ended = every_window_once()
    assert count == ended > 2
    # The other pass found the lock held (None) or, when it came second, nothing left (0).
    assert sorted(p.stored or 0 for p in passes) == [0, ended]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_fills_racing_without_the_lock_store_each_window_once_and_raise_nothing(postgres, known):
    # As `manage.py roadwork_presence` and a first read of the rates do, at the same moment.
    today = timezone.localdate()
    results = at_once(2, lambda i: presence_fill(first=MONDAY, last=today))
    assert not [r for r in results if isinstance(r, Exception)], results
    count, ended = every_window_once()
    assert count == ended > 2


# --- the processes that run it: Daphne and manage.py notify_worker --------------------


@pytest.mark.multiprocess
def test_two_daphnes_with_the_worker_in_process_store_each_window_once(live_server_factory, known, back_to_monday):
    env = {"NOTIFY_WORKER_IN_PROCESS": "true", "POSITION_TRACK_RETENTION_DAYS": str(back_to_monday),
           "ROADWORK_FILL_EVERY_S": "0.2"}
    servers = [live_server_factory(env=env, fresh=True) for _ in range(2)]
    wait_until(lambda: SettledPresence.objects.filter(start=moment(TUESDAY, "07:00")).exists(), "the stored windows")
    count, ended = every_window_once()
    assert count == ended
    assert stored()[:2] == [(moment(MONDAY, "07:00"), 1), (moment(TUESDAY, "07:00"), 1)]
    # Their passes go on every 0.2 s; only the first stored anything.
    logs = [server.log_path.read_text() for server in servers]
    assert sum(log.count("housekeeping stored the presence") for log in logs) == 1
    assert all(server.alive() for server in servers) and not any("Traceback" in log for log in logs)


@pytest.mark.multiprocess
def test_manage_py_notify_worker_stores_the_windows_and_stops_on_sigterm(transactional_db, known, back_to_monday):
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "POSITION_TRACK_RETENTION_DAYS": str(back_to_monday),
           "ROADWORK_FILL_EVERY_S": "0.2", "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    worker = subprocess.Popen([sys.executable, "manage.py", "notify_worker"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: SettledPresence.objects.filter(start=moment(TUESDAY, "07:00")).exists(), "the stored windows")
    finally:
        process_stop(worker)
    output = worker.stdout.read()
    assert worker.returncode == 0, output
    assert "housekeeping stored the presence" in output and "Traceback" not in output
    count, ended = every_window_once()
    assert count == ended

"""Housekeeping beside the escalation worker: the presence of ended post windows is stored as they end.

The road-work rates read stored windows (fieldapp/presence.py) and compute a
missing one from the track on first read, which for a city's month takes about
20 s. So every ROADWORK_FILL_EVERY_S each process that runs the worker (a thread
of each Daphne with NOTIFY_WORKER_IN_PROCESS, or of `manage.py notify_worker`)
stores the windows ended since its last pass, through the same service as
`manage.py roadwork_presence`, and nobody has to schedule that command. A
process's first pass looks back over the track's retention, so a new deployment
or a server that was down catches up; later ones look back a day.

It is a plain thread, not a task on Daphne's loop: it pushes nothing, and its
database work and its Python (the visits of a day of fixes) then never hold up a
socket's callbacks. On PostgreSQL an advisory lock lets one process at a time do
a pass and the others skip theirs. Nothing breaks without it: the rows are
unique and stored with ON CONFLICT DO NOTHING, so a pass, the command and a
reader of the rates storing the same window at once store it once.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from fieldapp.roadwork_services import presence_fill

log = logging.getLogger("fieldapp.housekeeping")

FILL_LOCK_ID = 0x4C43_5250  # "LCRP": the presence fill (the traffic sampler's is "LCRF")

_started: threading.Thread | None = None


@dataclass(frozen=True)
class FillPass:
    """One pass: how many windows it stored (None: another process held the lock) and where the next one starts."""

    stored: int | None
    next_first: date | None


@contextmanager
def only_one_process(lock_id: int) -> Iterator[bool]:
    """Yields whether this process holds the lock; on SQLite (one process at a time) it always does.

    A session lock, not a transaction's: the fill commits a day at a time, so a reader
    of the rates storing the same window never waits for a whole pass to commit.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def presence_pass(*, first: date | None, now: datetime | None = None) -> FillPass:
    """Store the settled windows of the days from `first` (None: the track's retention) to today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if first is None:
        first = today - timedelta(days=settings.POSITION_TRACK_RETENTION_DAYS - 1)
    with only_one_process(FILL_LOCK_ID) as held:
        if not held:
            # The process holding the lock does these days; this one looks at them again next time.
            return FillPass(stored=None, next_first=first)
        stored = presence_fill(first=min(first, today), last=today, now=now)
    # A window that started yesterday may end after midnight, after this pass.
    return FillPass(stored=stored, next_first=today - timedelta(days=1))


def serve(*, stop: threading.Event) -> None:
    """Run a pass every ROADWORK_FILL_EVERY_S until `stop` is set; a failed pass is logged and tried again."""
    first: date | None = None
    while not stop.is_set():
        started = time.monotonic()
        try:
            close_old_connections()
            done = presence_pass(first=first)
            first = done.next_first
            if done.stored:
                log.info("housekeeping stored the presence of %d post windows in %.2f s",
                         done.stored, time.monotonic() - started)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the housekeeping.
            log.exception("housekeeping pass failed; the same days are tried again next pass")
        finally:
            close_old_connections()
        stop.wait(settings.ROADWORK_FILL_EVERY_S)


def start_in_background(stop: threading.Event | None = None) -> threading.Thread | None:
    """Start this process's housekeeping thread once; None when ROADWORK_FILL_EVERY_S is 0."""
    global _started
    if _started is not None or settings.ROADWORK_FILL_EVERY_S <= 0:
        return _started
    _started = threading.Thread(target=serve, kwargs={"stop": stop or threading.Event()}, name="housekeeping", daemon=True)
    _started.start()
    return _started

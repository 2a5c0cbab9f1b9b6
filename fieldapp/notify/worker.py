"""The escalation worker: runs due steps, in a thread of each Daphne process or as `manage.py notify_worker`.

It sleeps until the earliest stored due time (at most NOTIFY_POLL_S, since
another process may add an earlier one) or until a dispatch in this process
wakes it. Every process may run one: the claim (services.claim_due) hands
each due step to exactly one of them.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from fieldapp.notify import services

log = logging.getLogger("fieldapp.notify")

_started: threading.Thread | None = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def serve(*, stop: threading.Event, name: str | None = None) -> None:
    name = name or worker_name()
    log.info("notify worker %s started", name)
    pool = ThreadPoolExecutor(max_workers=settings.NOTIFY_SEND_THREADS, thread_name_prefix="notify-send")
    while not stop.is_set():
        wait_s = settings.NOTIFY_POLL_S
        try:
            close_old_connections()
            services.run_due(worker=name, pool=pool)
            due_at = services.next_due_at()
            if due_at is not None:
                wait_s = max(0.0, min(wait_s, (due_at - timezone.now()).total_seconds()))
        except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup.
            log.exception("notify worker pass failed")
        finally:
            close_old_connections()
        if wait_s > 0 and services.wake.wait(wait_s):
            services.wake.clear()
    pool.shutdown(wait=True)


def start_in_background() -> threading.Thread:
    """Start the worker thread of this process once (NOTIFY_WORKER_IN_PROCESS)."""
    global _started
    if _started is None or not _started.is_alive():
        _started = threading.Thread(target=serve, kwargs={"stop": threading.Event()}, name="notify-worker", daemon=True)
        _started.start()
    return _started

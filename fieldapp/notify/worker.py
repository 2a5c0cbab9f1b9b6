"""The escalation worker: runs due steps, in a thread of each Daphne process or as `manage.py notify_worker`.

It sleeps until the earliest stored due time (at most NOTIFY_POLL_S, since
another process may add an earlier one) or until a dispatch in this process
wakes it. Every process may run one: the claim (services.claim_due) hands
each due step to exactly one of them.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from fieldapp import housekeeping
from fieldapp.notify import services

log = logging.getLogger("fieldapp.notify")

_started: Any = None


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _sleep_before_next_due(poll_s: float) -> float:
    """The poll interval, or less when the next step falls due sooner."""
    due_at = services.next_due_at()
    if due_at is None:
        return poll_s
    return max(0.0, min(poll_s, (due_at - timezone.now()).total_seconds()))


def serve(*, stop: threading.Event, name: str | None = None) -> None:
    name = name or worker_name()
    log.info("notify worker %s started", name)
    pool = ThreadPoolExecutor(max_workers=settings.NOTIFY_SEND_THREADS, thread_name_prefix="notify-send")
    while not stop.is_set():
        wait_s = settings.NOTIFY_POLL_S
        try:
            close_old_connections()
            services.run_due(worker=name, pool=pool)
            wait_s = _sleep_before_next_due(wait_s)
        except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup.
            log.exception("notify worker pass failed")
        finally:
            close_old_connections()
        if wait_s > 0 and services.wake.wait(wait_s):
            services.wake.clear()
    pool.shutdown(wait=True)


def _pass(name: str) -> tuple[list[services.Claim], float]:
    """Claim what is due; returns the claims and how long to sleep when there were none."""
    wait_s = settings.NOTIFY_POLL_S
    claims: list[services.Claim] = []
    try:
        close_old_connections()
        claims = services.claim_due(worker=name)
        for claim in claims:
            log.info("notify %s assignment=%s worker=%s", claim.step.name, claim.assignment_id, name)
        wait_s = _sleep_before_next_due(wait_s)
    except Exception:  # noqa: BLE001 - the loop must outlive a database hiccup.
        log.exception("notify worker pass failed")
    finally:
        close_old_connections()
    return claims, wait_s


async def serve_async(name: str | None = None) -> None:
    """The worker as a task on Daphne's event loop.

    Every database call and every send runs through sync_to_async, so the
    pushes it makes (the desk's `assignment.notified`) reach this process's
    channel layer from its own loop, the in-memory layer of `make run` included.
    """
    name = name or worker_name()
    log.info("notify worker %s started (in Daphne)", name)
    claim_run = sync_to_async(services._claim_run_in_thread, thread_sensitive=False)
    one_pass = sync_to_async(_pass, thread_sensitive=False)
    sending: set[asyncio.Future[Any]] = set()
    while True:
        claims, wait_s = await one_pass(name)
        # Claimed steps are sent in the background: a slow provider never delays the next due step.
        for claim in claims:
            task = asyncio.ensure_future(claim_run(claim))
            sending.add(task)
            task.add_done_callback(sending.discard)
        if not claims and wait_s > 0:
            await asyncio.sleep(wait_s)


def start_in_background() -> None:
    """Start the worker of this process once (NOTIFY_WORKER_IN_PROCESS): on Daphne's loop, else in a thread."""
    global _started
    if _started is not None:
        return
    # Beside it, in a thread of its own: the road-work windows are stored as they end (fieldapp/housekeeping.py).
    housekeeping.start_in_background()
    daphne_server = sys.modules.get("daphne.server")
    loop = getattr(daphne_server, "twisted_loop", None)
    if loop is not None:
        # The loop starts after the application is imported; the task waits for it.
        _started = asyncio.run_coroutine_threadsafe(serve_async(), loop)
        return
    _started = threading.Thread(target=serve, kwargs={"stop": threading.Event()}, name="notify-worker", daemon=True)
    _started.start()

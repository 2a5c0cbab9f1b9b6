"""Dispatch pushes: group names, message shapes and the *_on_commit senders.

This is the only module of fieldapp that talks to the channel layer. A push is
only a nudge: the database is the truth, and an officer's frames are stored
(OfficerMessage) before they are pushed, so a phone that missed one resumes.
Payloads have the shapes of the REST API (fieldapp.serializers).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from fieldapp.fixes import iso_local
from fieldapp.models import Assignment, Job, Officer, OfficerMessage
from fieldapp.notify.serializers import NotificationAttemptOut
from fieldapp.positions import Fix
from fieldapp.records_serializers import JobDeskOut
from fieldapp.serializers import assignment_in_job_json, assignment_json, job_event_json, job_json, officer_json

log = logging.getLogger(__name__)

DISPATCH_GROUP = "dispatch.desk"

# Feed frame types, as the phone sees them.
ASSIGNMENT_NEW = "assignment.new"
ASSIGNMENT_CHANGED = "assignment.changed"
JOB_CHANGED = "job.changed"
JOB_CANCELLED = "job.cancelled"


def officer_group(officer_id: int) -> str:
    return f"officer.{officer_id}"


def plain(data: Any) -> Any:
    """Serializer output as plain JSON types, fit for a JSONField and for msgpack."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def send(group: str, message: dict[str, Any]) -> None:
    send_all([(group, message)])


def send_all(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send messages in order, in one hop to the event loop (async_to_sync costs as much as a query)."""
    # The commit has happened; a channel layer failure must not turn a saved
    # change into an error. The phone recovers through resume, the desk on reload.
    try:
        async_to_sync(_group_send_all)(messages)
    except Exception:  # noqa: BLE001
        log.exception("push to %s failed", ", ".join(group for group, _message in messages))


async def _group_send_all(messages: list[tuple[str, dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    for group, message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:  # noqa: BLE001 - one group's failure must not hold back the others.
            log.exception("push to %s failed", group)


# The pushes being gathered by `one_hop()` on this thread, or None.
_gathered: ContextVar[list[tuple[str, dict[str, Any]]] | None] = ContextVar("gathered_pushes", default=None)


@contextmanager
def one_hop() -> Iterator[None]:
    """The pushes made inside leave together after the commit, in one hop, in the order they were made.

    For a service that pushes several messages (a dispatch tells the officer
    and the desk twice). They are registered with the commit as one callback,
    where the block ends, so they live or die with the same savepoint: no
    savepoint may roll back inside the block while the work goes on.
    """
    outer = _gathered.get()
    if outer is not None:
        # Already gathering: the outer block sends these too.
        yield
        return
    gathered: list[tuple[str, dict[str, Any]]] = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
    # Not reached when the block raised: its work is rolled back, nothing is sent.
    if gathered:
        transaction.on_commit(lambda: send_all(gathered), robust=True)


def _send_on_commit(group: str, message: dict[str, Any]) -> None:
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append((group, message))
    else:
        transaction.on_commit(lambda: send(group, message), robust=True)


# --- shapes ---------------------------------------------------------------
# Built by hand (fieldapp.serializers, "the same shapes, built by hand"): plain JSON already.

def assignment_body(assignment: Assignment) -> dict[str, Any]:
    return {"assignment": assignment_json(assignment)}


def job_body(job: Job) -> dict[str, Any]:
    return {"job": job_json(job)}


def desk_job_json(job: Job, *, now: datetime | None = None, with_events: bool = False) -> dict[str, Any]:
    """JobDeskOut (GET /jobs/ as a dispatcher), or JobDeskDetailOut with the events (the answer to a create).

    The job comes from a fieldapp.selectors job query (or job_just_created). The
    desk's own fields are made by the serializer's methods, so their rules stay in one place.
    """
    desk = JobDeskOut(context={"now": now})
    shape = job_json(job, now)
    shape["assignments"] = [
        {**assignment_in_job_json(assignment, now), "notifications": _notifications(assignment)}
        for assignment in job.assignments.all()
    ]
    if with_events:
        shape["events"] = [job_event_json(event) for event in job.events.all()]
    shape["found_on_patrol"] = desk.get_found_on_patrol(job)
    shape["records"] = plain(desk.get_records(job))
    shape["timeline"] = plain(desk.get_timeline(job))
    return shape


def _notifications(assignment: Assignment) -> list[dict[str, Any]]:
    # As AssignmentDeskOut shows them (prefetched by the selectors); most assignments have none yet.
    attempts = getattr(assignment, "notification_list", [])
    return plain(NotificationAttemptOut(attempts, many=True).data) if attempts else []


def desk_job_body(job: Job) -> dict[str, Any]:
    """The desk's job: with its field records, step timeline and found_on_patrol (GET /jobs/ as a dispatcher)."""
    return {"job": desk_job_json(job)}


def officer_body(officer: Officer) -> dict[str, Any]:
    return {"officer": officer_json(officer)}


# --- officer feed ---------------------------------------------------------

def feed_message_on_commit(message: OfficerMessage) -> None:
    """Nudge the officer's sockets with a stored frame once it is committed."""
    _send_on_commit(
        officer_group(message.officer_id),
        {"type": "feed.message", "seq": message.seq, "frame": message.frame},
    )


# --- dispatch desk --------------------------------------------------------

def desk_job_changed_on_commit(job: Job) -> None:
    _send_on_commit(DISPATCH_GROUP, {"type": "desk.frame", "frame": {"type": JOB_CHANGED, **desk_job_body(job)}})


def desk_assignment_changed_on_commit(assignment: Assignment, body: dict[str, Any] | None = None) -> None:
    """`body`: the assignment_body already made for the officer's feed, so it is serialized once."""
    body = body if body is not None else assignment_body(assignment)
    _send_on_commit(DISPATCH_GROUP, {"type": "desk.frame", "frame": {"type": ASSIGNMENT_CHANGED, **body}})


def desk_officer_changed_on_commit(officer: Officer) -> None:
    _send_on_commit(
        DISPATCH_GROUP, {"type": "desk.frame", "frame": {"type": "officer.changed", **officer_body(officer)}}
    )


def desk_position(fix: Fix) -> dict[str, Any]:
    """One fix as the desk's `officer.positions` lists it: built once, sent as is."""
    return {
        "officer_id": fix.officer_id,
        "lat": fix.lat,
        "lng": fix.lng,
        "accuracy_m": fix.accuracy_m,
        # DRF's DateTimeField writes the same text, at 20× the cost: a tick may hold a thousand fixes.
        "at": iso_local(fix.at),
    }


def desk_positions_on_commit(positions: list[dict[str, Any]]) -> None:
    """A batch's newest fixes in one message; each desk socket coalesces them into at most one batch a second."""
    _send_on_commit(DISPATCH_GROUP, {"type": "desk.positions", "positions": positions})


# --- health ---------------------------------------------------------------

async def _channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    if hasattr(layer, "connection") and hasattr(layer, "ring_size"):
        # Redis: a message to ourselves would wait on channels_redis's shared
        # receive loop, which reads only the consumers' channel while any
        # socket is open. Ask every Redis host, on the pool the consumers use.
        for index in range(layer.ring_size):
            if not await layer.connection(index).ping():
                raise RuntimeError(f"Redis host {index} did not answer PING")
        return
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("unexpected message")


def channel_layer_state(timeout_s: float = 2) -> dict[str, object]:
    """Whether the channel layer works (for /healthz): a message to ourselves in memory, a PING to Redis."""
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]

    async def probe() -> None:
        await asyncio.wait_for(_channel_layer_round_trip(), timeout=timeout_s)

    try:
        async_to_sync(probe)()
    except Exception as exc:  # noqa: BLE001 - any failure means the layer is down.
        return {"ok": False, "backend": backend, "error": exc.__class__.__name__}
    return {"ok": True, "backend": backend}


# --- notifications (fieldapp/notify) --------------------------------------

def desk_notifications_on_commit(*, assignment_id: int, job_id: int) -> None:
    """The attempts to reach the officer so far, after each step (`assignment.notified` on /ws/dispatch/)."""
    from fieldapp.models import NotificationAttempt
    from fieldapp.notify.serializers import NotificationAttemptOut

    def push() -> None:
        attempts = NotificationAttempt.objects.filter(assignment_id=assignment_id).order_by("at", "id")
        frame = {
            "type": "assignment.notified", "assignment_id": assignment_id, "job_id": job_id,
            "notifications": plain(NotificationAttemptOut(attempts, many=True).data),
        }
        send(DISPATCH_GROUP, {"type": "desk.frame", "frame": frame})

    transaction.on_commit(push, robust=True)

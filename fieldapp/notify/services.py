"""Notification writes: the timer of each assignment, the stored attempts, the phone's push subscriptions.

The dispatch services (fieldapp.services) call `timer_start` inside the dispatch
transaction, so a committed assignment always has its timer, and `timer_stop`
when the phone receives the assignment or it ends. The worker (worker.py) runs
the due steps in three short transactions: claim, send (no transaction, the
provider may be slow), record.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from common.geo import haversine_m
from common.maps import distance_text
from fieldapp import events
from fieldapp.models import Assignment, NotificationAttempt, NotificationTimer, Officer, PushSubscription
from fieldapp.notify import base, escalation

log = logging.getLogger("fieldapp.notify")

# Set after a dispatch commits, so the worker in this process runs the first step at once.
wake = threading.Event()


def plan() -> tuple[escalation.Step, ...]:
    return escalation.plan_from_settings(settings.NOTIFY_PLAN)


# --- timers ---------------------------------------------------------------

def timer_start(*, assignment: Assignment) -> NotificationTimer:
    """Called inside the dispatch transaction: the first step is due at once."""
    timer = NotificationTimer.objects.create(assignment=assignment, due_at=assignment.dispatched_at)
    transaction.on_commit(wake.set)
    return timer


def timer_stop(*, assignment_id: int, reason: str, now: datetime | None = None) -> None:
    """Every pending step stops: the phone received the assignment, or it ended."""
    NotificationTimer.objects.filter(assignment_id=assignment_id, due_at__isnull=False).update(
        due_at=None, stopped_at=now or timezone.now(), stop_reason=reason
    )


# --- the context a channel sees -------------------------------------------

def job_link(job_id: int) -> str:
    return f"{settings.NOTIFY_BASE_URL.rstrip('/')}{reverse('field-home')}?job={job_id}"


def attempt_context(*, assignment: Assignment, step: str) -> base.AttemptContext:
    job, officer = assignment.job, assignment.officer
    metres = None
    if officer.fix_lat is not None and officer.fix_lng is not None:
        metres = haversine_m(officer.fix_lat, officer.fix_lng, job.lat, job.lng)
    userid_field = settings.NOTIFY_WECOM.get("userid_field") or "badge_number"
    return base.AttemptContext(
        assignment_id=assignment.pk, job_id=job.pk, job_number=job.number, kind=job.kind,
        kind_label=str(job.get_kind_display()), priority=job.priority, summary=job.summary, address=job.address,
        distance_text=distance_text(metres) if metres is not None else "", link=job_link(job.pk),
        officer_id=officer.pk, phone=officer.phone, step=step, wecom_userid=str(getattr(officer, userid_field, "") or ""),
    )


# --- running a step -------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    timer_id: int
    assignment_id: int
    step: escalation.Step
    worker: str


def _assignment(assignment_id: int) -> Assignment:
    return Assignment.objects.select_related("job", "officer").get(pk=assignment_id)


def _done_steps(assignment_id: int) -> set[str]:
    return set(NotificationAttempt.objects.filter(assignment_id=assignment_id).values_list("step", flat=True))


def _next(assignment: Assignment, done: set[str]) -> escalation.NextStep | None:
    # A step none of whose channels is enabled is passed over, as if done.
    idle = {step.name for step in plan() if not _channel_names(step)}
    return escalation.next_step(
        plan=plan(), priority=assignment.job.priority, dispatched_at=assignment.dispatched_at,
        received=assignment.received_at is not None, active=assignment.active, done_steps=done | idle,
    )


def _attempt(*, assignment_id: int, step: str, channel: str, result: base.Result, at: datetime) -> NotificationAttempt:
    return NotificationAttempt.objects.create(
        assignment_id=assignment_id, step=step, channel=channel, at=at, result=result.result,
        reason=result.reason[:200], provider_message_id=result.provider_message_id[:128],
    )


def _channel_names(step: escalation.Step) -> list[str]:
    enabled = {channel.name for channel in base.channels()}
    return [name for name in step.channels if name in enabled]


def claim_due(*, worker: str, now: datetime | None = None, limit: int = 20) -> list[Claim]:
    """Take the due timers no other worker holds, and mark the step each is about to send.

    SKIP LOCKED lets several workers (one per Daphne process) share the rows:
    each row is taken by exactly one. On SQLite, where FOR UPDATE does not
    exist, the IMMEDIATE transaction serialises the claims instead, and a
    claim moves due_at past now, so the next worker does not see the row as due.
    """
    now = now or timezone.now()
    claims: list[Claim] = []
    lease = timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_S)
    with transaction.atomic():
        timers = list(
            NotificationTimer.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at", "pk")[:limit]
        )
        for timer in timers:
            assignment = _assignment(timer.assignment_id)
            done = _done_steps(assignment.pk)
            if timer.claimed_step and timer.claimed_step not in done:
                # The worker that claimed this step died while sending it. It may have reached
                # the provider, so an SMS or a call is not sent again: the step is written off
                # and the plan goes on to the next one.
                for name in _channel_names(next(s for s in plan() if s.name == timer.claimed_step)):
                    _attempt(
                        assignment_id=assignment.pk, step=timer.claimed_step, channel=name, at=timezone.now(),
                        result=base.Result.failed(_("Interrupted: the worker stopped while sending.")),
                    )
                done.add(timer.claimed_step)
            upcoming = _next(assignment, done)
            reason = escalation.stop_reason(
                received=assignment.received_at is not None, active=assignment.active, on_duty=True
            )
            timer.claimed_step, timer.claimed_by = "", ""
            if upcoming is None:
                timer.due_at, timer.stopped_at, timer.stop_reason = None, now, reason or "plan_done"
            elif not upcoming.is_due(now):
                timer.due_at = upcoming.at
            else:
                timer.claimed_step, timer.claimed_by, timer.due_at = upcoming.step.name, worker, now + lease
                claims.append(Claim(timer.pk, assignment.pk, upcoming.step, worker))
            timer.save(update_fields=["due_at", "claimed_step", "claimed_by", "stopped_at", "stop_reason"])
    return claims


def _send_all(*, assignment: Assignment, step: escalation.Step) -> list[tuple[str, base.Result]]:
    """Each enabled channel of the step, with the rules that hold whatever the channel."""
    results: list[tuple[str, base.Result]] = []
    if not assignment.officer.on_duty:
        return [(name, base.Result.skipped(_("Off duty: never notified."))) for name in _channel_names(step)]
    context = attempt_context(assignment=assignment, step=step.name)
    reached = set(
        NotificationAttempt.objects.filter(
            assignment_id=assignment.pk, channel__in=base.ONCE_PER_ASSIGNMENT, result__in=("sent", "delivered")
        ).values_list("channel", flat=True)
    )
    for name in _channel_names(step):
        for channel in base.channels_named(name):
            if name in base.ONCE_PER_ASSIGNMENT and name in reached:
                result = base.Result.skipped(_("Already sent once for this assignment."))
            else:
                try:
                    result = channel.send(context)
                except Exception as exc:  # noqa: BLE001 - a channel's bug must not stop the plan.
                    result = base.Result.failed(f"{exc.__class__.__name__}: {exc}")
            if result.reached and name in base.ONCE_PER_ASSIGNMENT:
                reached.add(name)
            results.append((name, result))
    return results


def claim_run(claim: Claim) -> None:
    """Send a claimed step, then store its attempts and set the timer to the next step."""
    assignment = _assignment(claim.assignment_id)
    off_duty = not assignment.officer.on_duty
    if assignment.received_at is not None or not assignment.active:
        results: list[tuple[str, base.Result]] = []
    else:
        results = _send_all(assignment=assignment, step=claim.step)
    now = timezone.now()
    with transaction.atomic():
        timer = NotificationTimer.objects.select_for_update().get(pk=claim.timer_id)
        if timer.claimed_by != claim.worker or timer.claimed_step != claim.step.name:
            # The lease ran out and another worker wrote the step off; its record stands.
            return
        for name, result in results:
            _attempt(assignment_id=assignment.pk, step=claim.step.name, channel=name, result=result, at=now)
        if not results:
            # Received or ended between the claim and the send: nothing was sent, nothing more will be.
            _attempt(
                assignment_id=assignment.pk, step=claim.step.name, channel="-", at=now,
                result=base.Result.skipped(_("Received or ended before the step.")),
            )
        assignment = _assignment(assignment.pk)
        upcoming = _next(assignment, _done_steps(assignment.pk))
        timer.claimed_step, timer.claimed_by = "", ""
        if timer.stopped_at is not None:
            pass
        elif upcoming is None or off_duty:
            timer.due_at, timer.stopped_at = None, now
            timer.stop_reason = "off_duty" if off_duty else (
                escalation.stop_reason(received=assignment.received_at is not None, active=assignment.active,
                                       on_duty=True) or "plan_done"
            )
        else:
            timer.due_at = upcoming.at
        timer.save(update_fields=["due_at", "claimed_step", "claimed_by", "stopped_at", "stop_reason"])
        if results:
            events.desk_notifications_on_commit(assignment_id=assignment.pk, job_id=assignment.job_id)


def _claim_run_in_thread(claim: Claim) -> None:
    try:
        claim_run(claim)
    except Exception:  # noqa: BLE001 - one failed step must not stop the others; its lease brings it back.
        log.exception("notify step %s of assignment %s failed", claim.step.name, claim.assignment_id)
    finally:
        connection.close()


def run_due(*, worker: str, now: datetime | None = None, pool: ThreadPoolExecutor | None = None) -> int:
    """One pass: claim what is due, send it, record it. Returns the number of steps sent.

    With a pool (the worker's), the claimed steps are sent side by side, each on
    a thread with its own database connection: a slow provider does not hold up
    the other assignments' steps.
    """
    claims = claim_due(worker=worker, now=now)
    for claim in claims:
        log.info("notify %s assignment=%s worker=%s", claim.step.name, claim.assignment_id, worker)
    if pool is None or len(claims) < 2:
        for claim in claims:
            claim_run(claim)
    else:
        list(pool.map(_claim_run_in_thread, claims))
    return len(claims)


def next_due_at() -> datetime | None:
    return (
        NotificationTimer.objects.filter(due_at__isnull=False).order_by("due_at").values_list("due_at", flat=True).first()
    )


# --- push subscriptions ---------------------------------------------------

@transaction.atomic
def push_subscription_save(*, officer: Officer, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store the phone's subscription; the same endpoint moving to another officer moves with it."""
    # A plain-http endpoint would let a phone make the server post to any address; tests allow it.
    if not endpoint.startswith("https://") and not settings.NOTIFY_PUSH_ALLOW_HTTP:
        raise InvalidInput(_("A push endpoint must be an https:// address."))
    if not p256dh or not auth:
        raise InvalidInput(_("The subscription has no keys."))
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"officer": officer, "p256dh": p256dh, "auth": auth}
    )
    return subscription


@transaction.atomic
def push_subscription_delete(*, officer: Officer, endpoint: str) -> int:
    deleted, _detail = PushSubscription.objects.filter(officer=officer, endpoint=endpoint).delete()
    return deleted


def push_subscription_gone(*, subscription_id: int) -> None:
    """The push service answered 404 or 410: the browser dropped it."""
    PushSubscription.objects.filter(pk=subscription_id).delete()


def attempts_of(assignment_id: int) -> list[NotificationAttempt]:
    return list(NotificationAttempt.objects.filter(assignment_id=assignment_id).order_by("at", "id"))


__all__: list[Any] = [
    "attempt_context", "claim_due", "claim_run", "job_link", "next_due_at", "push_subscription_delete",
    "push_subscription_gone", "push_subscription_save", "run_due", "timer_start", "timer_stop", "wake",
]

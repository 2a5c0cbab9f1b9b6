"""Dispatch writes. Each service is one transaction that locks the rows it changes.

Locks are always taken in the same order, job -> assignment -> officer, so two
services never wait for each other in a circle. They are FOR NO KEY UPDATE
locks: inserting a row that points at a locked row (a JobEvent for a locked
job) takes a KEY SHARE lock on it, which FOR UPDATE would block, turning the
order around (an ack holding an assignment and inserting an event for a job
that an advance holds: a deadlock). On SQLite the IMMEDIATE transaction mode
serialises writers instead (select_for_update is a no-op there).
Pushes leave only after the commit (fieldapp.events).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common import plainsql
from common.errors import DomainError, InvalidInput, NotFound
from common.geo import valid_lat_lng
from fieldapp import events, ingest, positions
from fieldapp.models import (
    ACTIVE_STATUSES,
    OFFICER_STEPS,
    Assignment,
    DutyChange,
    Job,
    JobEvent,
    JobNumberCounter,
    Officer,
    OfficerMessage,
)
from fieldapp.notify import services as notify
from fieldapp.selectors import (
    assignment_full,
    assignments_for_dispatch,
    job_assignments,
    job_closed_by_step,
    job_dispatched,
    job_full,
    job_just_created,
    officer_with_active,
    officer_with_state,
)

# A device clock may run a little ahead; beyond this a reported time is refused.
CLOCK_SKEW = positions.CLOCK_SKEW


@dataclass
class DispatchResult:
    job: Job
    created: list[Assignment] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


# --- helpers --------------------------------------------------------------

def _check_point(lat: float | None, lng: float | None) -> None:
    if lat is None and lng is None:
        return
    if lat is None or lng is None or not valid_lat_lng(float(lat), float(lng)):
        raise InvalidInput(_("The position is not a valid WGS-84 latitude/longitude."))


def _check_not_future(at: datetime | None, now: datetime) -> None:
    if at is not None and at > now + CLOCK_SKEW:
        raise InvalidInput(_("The time is in the future."))


def _event(**fields: Any) -> JobEvent:
    """Store an event of the job's audit log (see _new_event)."""
    event = _new_event(**fields)
    event.save(force_insert=True)
    return event


def _new_event(
    *, job: Job, kind: str, at: datetime, actor: Any = None, assignment: Assignment | None = None,
    device_at: datetime | None = None, lat: float | None = None, lng: float | None = None,
    data: dict[str, Any] | None = None,
) -> JobEvent:
    """An event not stored yet: a service that makes several stores them in one insert."""
    return JobEvent(
        job=job, assignment=assignment, kind=kind, actor=actor if getattr(actor, "pk", None) else None,
        at=at, device_at=device_at, lat=lat, lng=lng, data=data or {},
    )


def _lock_officers(officer_ids: Iterable[int], *, shown: bool = False) -> list[Officer]:
    """Lock the officers' rows; `shown`: with the user and squad that their names and payloads show."""
    # Ordered by id, so two services locking several officers never deadlock.
    officers = Officer.objects.select_for_update(no_key=True, of=("self",))
    if shown:
        officers = officers.select_related("user", "squad")
    return list(officers.filter(pk__in=set(officer_ids)).order_by("pk"))


def _lock_officer_counting_feed(officer_id: int, *, frames: int) -> Officer:
    """Lock the officer's row and count their feed on by the frames they are about to get, in one statement.

    An UPDATE takes the same FOR NO KEY UPDATE lock as _lock_officers(), and
    RETURNING brings the row as it is now, where a locking read and an update
    per frame took two statements or more. The officer comes back with the
    feed_seq before those frames: each _feed_append(counted=True) takes the next.
    """
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in Officer._meta.concrete_fields)
    # raw() turns the columns into field values as a query would (SQLite's datetimes are text).
    (officer,) = Officer.objects.raw(
        f'UPDATE {quote(Officer._meta.db_table)} SET "feed_seq" = "feed_seq" + %s WHERE "id" = %s RETURNING {columns}',
        [frames, officer_id],
    )
    officer.feed_seq -= frames
    return officer


def _feed_append(*, officer: Officer, type: str, body: dict[str, Any], counted: bool = False) -> OfficerMessage:
    """Store a frame on the officer's feed with the next seq; push it after commit.

    The caller holds the lock on the officer row (or, on SQLite, the database
    write lock), so seq allocation cannot race; the unique (officer, seq)
    constraint is the last guard. `counted`: the row's feed_seq counts this
    frame already (_lock_officer_counting_feed).
    """
    (message,) = _feed_append_all([(officer, type, body)], counted=counted)
    return message


def _feed_append_all(frames: list[tuple[Officer, str, dict[str, Any]]], *, counted: bool) -> list[OfficerMessage]:
    """Store frames on their officers' feeds in one insert, each with its officer's next seq, as
    _feed_append() does one; pushed after commit in this order."""
    messages = []
    for officer, type, body in frames:
        officer.feed_seq += 1
        frame = {"type": type, "seq": officer.feed_seq, **body}
        messages.append(OfficerMessage(officer=officer, seq=officer.feed_seq, type=type, frame=frame))
    if not counted:
        for officer in {id(officer): officer for officer, _type, _body in frames}.values():
            Officer.objects.filter(pk=officer.pk).update(feed_seq=officer.feed_seq)
    OfficerMessage.objects.bulk_create(messages)
    for message in messages:
        events.feed_message_on_commit(message)
    return messages


def _officer_freed(officer_id: int) -> bool:
    """No active assignment is left to the officer. Asked after their row's lock, as a statement of its own.

    Written out: building the ORM's EXISTS cost twice the query's own round trip, on every step that ends one.
    """
    table = connection.ops.quote_name(Assignment._meta.db_table)
    marks = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM {table} WHERE "officer_id" = %s AND "status" IN ({marks}) LIMIT 1',
            [officer_id, *ACTIVE_STATUSES],
        )
        return cursor.fetchone() is None


def _next_job_number(now: datetime) -> str:
    day = timezone.localdate(now)
    # One statement counts on and holds the day's counter row until commit (the
    # day's first job inserts it), where a locking read, an update and, once a
    # day, a savepoint around the insert took two to four. Both databases know it.
    table = connection.ops.quote_name(JobNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("day", "last") VALUES (%s, 1) '
            f'ON CONFLICT ("day") DO UPDATE SET "last" = {table}."last" + 1 RETURNING "last"',
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"{day:%Y%m%d}-{last:04d}"


def _locked_jobs() -> QuerySet[Job]:
    # The linked job and the creator, which payloads show, are read when needed (few jobs have a
    # linked job; a dispatch's creator is mostly its dispatcher): joining them for every lock cost
    # about 0.4 ms each of building and planning the statement.
    return Job.objects.select_for_update(no_key=True, of=("self",))


def _lock_job(job_id: int) -> Job:
    # get(), not first(): no ORDER BY to build and run for one row.
    try:
        return _locked_jobs().get(pk=job_id)
    except Job.DoesNotExist:
        raise NotFound(_("No such job.")) from None


def _lock_job_and_assignment(assignment_id: int, *, officer: Officer | None, user: Any) -> Assignment:
    """Lock an officer's assignment and its job in one statement, with what the assignment's payload
    shows: the dispatcher and (unlocked) the officer with their squad; the job's linked job is
    read when there is one (see _locked_jobs).

    `officer`, or their `user`. PostgreSQL locks the rows of one statement in the
    order that OF names them, so the job is locked before the assignment, as
    everywhere else (tests/test_dispatch_concurrency.py holds it to that).
    """
    mine = {"officer": officer} if officer is not None else {"officer__user": user}
    try:
        return (
            Assignment.objects.select_for_update(no_key=True, of=("job", "self"))
            .select_related("job", "dispatched_by", "officer__squad")
            .get(pk=assignment_id, **mine)
        )
    except Assignment.DoesNotExist:
        raise NotFound(_("No such assignment.")) from None


def _lock_job_of(assignment_id: int, *, officer: Officer | None = None) -> Job:
    """Lock the job of an assignment (of this officer's, if given): found and locked in one statement."""
    this_one: dict[str, Any] = {"assignments__pk": assignment_id}
    if officer is not None:
        this_one["assignments__officer"] = officer
    try:
        return _locked_jobs().get(**this_one)
    except Job.DoesNotExist:
        raise NotFound(_("No such assignment.")) from None


def _require_open(job: Job) -> None:
    if job.status != Job.Status.OPEN:
        raise DomainError(
            _("Job %(number)s is %(status)s.") % {"number": job.number, "status": job.get_status_display()},
            code="job_not_open",
        )


# --- jobs -----------------------------------------------------------------

@transaction.atomic
def job_create(
    *, created_by: Any, kind: str, summary: str, lat: float, lng: float, priority: int = Job.Priority.NORMAL,
    description: str = "", address: str = "", source: str = Job.Source.OTHER, reported_at: datetime | None = None,
    linked_job_id: int | None = None,
) -> Job:
    now = timezone.now()
    _check_point(lat, lng)
    _check_not_future(reported_at, now)
    if kind not in Job.Kind.values or source not in Job.Source.values or priority not in Job.Priority.values:
        raise InvalidInput(_("Unknown kind, source or priority."))
    linked = None
    if linked_job_id is not None:
        linked = Job.objects.filter(pk=linked_job_id).first()
        if linked is None:
            raise InvalidInput(_("The linked job does not exist."))
    job = Job.objects.create(
        number=_next_job_number(now), kind=kind, priority=priority, summary=summary.strip(),
        description=description, address=address, lat=lat, lng=lng, source=source,
        reported_at=reported_at or now, created_by=created_by, linked_job=linked,
    )
    created = _event(job=job, kind=JobEvent.Kind.JOB_CREATED, at=now, actor=created_by)
    job = job_just_created(job, created)
    events.desk_job_changed_on_commit(job)
    return job


@transaction.atomic
def job_dispatch(*, job_id: int, officer_ids: list[int], dispatcher: Any, force: bool = False) -> DispatchResult:
    """Send officers to a job: one assignment each, never two for the same officer."""
    job = _lock_job(job_id)
    if job.created_by_id is not None and job.created_by_id == getattr(dispatcher, "pk", None):
        # The answer shows the creator: mostly the dispatcher, already read with the request.
        job.created_by = dispatcher
    _require_open(job)
    wanted = sorted(set(officer_ids))
    if not wanted:
        raise InvalidInput(_("Choose at least one officer."))
    # Locking the officers makes duty, busyness and the feed seq stable until commit.
    officers = _lock_officers(wanted, shown=True)
    unknown = set(wanted) - {o.pk for o in officers}
    if unknown:
        raise InvalidInput(_("Unknown officer: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))})
    # Who is on the job already, and who is busy elsewhere.
    seen = assignments_for_dispatch(job_id=job.pk, officer_ids=wanted)
    on_job = {a.officer_id for a in seen if a.job_id == job.pk and a.officer_id in wanted}
    result = DispatchResult(job=job)
    result.skipped = [{"officer_id": pk, "code": "already_assigned"} for pk in wanted if pk in on_job]
    to_send = [o for o in officers if o.pk not in on_job]
    names = {o.pk: str(o) for o in officers}
    off_duty = [o for o in to_send if not o.on_duty]
    if off_duty:
        raise DomainError(
            _("Off duty, not dispatched: %(names)s.") % {"names": ", ".join(names[o.pk] for o in off_duty)},
            code="officer_off_duty",
        )
    busy = {assignment.officer_id for assignment in seen if assignment.job_id != job.pk} - on_job
    if busy and not force:
        raise DomainError(
            _("Busy with another job: %(names)s. Send anyway with force.")
            % {"names": ", ".join(names[pk] for pk in sorted(busy))},
            code="officer_busy",
        )
    # The answer lists the job's earlier assignments too: read with what it shows of them, if there are any.
    earlier = job_assignments(job.pk) if any(a.job_id == job.pk for a in seen) else []
    now = timezone.now()
    with events.one_hop():
        for officer in to_send:
            assignment = Assignment.objects.create(
                job=job, officer=officer, dispatched_by=dispatcher, dispatched_at=now, forced=officer.pk in busy,
            )
            _event(
                job=job, assignment=assignment, kind=JobEvent.Kind.DISPATCHED, at=now, actor=dispatcher,
                data={"officer_id": officer.pk, "forced": assignment.forced},
            )
            # Stored in this transaction: a committed dispatch always has its escalation timer.
            notify.timer_start(assignment=assignment)
            # Made from the locked job and officer (with what a read would select), so not read back.
            body = events.assignment_body(assignment)
            _feed_append(officer=officer, type=events.ASSIGNMENT_NEW, body=body)
            events.desk_assignment_changed_on_commit(assignment, body)
            if officer.pk not in busy:
                # Free until now, so this is their one active assignment.
                events.desk_officer_changed_on_commit(officer_with_active(officer, [assignment]))
            result.created.append(assignment)
    result.job = job_dispatched(job, [*earlier, *result.created])
    return result


def _end_job(*, job_id: int, by: Any, cancel_reason: str | None) -> Job:
    """Close or cancel: every active assignment is withdrawn and its officer told."""
    job = _lock_job(job_id)
    _require_open(job)
    now = timezone.now()
    active = list(
        Assignment.objects.select_for_update(no_key=True).filter(job=job, status__in=ACTIVE_STATUSES).order_by("pk")
    )
    reason = cancel_reason if cancel_reason is not None else _("Job closed.")
    for assignment in active:
        _event(
            job=job, assignment=assignment, kind=JobEvent.Kind.WITHDRAWN, at=now, actor=by,
            data={"from": assignment.status, "reason": reason},
        )
        assignment.status = Assignment.Status.WITHDRAWN
        assignment.withdrawn_at = now
        assignment.reason = reason[:200]
        assignment.save(update_fields=["status", "withdrawn_at", "reason"])
        notify.timer_stop(assignment_id=assignment.pk, reason="ended", now=now)
    job.status = Job.Status.CLOSED if cancel_reason is None else Job.Status.CANCELLED
    job.closed_at = now
    job.cancel_reason = cancel_reason or ""
    job.save(update_fields=["status", "closed_at", "cancel_reason"])
    if cancel_reason is None:
        _event(job=job, kind=JobEvent.Kind.JOB_CLOSED, at=now, actor=by, data={"auto": False})
    else:
        _event(job=job, kind=JobEvent.Kind.JOB_CANCELLED, at=now, actor=by, data={"reason": cancel_reason})
    job = job_full(job.pk)
    frame_type = events.JOB_CHANGED if cancel_reason is None else events.JOB_CANCELLED
    with events.one_hop():
        _tell_officers_on_job(job, frame_type)
        events.desk_job_changed_on_commit(job)
        for assignment in active:
            if _officer_freed(assignment.officer_id):
                events.desk_officer_changed_on_commit(officer_with_state(assignment.officer_id))
    return job


def _tell_officers_on_job(job: Job, frame_type: str) -> None:
    body = events.job_body(job)
    for officer in _lock_officers(a.officer_id for a in job.assignments.all()):
        _feed_append(officer=officer, type=frame_type, body=body)


@transaction.atomic
def job_cancel(*, job_id: int, by: Any, reason: str) -> Job:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason for cancelling."))
    return _end_job(job_id=job_id, by=by, cancel_reason=reason)


@transaction.atomic
def job_close(*, job_id: int, by: Any) -> Job:
    return _end_job(job_id=job_id, by=by, cancel_reason=None)


def _job_done(statuses: list[str]) -> bool:
    """Every assignment has ended and at least one was cleared."""
    return bool(statuses) and not any(s in ACTIVE_STATUSES for s in statuses) and Assignment.Status.CLEARED in statuses


def _lock_assignment(assignment_id: int) -> Assignment:
    """Lock the assignment's row, with its dispatcher, which its payload shows."""
    return Assignment.objects.select_for_update(no_key=True, of=("self",)).select_related("dispatched_by").get(
        pk=assignment_id)


def _after_assignment_change(
    *, job: Job, assignment: Assignment, event: JobEvent, now: datetime, officer: Officer | None = None,
) -> Assignment:
    """Tell the officer and the desk about a changed assignment; close the job when it is done.

    The caller holds the job and assignment locks (_lock_job, _lock_assignment),
    so two officers clearing at once cannot both miss (or both make) the close.
    Every officer row needed is locked in one ordered call, after them, keeping
    the lock order. The assignment's payload is made from the locked rows, with
    what assignment_full would select, instead of reading it back. `event`: the
    change's own, not stored yet: it is stored with the closing event, if any, in
    one insert. `officer`: the assignment's officer as the caller read it in this
    request, with user and squad, which the payloads show; otherwise they are read
    with the lock.
    """
    # A job with an active assignment is not done: no need to ask. One that is done is shown
    # whole, with these assignments as read here, after the lock.
    on_job = [] if assignment.active else _assignments_after_change(job, assignment)
    closing = _job_done([each.status for each in on_job])
    officer_ids = {assignment.officer_id}
    audit = [event]
    if closing:
        job.status = Job.Status.CLOSED
        job.closed_at = now
        job.save(update_fields=["status", "closed_at"])
        audit.append(_new_event(job=job, kind=JobEvent.Kind.JOB_CLOSED, at=now, data={"auto": True}))
        officer_ids |= {each.officer_id for each in on_job}
    JobEvent.objects.bulk_create(audit)
    # This officer alone is told (any step but one that closes a job with others on it): their
    # row is locked as their feed counts on by their frames, the step's and the closed job's.
    counted = officer is not None and officer_ids == {assignment.officer_id}
    if counted:
        officers = {
            assignment.officer_id: _lock_officer_counting_feed(assignment.officer_id, frames=2 if closing else 1)
        }
    else:
        officers = {locked.pk: locked for locked in _lock_officers(officer_ids, shown=officer is None)}
    locked = officers[assignment.officer_id]
    if officer is not None:
        # Only this officer's name and squad are shown; the locked row has their duty, fix and feed seq.
        locked.user, locked.squad = officer.user, officer.squad
    assignment.job = job
    assignment.officer = locked
    with events.one_hop():
        body = events.assignment_body(assignment)
        frames = [(locked, events.ASSIGNMENT_CHANGED, body)]
        events.desk_assignment_changed_on_commit(assignment, body)
        if not assignment.active and _officer_freed(locked.pk):
            events.desk_officer_changed_on_commit(officer_with_active(locked, []))
        if closing:
            full = job_closed_by_step(job, on_job)
            job_body = events.job_body(full)
            frames += [(each, events.JOB_CHANGED, job_body) for each in officers.values()]
            events.desk_job_changed_on_commit(full)
        _feed_append_all(frames, counted=counted)
    return assignment


def _assignments_after_change(job: Job, assignment: Assignment) -> list[Assignment]:
    """The job's assignments, read after the job's lock, with what JobOut shows of each.

    Most jobs have one officer on them: when the changed assignment is the only one,
    it is that (as the caller holds it, with its officer, squad and dispatcher) and
    only the job's assignment ids are read. Otherwise they are read in full.
    """
    ids = plainsql.ids(Assignment, where={"job": job.pk})
    if ids == [assignment.pk]:
        return [assignment]
    return job_assignments(job.pk)


# --- assignments ----------------------------------------------------------

def _records_let_clear(job: Job) -> bool:
    # Imported here: fieldapp.records_services builds on this module's helpers.
    from fieldapp.records_services import quick_clearance_lets_clear

    return quick_clearance_lets_clear(job)


@transaction.atomic
def assignment_advance(
    *, assignment_id: int, to: str, officer: Officer | None = None, user: Any = None, device_at: datetime | None = None,
    lat: float | None = None, lng: float | None = None, accuracy: float | None = None, reason: str = "",
) -> Assignment:
    """The assigned officer takes a step. Forward only; repeating the current step changes nothing.

    `officer`, or `user`, the officer's user (a request's): the officer is then read with the lock.
    """
    assignment = _lock_job_and_assignment(assignment_id, officer=officer, user=user)
    job = assignment.job
    if officer is None:
        officer = assignment.officer
        officer.user = user
    if to not in OFFICER_STEPS:
        raise InvalidInput(_("Unknown step."))
    now = timezone.now()
    _check_point(lat, lng)
    _check_not_future(device_at, now)
    if assignment.status == to:
        # A double tap or a retry: the step is recorded once, the answer is the same.
        return assignment_full(assignment.pk)
    if not assignment.active:
        raise DomainError(
            _("This assignment has ended (%(status)s).") % {"status": assignment.get_status_display()},
            code="assignment_ended",
        )
    if to not in assignment.next_steps():
        raise DomainError(
            _("Cannot go from %(from)s to %(to)s.")
            % {"from": assignment.get_status_display(), "to": Assignment.Status(to).label},
            code="illegal_step",
        )
    if to == Assignment.Status.CLEARED and not _records_let_clear(job):
        raise DomainError(
            _("Fill in the quick-clearance record, or mark it to finish later, before clearing this job."),
            code="quick_clearance_required",
        )
    previous = assignment.status
    assignment.status = to
    setattr(assignment, f"{to}_at", now)
    changed = ["status", f"{to}_at"]
    unreceived = assignment.received_at is None
    if unreceived:
        # Taking a step proves the phone has the assignment, ack or not.
        assignment.received_at = now
        changed.append("received_at")
    if lat is not None and lng is not None:
        assignment.positions = {**assignment.positions, to: {"lat": lat, "lng": lng, "accuracy_m": accuracy}}
        changed.append("positions")
    if to == Assignment.Status.DECLINED:
        assignment.reason = (reason or "")[:200]
        changed.append("reason")
    assignment.save(update_fields=changed)
    if unreceived:
        # The receipt (an ack, or this first step) stopped the alerts for good: a later step has none to stop.
        notify.timer_stop(assignment_id=assignment.pk, reason="received", now=now)
    step = _new_event(
        job=job, assignment=assignment, kind=JobEvent.Kind.STEP, at=now, actor=officer.user, device_at=device_at,
        lat=lat, lng=lng, data={"from": previous, "to": to, "reason": reason or ""},
    )
    return _after_assignment_change(job=job, assignment=assignment, event=step, now=now, officer=officer)


@transaction.atomic
def assignment_withdraw(*, assignment_id: int, by: Any, reason: str = "") -> Assignment:
    """The dispatcher takes an officer off a job; later steps from the phone get 409."""
    job = _lock_job_of(assignment_id)
    assignment = _lock_assignment(assignment_id)
    if not assignment.active:
        raise DomainError(
            _("This assignment has ended (%(status)s).") % {"status": assignment.get_status_display()},
            code="assignment_ended",
        )
    now = timezone.now()
    withdrawn = _new_event(
        job=job, assignment=assignment, kind=JobEvent.Kind.WITHDRAWN, at=now, actor=by,
        data={"from": assignment.status, "reason": reason or ""},
    )
    assignment.status = Assignment.Status.WITHDRAWN
    assignment.withdrawn_at = now
    assignment.reason = (reason or "")[:200]
    assignment.save(update_fields=["status", "withdrawn_at", "reason"])
    notify.timer_stop(assignment_id=assignment.pk, reason="ended", now=now)
    return _after_assignment_change(job=job, assignment=assignment, event=withdrawn, now=now)


@transaction.atomic
def feed_ack(*, officer_id: int, seq: int) -> None:
    """The phone confirms a frame; for a new assignment that is its receipt."""
    message = OfficerMessage.objects.filter(officer_id=officer_id, seq=seq).first()
    if message is None:
        raise InvalidInput(_("No message with this seq."))
    if message.type == events.ASSIGNMENT_NEW:
        assignment_id = message.frame["assignment"]["id"]
        assignment = Assignment.objects.select_for_update(no_key=True).filter(pk=assignment_id).first()
        if assignment is not None and assignment.received_at is None:
            now = timezone.now()
            assignment.received_at = now
            assignment.save(update_fields=["received_at"])
            notify.timer_stop(assignment_id=assignment.pk, reason="received", now=now)
            _event(
                job=assignment.job, assignment=assignment, kind=JobEvent.Kind.RECEIVED, at=now,
                actor=assignment.officer.user, data={"seq": seq},
            )
            # The officer is not told: an ack must not produce a frame that would be acked again.
            events.desk_assignment_changed_on_commit(assignment_full(assignment.pk))
    Officer.objects.filter(pk=officer_id, acked_seq__lt=seq).update(acked_seq=seq)


# --- officers -------------------------------------------------------------

@transaction.atomic
def officer_set_duty(*, officer_id: int, on_duty: bool, device_at: datetime | None = None) -> Officer:
    _check_not_future(device_at, timezone.now())
    (officer,) = _lock_officers([officer_id])
    if officer.on_duty == on_duty:
        return officer_with_state(officer_id)
    if not on_duty and not _officer_freed(officer_id):
        raise DomainError(
            _("Finish or decline your active assignments before going off duty."), code="has_active_assignments"
        )
    now = timezone.now()
    officer.on_duty = on_duty
    officer.duty_changed_at = now
    officer.save(update_fields=["on_duty", "duty_changed_at"])
    DutyChange.objects.create(officer=officer, on_duty=on_duty, at=now, device_at=device_at)
    officer = officer_with_state(officer_id)
    events.desk_officer_changed_on_commit(officer)
    return officer


def officer_record_position(
    *, officer_id: int, lat: float, lng: float, accuracy: float | None = None, at: datetime | None = None,
) -> Officer:
    """Keep the officer's last fix and add it to the track. Only on duty: positions off duty are private.

    The same write as the socket's batches (fieldapp.ingest), for one fix.
    """
    _check_point(lat, lng)
    fix = positions.fix_check(officer_id=officer_id, lat=lat, lng=lng, accuracy=accuracy, device_at=at, now=timezone.now())
    plan = ingest.fixes_write([fix])
    if plan.refused:
        raise positions.off_duty_error()
    return Officer.objects.get(pk=officer_id)


@transaction.atomic
def dispatch_records_prune(*, feed_older_than: timedelta, idempotency_older_than: timedelta, now: datetime | None = None) -> dict[str, int]:
    """Delete feed frames and idempotency records past their use.

    A phone that was away longer than the feed's retention cannot replay what
    was deleted, but it re-reads /me/ on every connect, and the database rows
    the frames described stay. The per-officer seq counter lives on the
    officer row, so new frames keep counting up after a prune.
    """
    now = now or timezone.now()
    from fieldapp.models import IdempotencyRecord

    feed, _detail = OfficerMessage.objects.filter(created_at__lt=now - feed_older_than).delete()
    keys, _detail = IdempotencyRecord.objects.filter(created_at__lt=now - idempotency_older_than).delete()
    return {"feed": feed, "idempotency": keys}

"""Dispatch reads: candidates, job lists, the officers board, an officer's feed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from common import plainsql
from common.geo import haversine_m
from common.maps import distance_text
from common.roles import OFFICER, user_has_role
from fieldapp import records
from fieldapp.events import ASSIGNMENT_NEW
from fieldapp.fixes import STALE_FIX_S, fix_of
from fieldapp.models import (
    ACTIVE_STATUSES,
    RECEIVE_WITHIN_S,
    Assignment,
    Job,
    JobEvent,
    NotificationAttempt,
    Officer,
    OfficerMessage,
    QuickClearance,
    RecordPhoto,
    Rescue,
)

JOB_LIST_LIMIT = 200


def officer_for_user(user: Any) -> Officer | None:
    """The officer profile of a user in the officer group, or None."""
    if not user_has_role(user, OFFICER):
        return None
    return Officer.objects.select_related("user", "squad").filter(user=user).first()


def _active_prefetch() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(status__in=ACTIVE_STATUSES).select_related("job").order_by("dispatched_at"),
        to_attr="active_assignment_list",
    )


def officers_board() -> QuerySet[Officer]:
    return Officer.objects.select_related("user", "squad").prefetch_related(_active_prefetch()).order_by("call_sign")


def officer_with_state(officer_id: int) -> Officer:
    return officers_board().get(pk=officer_id)


def officer_with_active(officer: Officer, active: list[Assignment]) -> Officer:
    """An officer a service holds locked (with user and squad), shaped as officer_with_state() shapes it.

    For a service that knows the officer's active assignments without asking
    (each with its job): none after their last one ended, the new one after a
    dispatch to a free officer.
    """
    officer.active_assignment_list = active
    return officer


# --- jobs -----------------------------------------------------------------

def _assignments_prefetch() -> Prefetch:
    # With the attempts to reach each officer, shown on the desk: one query for the whole list.
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.select_related("officer__user", "officer__squad", "dispatched_by")
        .prefetch_related(
            Prefetch(
                "notification_attempts", queryset=NotificationAttempt.objects.order_by("at", "id"),
                to_attr="notification_list",
            )
        )
        .order_by("dispatched_at", "id"),
    )


def _records_prefetch() -> list[Any]:
    """The field records of each job, fetched for a whole list: two queries however many jobs."""
    return [
        "quick_clearance__parties",
        Prefetch(
            "photos", queryset=RecordPhoto.objects.filter(superseded_at__isnull=True).order_by("received_at", "id"),
            to_attr="photo_list",
        ),
    ]


def _jobs() -> QuerySet[Job]:
    return (
        Job.objects.select_related(
            "created_by", "linked_job", "quick_clearance__officer__user", "quick_clearance__officer__squad",
            "rescue__officer__user", "rescue__officer__squad",
        )
        .prefetch_related(_assignments_prefetch(), *_records_prefetch())
    )


def _by_status(jobs: QuerySet[Job], status: str) -> QuerySet[Job]:
    if status != "all":
        jobs = jobs.filter(status=status)
    return jobs.order_by("-created_at", "-id")


def jobs_for_dispatcher(*, status: str = "open") -> list[Job]:
    return list(_by_status(_jobs(), status)[:JOB_LIST_LIMIT])


def jobs_for_officer(*, officer: Officer, status: str = "open") -> list[Job]:
    jobs = _jobs().filter(pk__in=Assignment.objects.filter(officer=officer).values("job_id"))
    return list(_by_status(jobs, status)[:JOB_LIST_LIMIT])


def job_for_user(*, job_id: int, dispatcher: bool, officer: Officer | None, with_events: bool = False) -> Job | None:
    """The job, if this user may see it: dispatchers see all, officers the jobs they are on."""
    jobs = _jobs()
    if with_events:
        jobs = jobs.prefetch_related(Prefetch("events", queryset=JobEvent.objects.select_related("actor")))
    if not dispatcher:
        if officer is None:
            return None
        jobs = jobs.filter(assignments__officer=officer)
    return jobs.filter(pk=job_id).first()


def job_full(job_id: int) -> Job:
    return _jobs().get(pk=job_id)


def assignments_for_dispatch(*, job_id: int, officer_ids: list[int]) -> list[Assignment]:
    """In one read: the job's assignments and the officers' active assignments on other jobs
    (those officers are busy). Bare rows: see job_assignments() for what an answer shows."""
    return list(
        Assignment.objects.filter(Q(job_id=job_id) | Q(officer_id__in=officer_ids, status__in=ACTIVE_STATUSES))
        .order_by()
    )


def job_assignments(job_id: int) -> list[Assignment]:
    """A job's assignments with what JobOut shows of each: the officer, their squad, the dispatcher."""
    return list(
        Assignment.objects.select_related("officer__user", "officer__squad", "dispatched_by")
        .filter(job_id=job_id).order_by("dispatched_at", "id")
    )


def job_dispatched(job: Job, assignments: list[Assignment]) -> Job:
    """A job a dispatch holds locked, with its creator and linked job, shaped for JobOut (the answer
    to a dispatch) without the desk's records and notification attempts, and without a read.

    `assignments`: the ones it had (job_assignments()) and the ones just made,
    each with its officer, squad and dispatcher.
    tests/test_dispatch_services.py checks that it serializes as the job read back does.
    """
    ordered = sorted(assignments, key=lambda assignment: (assignment.dispatched_at, assignment.pk))
    job._prefetched_objects_cache = {"assignments": _as_queryset(Assignment, ordered)}
    return job


def job_just_created(job: Job, created: JobEvent) -> Job:
    """A job this transaction has just created, shaped as `job_for_user(..., with_events=True)` shapes it.

    Nothing can hang on it yet (no assignment, record or photo) and its one event
    is `created`, so it needs no reading back: that was half of a create's time.
    Its creator and linked job are the objects it was made with. tests/
    test_dispatch_services.py checks that it serializes as the job read back does.
    """
    for record in ("quick_clearance", "rescue"):
        getattr(Job, record).related.set_cached_value(job, None)
    job._prefetched_objects_cache = {
        "assignments": _as_queryset(Assignment, []), "events": _as_queryset(JobEvent, [created]),
    }
    job.photo_list = []
    return job


def job_closed_by_step(job: Job, assignments: list[Assignment]) -> Job:
    """A job that a step has just closed, held locked, shaped as job_full() shapes it.

    `assignments`: the job's, read after the lock by job_assignments(). What they do not
    bring is read in small queries: the attempts to reach the officers, the photos,
    the record of the job's kind (records_services lets a job have only that one, and
    admin cannot change a kind), the creator when no dispatcher on the job made it and
    the linked job when there is one. job_full()'s one read joined eleven tables, which
    PostgreSQL took 2 ms to plan: over half of a closing step's time.
    tests/test_dispatch_shapes.py checks that it serializes as job_full() does.
    """
    attempts: dict[int, list[NotificationAttempt]] = {assignment.pk: [] for assignment in assignments}
    for attempt in plainsql.rows(NotificationAttempt, where={"assignment": list(attempts)}, order_by=("at", "id")):
        attempts[attempt.assignment_id].append(attempt)
    for assignment in assignments:
        assignment.notification_list = attempts[assignment.pk]
    job._prefetched_objects_cache = {"assignments": _as_queryset(Assignment, assignments)}
    dispatchers = {assignment.dispatched_by_id: assignment.dispatched_by for assignment in assignments}
    if job.created_by_id in dispatchers:
        job.created_by = dispatchers[job.created_by_id]
    kind_record = records.record_for_kind(job.kind)
    for name, model in (("quick_clearance", QuickClearance), ("rescue", Rescue)):
        found = None
        if name == kind_record:
            found = model.objects.select_related("officer__user", "officer__squad").filter(job=job).first()
            if found is not None and model is QuickClearance:
                prefetch_related_objects([found], "parties")
        getattr(Job, name).related.set_cached_value(job, found)
    job.photo_list = plainsql.rows(
        RecordPhoto, where={"job": job.pk}, is_null=("superseded_at",), order_by=("received_at", "id")
    )
    return job


def _as_queryset(model: type[Any], rows: list[Any]) -> QuerySet[Any]:
    """Rows already in hand as a prefetched queryset: iterating it asks the database nothing."""
    queryset = model.objects.none()
    queryset._result_cache = rows
    return queryset


def assignment_full(assignment_id: int) -> Assignment:
    return Assignment.objects.select_related(
        "job__linked_job", "officer__user", "officer__squad", "dispatched_by"
    ).get(pk=assignment_id)


def assignments_today(*, officer: Officer, now: datetime | None = None) -> list[Assignment]:
    """Today's assignments (Asia/Shanghai) and any older one still active, newest first."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Assignment.objects.filter(officer=officer)
        .filter(Q(dispatched_at__gte=start) | Q(status__in=ACTIVE_STATUSES))
        .select_related("job__linked_job", "officer__user", "officer__squad", "dispatched_by")
        .order_by("-dispatched_at", "-id")
    )


# --- candidates -----------------------------------------------------------

# Busy officers close by are offered too (sending one needs "force"), at most this many.
BUSY_NEARBY_LIMIT = 5


@dataclass
class Candidate:
    officer: Officer
    distance_m: int
    distance_text: str
    fix_age_s: int
    fix: dict[str, Any]


@dataclass
class Candidates:
    job_id: int
    limit: int
    candidates: list[Candidate] = field(default_factory=list)
    shortfall: dict[str, Any] | None = None
    busy_nearby: list[Candidate] = field(default_factory=list)


def _candidate(job: Job, officer: Officer, now: datetime) -> Candidate:
    fix = fix_of(officer, now)
    assert fix is not None
    metres = round(haversine_m(job.lat, job.lng, officer.fix_lat, officer.fix_lng))
    return Candidate(
        officer=officer, distance_m=metres, distance_text=distance_text(metres), fix_age_s=fix["age_s"], fix=fix
    )


def officers_nearest(*, job: Job, limit: int = 5, now: datetime | None = None) -> Candidates:
    """The nearest available on-duty officers by great-circle distance from their last fix.

    Officers are few (a brigade, not a city), so every on-duty officer is
    measured in Python; a fix older than 10 minutes does not count.
    """
    now = now or timezone.now()
    oldest = now - timedelta(seconds=STALE_FIX_S)
    on_duty = list(Officer.objects.filter(on_duty=True).select_related("user", "squad"))
    busy_ids = set(
        Assignment.objects.filter(officer__in=on_duty, status__in=ACTIVE_STATUSES)
        .exclude(job=job)
        .values_list("officer_id", flat=True)
    )
    on_job_ids = set(job.assignments.values_list("officer_id", flat=True))
    counts = {"busy": 0, "already_assigned": 0, "no_positions": 0, "positions_too_old": 0}
    found: list[Candidate] = []
    busy: list[Candidate] = []
    for officer in on_duty:
        fresh = officer.fix_at is not None and officer.fix_lat is not None and officer.fix_lng is not None
        if officer.pk in on_job_ids:
            counts["already_assigned"] += 1
        elif officer.pk in busy_ids:
            counts["busy"] += 1
            if fresh and officer.fix_at >= oldest:
                busy.append(_candidate(job, officer, now))
        elif not fresh:
            counts["no_positions"] += 1
        elif officer.fix_at < oldest:
            counts["positions_too_old"] += 1
        else:
            found.append(_candidate(job, officer, now))
    found.sort(key=lambda c: (c.distance_m, c.officer.call_sign))
    busy.sort(key=lambda c: (c.distance_m, c.officer.call_sign))
    result = Candidates(job_id=job.pk, limit=limit, candidates=found[:limit], busy_nearby=busy[:BUSY_NEARBY_LIMIT])
    if len(found) < limit:
        result.shortfall = {"found": len(found), "wanted": limit, "reasons": _shortfall_reasons(len(on_duty), counts)}
    return result


def _shortfall_reasons(on_duty: int, counts: dict[str, int]) -> list[dict[str, Any]]:
    if on_duty == 0:
        return [{"code": "no_one_on_duty", "count": 0, "detail": gettext("No officer is on duty.")}]
    messages = {
        "busy": lambda n: ngettext(
            "%(count)d on-duty officer is busy with another job.",
            "%(count)d on-duty officers are busy with other jobs.", n) % {"count": n},
        "already_assigned": lambda n: ngettext(
            "%(count)d officer is already on this job.",
            "%(count)d officers are already on this job.", n) % {"count": n},
        "no_positions": lambda n: ngettext(
            "%(count)d available officer has sent no position.",
            "%(count)d available officers have sent no position.", n) % {"count": n},
        "positions_too_old": lambda n: ngettext(
            "%(count)d available officer has a position older than 10 minutes.",
            "%(count)d available officers have positions older than 10 minutes.", n) % {"count": n},
    }
    reasons = [
        {"code": code, "count": counts[code], "detail": messages[code](counts[code])}
        for code in ("busy", "no_positions", "positions_too_old", "already_assigned")
        if counts[code]
    ]
    if not reasons:
        reasons.append({"code": "too_few_officers", "count": 0, "detail": gettext(
            "Every eligible officer is listed.")})
    return reasons


# --- the officer's feed ---------------------------------------------------

def feed_after(*, officer_id: int, after: int, limit: int = 500) -> list[OfficerMessage]:
    return list(OfficerMessage.objects.filter(officer_id=officer_id, seq__gt=after).order_by("seq")[:limit])


def feed_seq(officer_id: int) -> int:
    return Officer.objects.values_list("feed_seq", flat=True).get(pk=officer_id)


def feed_receipts_missing(*, officer_id: int, upto: int, limit: int = 100) -> list[int]:
    """Seqs, up to `upto`, of the `assignment.new` frames whose assignment has no receipt stored.

    A phone that resumes after them has handled them, but its ack may have
    died with a server process; it is asked to ack them again. Only active
    assignments (an ended one needs no receipt), the newest `limit`, oldest seq first.
    """
    unreceived = list(
        Assignment.objects.filter(officer_id=officer_id, received_at__isnull=True, status__in=ACTIVE_STATUSES)
        .order_by("-pk").values_list("pk", flat=True)[:limit]
    )
    if not unreceived:
        return []
    return list(
        OfficerMessage.objects.filter(
            officer_id=officer_id, type=ASSIGNMENT_NEW, seq__lte=upto, frame__assignment__id__in=unreceived
        ).order_by("seq").values_list("seq", flat=True)
    )


# --- figures ----------------------------------------------------------------

FIGURE_SPANS = {
    "dispatch_received": ("dispatched_at", "received_at"),
    "dispatch_accepted": ("dispatched_at", "accepted_at"),
    "dispatch_on_scene": ("dispatched_at", "on_scene_at"),
    "on_scene_cleared": ("on_scene_at", "cleared_at"),
}


def _median_s(spans: list[float]) -> float | None:
    return round(median(spans), 1) if spans else None


def _span_s(start: datetime | None, end: datetime | None) -> float | None:
    # A step recorded before its start (a phone clock off, an edit) says nothing about speed.
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def dispatch_figures(*, day: date | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Response and clearance figures for the jobs reported on one Asia/Shanghai day (default today).

    The day's rows are selected in SQL with no cap, so a busy day is counted whole; the medians are
    taken in Python over those rows, which are a few hundred at most.
    """
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    day = day or timezone.localdate(now, zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    jobs = Job.objects.filter(reported_at__gte=start, reported_at__lt=start + timedelta(days=1))
    job_rows = list(jobs.values("status", "reported_at", "closed_at"))
    assignment_rows = list(
        Assignment.objects.filter(job__in=jobs).values(
            "dispatched_at", "received_at", "accepted_at", "on_scene_at", "cleared_at", "withdrawn_at"
        )
    )
    receive_within = timedelta(seconds=RECEIVE_WITHIN_S)
    unreceived = 0
    for row in assignment_rows:
        deadline = row["dispatched_at"] + receive_within
        # Withdrawn before the deadline: the phone never had to receive it.
        if deadline >= now or (row["withdrawn_at"] is not None and row["withdrawn_at"] <= deadline):
            continue
        if row["received_at"] is None or row["received_at"] > deadline:
            unreceived += 1
    medians: dict[str, float | None] = {}
    for name, (first, then) in FIGURE_SPANS.items():
        spans = [_span_s(row[first], row[then]) for row in assignment_rows]
        medians[name] = _median_s([span for span in spans if span is not None])
    closed_spans = [
        _span_s(row["reported_at"], row["closed_at"]) for row in job_rows if row["status"] == Job.Status.CLOSED
    ]
    medians["reported_closed"] = _median_s([span for span in closed_spans if span is not None])
    # Roadway clearance: first awareness (reported) to all lanes open, from the quick-clearance records.
    lanes_spans = [
        _span_s(row["job__reported_at"], row["lanes_open_at"])
        for row in QuickClearance.objects.filter(job__in=jobs, lanes_open_at__isnull=False).values(
            "job__reported_at", "lanes_open_at"
        )
    ]
    medians["reported_lanes_open"] = _median_s([span for span in lanes_spans if span is not None])
    by_status = {status: 0 for status in Job.Status.values}
    for row in job_rows:
        by_status[row["status"]] += 1
    return {
        "day": day,
        "jobs": len(job_rows),
        "open": by_status[Job.Status.OPEN],
        "closed": by_status[Job.Status.CLOSED],
        "cancelled": by_status[Job.Status.CANCELLED],
        "assignments": len(assignment_rows),
        "unreceived": unreceived,
        "receive_within_s": RECEIVE_WITHIN_S,
        "median_s": medians,
    }

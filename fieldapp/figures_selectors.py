"""The rows behind the command centre's figures: five queries for any range, however many jobs.

1. the jobs reported in the range, with their quick-clearance and rescue records and the
   report time of the job they are linked to (LEFT JOINs, one row a job);
2. all the assignments of those jobs, with the officer's squad;
3. the officers, each with its duty state and last fix from before the range (subqueries);
4. the duty changes in the range;
5. the fixes of the position track in the range next to a silence (fieldapp.track_selectors),
   so gaps are found only within the track's retention (POSITION_TRACK_RETENTION_DAYS).

The arithmetic is fieldapp/figures.py, over those rows in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from common.moments import values_with_moments
from fieldapp import figures as fig
from fieldapp.models import Assignment, DutyChange, Job, Officer, Squad
from fieldapp.track_selectors import track_last_at_before, track_silence_edges


def quick_clearance_within_s() -> int:
    return int(getattr(settings, "FIGURES_QUICK_CLEARANCE_WITHIN_S", 900))


@dataclass
class RangeFigures:
    range: fig.Range
    squad: Squad | None
    figures: fig.Figures
    attendance: fig.Attendance
    officers: dict[int, fig.OfficerRow]  # every officer: the squad's jobs may have others' assignments
    assignments: list[fig.AssignmentRow]

    def __post_init__(self) -> None:
        self._jobs = {line.job.id: line for line in self.figures.timelines}

    def timeline(self, job_id: int) -> fig.Timeline:
        return self._jobs[job_id]


def _job_filter(prefix: str, start: datetime, end: datetime, squad_id: int | None) -> Q:
    q = Q(**{f"{prefix}reported_at__gte": start, f"{prefix}reported_at__lt": end})
    if squad_id is not None:
        job_ref = OuterRef(f"{prefix}pk" if prefix else "pk")
        q &= Q(Exists(Assignment.objects.filter(job=job_ref, officer__squad_id=squad_id)))
    return q


def _job_rows(jobs: QuerySet[Job]) -> list[tuple[Any, ...]]:
    # A secondary incident is linked to a job reported before it; the database compares the two.
    jobs = jobs.annotate(is_secondary=ExpressionWrapper(
        Q(linked_job__reported_at__lt=F("reported_at")), output_field=BooleanField(),
    ))
    return values_with_moments(
        jobs,
        ["id", "number", "kind", "status", "summary", "quick_clearance__officer_id", "is_secondary", "rescue__id",
         "rescue__kind", "rescue__officer_id", "rescue__people_helped"],
        ["reported_at", "closed_at", "quick_clearance__lanes_open_at"],
    )


def figures_for_range(*, first: date, last: date, squad: Squad | None = None, now: datetime | None = None) -> RangeFigures:
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    squad_id = squad.pk if squad is not None else None
    gaps_from = now - timedelta(days=settings.POSITION_TRACK_RETENTION_DAYS)
    rng = fig.Range(
        first=first, last=last, zone=zone, now=now, squad_id=squad_id,
        quick_clearance_within_s=quick_clearance_within_s(), gaps_from=gaps_from,
    )
    start, end = fig.day_bounds(first, last, zone)
    # The track is read only where it is kept: a silence found before that would be the prune's, not the phone's.
    track_start = max(start, gaps_from)

    jobs = [
        fig.JobRow(
            id=row[0], number=row[1], kind=row[2], status=row[3], summary=row[4], quick_clearance_officer_id=row[5],
            secondary=bool(row[6]), rescue_kind=None if row[7] is None else row[8], rescue_officer_id=row[9],
            people_helped=row[10], reported_at=row[11], closed_at=row[12], lanes_open_at=row[13],
        )
        for row in _job_rows(Job.objects.filter(_job_filter("", start, end, squad_id)).order_by())
    ]
    assignments = [
        fig.AssignmentRow(*row)
        for row in values_with_moments(
            Assignment.objects.filter(_job_filter("job__", start, end, squad_id)).order_by(),
            ["job_id", "officer_id", "officer__squad_id", "status"],
            ["dispatched_at", "received_at", "accepted_at", "en_route_at", "on_scene_at", "cleared_at"],
        )
    ]
    figures = fig.compute(rng, jobs, assignments)

    before = DutyChange.objects.filter(officer=OuterRef("pk"), at__lt=start).order_by("-at", "-id")
    officer_rows = Officer.objects.order_by().annotate(
        before_on=Subquery(before.values("on_duty")[:1]), before_at=Subquery(before.values("at")[:1]),
    )
    officer_rows = officer_rows.annotate(last_fix_before=track_last_at_before(before=track_start))
    officers: dict[int, fig.OfficerRow] = {}
    changes: list[fig.DutyRow] = []
    last_fix_before: dict[int, datetime] = {}
    for row in officer_rows.values(
        "id", "call_sign", "user__first_name", "user__last_name", "user__username", "squad_id", "squad__name",
        "before_on", "before_at", "last_fix_before",
    ):
        name = f"{row['user__first_name']} {row['user__last_name']}".strip() or row["user__username"]
        officers[row["id"]] = fig.OfficerRow(
            id=row["id"], call_sign=row["call_sign"], name=name, squad_id=row["squad_id"],
            squad_name=row["squad__name"] or "",
        )
        if row["before_at"] is not None:
            changes.append(fig.DutyRow(officer_id=row["id"], on_duty=row["before_on"], at=row["before_at"]))
        if row["last_fix_before"] is not None:
            last_fix_before[row["id"]] = row["last_fix_before"]
    in_range = DutyChange.objects.filter(at__gte=start, at__lt=end).order_by()
    if squad_id is not None:
        in_range = in_range.filter(officer__squad_id=squad_id)
    changes.extend(fig.DutyRow(*row) for row in in_range.values_list("officer_id", "on_duty", "at"))
    edges = track_silence_edges(start=track_start, end=end, silence_after_s=fig.GAP_AFTER_S, squad_id=squad_id)
    silences = fig.silences_of(edges, last_fix_before, officers)
    attendance = fig.attendance(rng, officers.values(), changes, silences, figures, assignments)
    job_ids = {line.job.id for line in figures.timelines}
    return RangeFigures(
        range=rng, squad=squad, figures=figures, attendance=attendance, officers=officers,
        assignments=[row for row in assignments if row.job_id in job_ids],
    )


def squads() -> list[Squad]:
    return list(Squad.objects.order_by("code"))

"""The rows behind the command centre's figures: five queries for any range, however many jobs.

1. the jobs reported in the range, with their quick-clearance and rescue records and the
   report time of the job they are linked to (LEFT JOINs, one row a job);
2. all the assignments of those jobs, with the officer's squad;
3. the officers, each with its duty state and last fix from before the range (subqueries);
4. the duty changes in the range;
5. the position trace in the range.

The arithmetic is fieldapp/figures.py, over those rows in one pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lag, Lead
from django.utils import timezone

from fieldapp import figures as fig
from fieldapp.models import Assignment, DutyChange, Job, Officer, PositionFix, Squad


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


def _trace_edges(fixes: QuerySet[PositionFix]) -> list[tuple[int, datetime | None, datetime, datetime | None]]:
    """Only the trace points next to a silence, with their neighbours, found by the database (LAG/LEAD).

    A month of a brigade's trace is tens of thousands of points; the gaps are a handful.
    """
    by_officer = {"partition_by": [F("officer_id")], "order_by": [F("at").asc()]}
    edges = fixes.annotate(
        previous=Window(Lag("at"), **by_officer), following=Window(Lead("at"), **by_officer),
    ).filter(
        Q(previous__isnull=True) | Q(following__isnull=True)
        | Q(at__gt=F("previous") + timedelta(seconds=fig.GAP_AFTER_S))
    ).order_by()
    return list(edges.values_list("officer_id", "previous", "at", "following"))


def figures_for_range(*, first: date, last: date, squad: Squad | None = None, now: datetime | None = None) -> RangeFigures:
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    squad_id = squad.pk if squad is not None else None
    rng = fig.Range(
        first=first, last=last, zone=zone, now=now, squad_id=squad_id,
        quick_clearance_within_s=quick_clearance_within_s(),
    )
    start, end = fig.day_bounds(first, last, zone)

    jobs = [
        fig.JobRow(
            id=row[0], number=row[1], kind=row[2], status=row[3], summary=row[4], reported_at=row[5],
            closed_at=row[6], lanes_open_at=row[7], quick_clearance_officer_id=row[8],
            secondary=row[9] is not None and row[9] < row[5],
            rescue_kind=None if row[10] is None else row[11], rescue_officer_id=row[12], people_helped=row[13],
        )
        for row in Job.objects.filter(_job_filter("", start, end, squad_id)).order_by().values_list(
            "id", "number", "kind", "status", "summary", "reported_at", "closed_at",
            "quick_clearance__lanes_open_at", "quick_clearance__officer_id", "linked_job__reported_at",
            "rescue__id", "rescue__kind", "rescue__officer_id", "rescue__people_helped",
        )
    ]
    assignments = [
        fig.AssignmentRow(*row)
        for row in Assignment.objects.filter(_job_filter("job__", start, end, squad_id)).order_by().values_list(
            "job_id", "officer_id", "officer__squad_id", "status", "dispatched_at", "received_at", "accepted_at",
            "en_route_at", "on_scene_at", "cleared_at",
        )
    ]
    figures = fig.compute(rng, jobs, assignments)

    before = DutyChange.objects.filter(officer=OuterRef("pk"), at__lt=start).order_by("-at", "-id")
    officer_rows = Officer.objects.order_by().annotate(
        before_on=Subquery(before.values("on_duty")[:1]), before_at=Subquery(before.values("at")[:1]),
    )
    officer_rows = officer_rows.annotate(last_fix_before=Subquery(
        PositionFix.objects.filter(officer=OuterRef("pk"), at__lt=start).order_by("-at").values("at")[:1]
    ))
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
    fixes = PositionFix.objects.filter(at__gte=start, at__lt=end)
    if squad_id is not None:
        in_range = in_range.filter(officer__squad_id=squad_id)
        fixes = fixes.filter(officer__squad_id=squad_id)
    changes.extend(fig.DutyRow(*row) for row in in_range.values_list("officer_id", "on_duty", "at"))
    silences = fig.silences_of(_trace_edges(fixes), last_fix_before, officers)
    attendance = fig.attendance(rng, officers.values(), changes, silences, figures, assignments)
    job_ids = {line.job.id for line in figures.timelines}
    return RangeFigures(
        range=rng, squad=squad, figures=figures, attendance=attendance, officers=officers,
        assignments=[row for row in assignments if row.job_id in job_ids],
    )


def squads() -> list[Squad]:
    return list(Squad.objects.order_by("code"))

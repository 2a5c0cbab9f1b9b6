"""The command centre's figures over a range of days: pure computations.

Like stations/hours.py, this module has no ORM, no request and no clock: the
selector (fieldapp/figures_selectors.py) fetches the rows of a range in a few
queries and passes them in, with the range, the zone and `now`.

The timeline is the FHWA traffic-incident timeline:
T1 reported (first awareness), T2 first officer dispatched, T3 first officer on
scene, T4 all lanes open (the quick-clearance record), T5 last officer cleared.
T0, the moment of the incident itself, is unknown and not used.

Rules every figure follows:
- a job belongs to the Asia/Shanghai day it was reported on, even if it is
  cleared after midnight;
- a cancelled job counts in the job counts, never in a duration;
- a job (or an assignment) with a missing step is *missing* from a duration,
  never zero, and so is a step recorded before its start (a phone clock off);
- every duration gives p50 (the median), p90 and n, the number of jobs or
  assignments it was computed from, beside the number missing.
- p90 is interpolated linearly between the two closest ranks (as PostgreSQL's
  percentile_cont and Excel's PERCENTILE.INC do).
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.utils.translation import gettext_lazy as _

# The job kinds quick clearance (快处快撤) applies to.
QUICK_CLEARANCE_KINDS = ("accident", "breakdown")
ACTIVE_STATUSES = ("dispatched", "accepted", "en_route", "on_scene")
# An officer on duty without any position fix for longer than this is flagged.
GAP_AFTER_S = 30 * 60
# The longest range the page and the API compute over.
MAX_RANGE_DAYS = 366


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    number: str
    kind: str
    status: str
    summary: str
    reported_at: datetime  # T1
    closed_at: datetime | None
    lanes_open_at: datetime | None  # T4, from the quick-clearance record
    quick_clearance_officer_id: int | None  # None: no quick-clearance record
    secondary: bool  # linked to a job reported earlier
    rescue_kind: str | None  # None: no rescue record; "" a record without its kind yet
    rescue_officer_id: int | None = None
    people_helped: int | None = None


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    job_id: int
    officer_id: int
    squad_id: int | None
    status: str
    dispatched_at: datetime
    received_at: datetime | None = None
    accepted_at: datetime | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    cleared_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DutyRow:
    officer_id: int
    on_duty: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class OfficerRow:
    id: int
    call_sign: str
    name: str
    squad_id: int | None
    squad_name: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """One job's steps: T1 to T5, each None when the job never got there."""

    job: JobRow
    t2: datetime | None
    t3: datetime | None
    t5: datetime | None


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    label: Any
    definition: Any
    per: str  # "job" or "assignment"


FIGURES = (
    Figure("dispatch_delay", _("Dispatch delay"), _(
        "From the report (first awareness) to the first officer dispatched. A job nobody was sent to is missing."), "job"),
    Figure("receipt_delay", _("Receipt delay"), _(
        "For each dispatch, from sending it to the officer's phone confirming receipt. Never received: missing."), "assignment"),
    Figure("response", _("Response time"), _(
        "From the report to the first officer on scene. A job no officer reached is missing."), "job"),
    Figure("travel", _("Travel time"), _(
        "For each dispatch that reached the scene, from 'en route' to 'on scene'. No 'en route' tap: missing."), "assignment"),
    Figure("rct", _("Roadway clearance time (RCT)"), _(
        "Accidents and breakdowns: from the report to all lanes open, from the quick-clearance record. "
        "No lanes-open time: missing."), "job"),
    Figure("ict", _("Incident clearance time (ICT)"), _(
        "From the report to the last officer cleared. Someone still on the job, or nobody cleared: missing."), "job"),
)
FIGURE_KEYS = tuple(figure.key for figure in FIGURES)
# The figures whose job list can be opened, beside the durations.
COUNT_DEFINITIONS = {
    "quick_clearance": (_("Quick-clearance share"), _(
        "Accidents and breakdowns with a quick-clearance record and all lanes open within %(minutes)d minutes "
        "of the first officer on scene, out of all accidents and breakdowns (not cancelled).")),
    "secondary": (_("Secondary incidents"), _(
        "Jobs linked to an earlier job as a secondary incident: how many, and their share of all jobs.")),
    "rescues": (_("Rescues"), _("Jobs with a rescue record, by kind, and the number of people helped.")),
    "jobs": (_("Jobs"), _(
        "Every job reported in the range, on the day it was reported (Beijing time), cancelled ones included.")),
}
LIST_KEYS = (*FIGURE_KEYS, *COUNT_DEFINITIONS)


# --- small tools -------------------------------------------------------------

def span_s(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from start to end; None when a step is missing or comes before its start."""
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """The q-th quantile of sorted values, linearly interpolated between the closest ranks."""
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class Stats:
    n: int
    missing: int
    p50_s: float | None
    p90_s: float | None


def stats(values: Iterable[float | None]) -> Stats:
    values = list(values)
    present = sorted(value for value in values if value is not None)
    missing = len(values) - len(present)
    p50, p90 = percentile(present, 0.5), percentile(present, 0.9)
    return Stats(
        n=len(present), missing=missing,
        p50_s=None if p50 is None else round(p50, 1), p90_s=None if p90 is None else round(p90, 1),
    )


def day_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """From midnight of the first day to midnight after the last day, in the zone."""
    return datetime.combine(first, time.min, tzinfo=zone), datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


# --- the timeline ------------------------------------------------------------

def timelines(jobs: Iterable[JobRow], assignments: Iterable[AssignmentRow]) -> list[Timeline]:
    """T2, T3 and T5 of each job from all of its assignments (whichever squad they belong to), in one pass."""
    first_sent: dict[int, datetime] = {}
    first_on_scene: dict[int, datetime] = {}
    last_cleared: dict[int, datetime] = {}
    still_active: set[int] = set()
    for row in assignments:
        job_id = row.job_id
        if job_id not in first_sent or row.dispatched_at < first_sent[job_id]:
            first_sent[job_id] = row.dispatched_at
        if row.on_scene_at is not None and (job_id not in first_on_scene or row.on_scene_at < first_on_scene[job_id]):
            first_on_scene[job_id] = row.on_scene_at
        if row.cleared_at is not None and (job_id not in last_cleared or row.cleared_at > last_cleared[job_id]):
            last_cleared[job_id] = row.cleared_at
        if row.status in ACTIVE_STATUSES:
            still_active.add(job_id)
    # The last officer has cleared only once no one is still on the way or on scene.
    return [
        Timeline(
            job=job, t2=first_sent.get(job.id), t3=first_on_scene.get(job.id),
            t5=None if job.id in still_active else last_cleared.get(job.id),
        )
        for job in jobs
    ]


def in_squad(jobs: Iterable[JobRow], assignments: Iterable[AssignmentRow], squad_id: int | None) -> list[JobRow]:
    """The jobs an officer of the squad was sent to (all jobs without a squad)."""
    if squad_id is None:
        return list(jobs)
    ids = {row.job_id for row in assignments if row.squad_id == squad_id}
    return [job for job in jobs if job.id in ids]


# --- the figures ---------------------------------------------------------------

@dataclass
class Range:
    first: date
    last: date
    zone: tzinfo
    now: datetime
    squad_id: int | None = None
    quick_clearance_within_s: int = 900
    # The oldest moment the position track still holds (POSITION_TRACK_RETENTION_DAYS): gaps are
    # looked for only after it, since before it every shift would look silent. None: no limit.
    gaps_from: datetime | None = None


@dataclass
class Figures:
    range: Range
    jobs: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    durations: dict[str, Stats]
    quick_clearance: dict[str, Any]
    secondary: dict[str, Any]
    rescues: dict[str, Any]
    days: list[dict[str, Any]]
    weeks: list[dict[str, Any]]
    heatmap: list[list[int]]
    # For each listable figure, the job ids behind it with the value (None: missing).
    behind: dict[str, list[tuple[int, float | None]]] = field(default_factory=dict)
    timelines: list[Timeline] = field(default_factory=list)


def _job_spans(lines: list[Timeline], key: str) -> list[tuple[int, float | None]]:
    counted = [line for line in lines if line.job.status != "cancelled"]
    if key == "dispatch_delay":
        return [(line.job.id, span_s(line.job.reported_at, line.t2)) for line in counted]
    if key == "response":
        return [(line.job.id, span_s(line.job.reported_at, line.t3)) for line in counted]
    if key == "rct":
        return [
            (line.job.id, span_s(line.job.reported_at, line.job.lanes_open_at))
            for line in counted if line.job.kind in QUICK_CLEARANCE_KINDS
        ]
    if key == "ict":
        return [(line.job.id, span_s(line.job.reported_at, line.t5)) for line in counted]
    raise KeyError(key)


def _assignment_spans(assignments: list[AssignmentRow], key: str) -> list[tuple[int, float | None]]:
    if key == "receipt_delay":
        return [(row.job_id, span_s(row.dispatched_at, row.received_at)) for row in assignments]
    if key == "travel":
        return [(row.job_id, span_s(row.en_route_at, row.on_scene_at)) for row in assignments if row.on_scene_at]
    raise KeyError(key)


def quick_cleared(line: Timeline, within_s: int) -> bool:
    """Lanes open within the threshold of the first officer on scene (the boundary counts as within)."""
    job = line.job
    if job.quick_clearance_officer_id is None or job.lanes_open_at is None or line.t3 is None:
        return False
    return (job.lanes_open_at - line.t3).total_seconds() <= within_s


def compute(
    rng: Range, jobs: Iterable[JobRow], assignments: Iterable[AssignmentRow],
) -> Figures:
    """Every figure of the range. `jobs` are the jobs reported in the range, `assignments` all of theirs."""
    assignments = list(assignments)
    jobs = in_squad(jobs, assignments, rng.squad_id)
    job_ids = {job.id for job in jobs}
    assignments = [row for row in assignments if row.job_id in job_ids]
    lines = timelines(jobs, assignments)
    # Per-assignment figures count only the squad's own officers.
    own = [row for row in assignments if rng.squad_id is None or row.squad_id == rng.squad_id]
    first, last, zone = rng.first, rng.last, rng.zone

    behind: dict[str, list[tuple[int, float | None]]] = {}
    durations: dict[str, Stats] = {}
    for figure in FIGURES:
        if figure.per == "job":
            spans = _job_spans(lines, figure.key)
        else:
            spans = _assignment_spans(own, figure.key)
        durations[figure.key] = stats([value for _job, value in spans])
        behind[figure.key] = spans

    by_status: dict[str, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    per_day: dict[date, dict[str, int]] = {day: defaultdict(int) for day in days_of(first, last)}
    heatmap = [[0] * 24 for _weekday in range(7)]
    for job in jobs:
        local = job.reported_at.astimezone(zone)
        by_status[job.status] += 1
        by_kind[job.kind] += 1
        if local.date() in per_day:
            per_day[local.date()][job.kind] += 1
        heatmap[local.weekday()][local.hour] += 1

    eligible = [line for line in lines if line.job.kind in QUICK_CLEARANCE_KINDS and line.job.status != "cancelled"]
    quick = [line for line in eligible if quick_cleared(line, rng.quick_clearance_within_s)]
    quick_ids = {line.job.id for line in quick}
    behind["quick_clearance"] = [(line.job.id, 1.0 if line.job.id in quick_ids else 0.0) for line in eligible]
    secondary = [job for job in jobs if job.secondary]
    behind["secondary"] = [(job.id, None) for job in secondary]
    rescued = [job for job in jobs if job.rescue_kind is not None]
    behind["rescues"] = [(job.id, float(job.people_helped) if job.people_helped is not None else None) for job in rescued]
    behind["jobs"] = [(job.id, None) for job in jobs]
    rescue_kinds: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "people_helped": 0})
    for job in rescued:
        entry = rescue_kinds[job.rescue_kind or ""]
        entry["count"] += 1
        entry["people_helped"] += job.people_helped or 0

    return Figures(
        range=rng,
        jobs=len(jobs),
        by_status=dict(by_status),
        by_kind=dict(by_kind),
        durations=durations,
        quick_clearance={
            "quick": len(quick), "eligible": len(eligible), "share": _share(len(quick), len(eligible)),
            "within_s": rng.quick_clearance_within_s,
        },
        secondary={"count": len(secondary), "jobs": len(jobs), "share": _share(len(secondary), len(jobs))},
        rescues={
            "count": len(rescued), "people_helped": sum(job.people_helped or 0 for job in rescued),
            "by_kind": dict(sorted(rescue_kinds.items())),
        },
        days=[{"day": day, "jobs": sum(kinds.values()), "by_kind": dict(kinds)} for day, kinds in per_day.items()],
        weeks=_weeks(lines, zone),
        heatmap=heatmap,
        behind=behind,
        timelines=lines,
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _weeks(lines: list[Timeline], zone: tzinfo) -> list[dict[str, Any]]:
    """The median response time and the median RCT per week (Monday to Sunday) of the report."""
    response: dict[date, list[float | None]] = defaultdict(list)
    rct: dict[date, list[float | None]] = defaultdict(list)
    for line in lines:
        if line.job.status == "cancelled":
            continue
        day = line.job.reported_at.astimezone(zone).date()
        week = day - timedelta(days=day.weekday())
        response[week].append(span_s(line.job.reported_at, line.t3))
        if line.job.kind in QUICK_CLEARANCE_KINDS:
            rct[week].append(span_s(line.job.reported_at, line.job.lanes_open_at))
    return [
        {"week": week, "response": stats(response[week]), "rct": stats(rct.get(week, []))}
        for week in sorted(response)
    ]


# --- attendance (考勤) ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Gap:
    officer_id: int
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass
class AttendanceDay:
    officer_id: int
    day: date
    on_duty_s: float = 0.0
    first_on: datetime | None = None  # the first time they went on duty that day
    last_off: datetime | None = None  # the last time they went off duty that day
    gaps: int = 0


@dataclass
class OfficerFigures:
    officer: OfficerRow
    on_duty_s: float
    days_on_duty: int
    gaps: list[Gap]
    jobs_handled: int
    response: Stats
    quick_clearances: int
    rescues: int

    @property
    def longest_gap_s(self) -> float | None:
        return max((gap.seconds for gap in self.gaps), default=None)


@dataclass
class Attendance:
    officers: list[OfficerFigures]
    days: list[AttendanceDay]
    gaps: list[Gap]


def duty_intervals(changes: Iterable[DutyRow], start: datetime, end: datetime) -> dict[int, list[tuple[datetime, datetime, datetime]]]:
    """Each officer's on-duty intervals clipped to [start, end), with the real moment each began.

    `changes` are an officer's duty changes in time order, including the last
    one before `start` (the state the range begins in). Twice "on" in a row
    keeps the first; an "off" without an "on" is ignored.
    """
    result: dict[int, list[tuple[datetime, datetime, datetime]]] = defaultdict(list)
    began: dict[int, datetime] = {}
    for change in sorted(changes, key=lambda row: (row.officer_id, row.at)):
        if change.on_duty:
            began.setdefault(change.officer_id, change.at)
        elif change.officer_id in began:
            _clip(result, change.officer_id, began.pop(change.officer_id), change.at, start, end)
    for officer_id, on_at in began.items():
        _clip(result, officer_id, on_at, end, start, end)
    return result


def _clip(result: dict, officer_id: int, on_at: datetime, off_at: datetime, start: datetime, end: datetime) -> None:
    low, high = max(on_at, start), min(off_at, end)
    if low < high:
        result[officer_id].append((low, high, on_at))


def gaps_in(
    intervals: list[tuple[datetime, datetime, datetime]], silences: Sequence[tuple[datetime | None, datetime | None]],
    officer_id: int, gap_after_s: int = GAP_AFTER_S,
) -> list[Gap]:
    """Stretches on duty with no position fix for longer than gap_after_s.

    `silences` are the officer's stretches between two fixes (None: no fix
    before, or none after). A gap is a silence within a shift; going on and
    off duty count as being heard from, so a shift with no fix at all is one
    gap from its start to its end.
    """
    found: list[Gap] = []
    # Silences do not overlap: in order of their end, each shift looks only at those that reach into it.
    ordered = sorted(silences, key=lambda quiet: (quiet[1] is None, quiet[1] or datetime.min.replace(tzinfo=UTC)))
    ends = [quiet_to for _from, quiet_to in ordered if quiet_to is not None]
    for _low, high, on_at in intervals:
        for index in range(bisect_right(ends, on_at), len(ordered)):
            quiet_from, quiet_to = ordered[index]
            if quiet_from is not None and quiet_from >= high:
                break
            start = max(on_at, quiet_from) if quiet_from is not None else on_at
            end = min(high, quiet_to) if quiet_to is not None else high
            if (end - start).total_seconds() > gap_after_s:
                found.append(Gap(officer_id=officer_id, start=start, end=end))
    return sorted(found, key=lambda gap: gap.start)


def _since(
    intervals: list[tuple[datetime, datetime, datetime]], moment: datetime | None,
) -> list[tuple[datetime, datetime, datetime]]:
    """The on-duty intervals from `moment` on, as if each shift before it had begun then."""
    if moment is None:
        return intervals
    return [(max(low, moment), high, max(on_at, moment)) for low, high, on_at in intervals if high > moment]


def silences_of(
    edges: Iterable[tuple[int, datetime | None, datetime, datetime | None]], last_fix_before: dict[int, datetime],
    officer_ids: Iterable[int], gap_after_s: int = GAP_AFTER_S,
) -> dict[int, list[tuple[datetime | None, datetime | None]]]:
    """Each officer's silences from the fixes at their edges: (officer, previous fix, fix, next fix).

    The selector returns only the fixes with no neighbour, or a neighbour more
    than gap_after_s away: a track of thousands of fixes becomes a few rows.
    An officer with no fix in the range is silent from their last fix before it.
    """
    result: dict[int, list[tuple[datetime | None, datetime | None]]] = defaultdict(list)
    seen: set[int] = set()
    for officer_id, previous, at, following in edges:
        seen.add(officer_id)
        if previous is None:
            result[officer_id].append((last_fix_before.get(officer_id), at))
        elif (at - previous).total_seconds() > gap_after_s:
            result[officer_id].append((previous, at))
        if following is None:
            result[officer_id].append((at, None))
    for officer_id in officer_ids:
        if officer_id not in seen:
            result[officer_id].append((last_fix_before.get(officer_id), None))
    return result


def _split_by_day(low: datetime, high: datetime, zone: tzinfo) -> list[tuple[date, float]]:
    pieces = []
    cursor = low
    while cursor < high:
        local = cursor.astimezone(zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=zone)
        piece_end = min(high, midnight)
        pieces.append((local.date(), (piece_end - cursor).total_seconds()))
        cursor = piece_end
    return pieces


def attendance(
    rng: Range, officers: Iterable[OfficerRow], changes: Iterable[DutyRow],
    silences: dict[int, list[tuple[datetime | None, datetime | None]]], figures: Figures,
    assignments: Iterable[AssignmentRow],
) -> Attendance:
    """Hours on duty per officer per day, first on and last off, gaps, and each officer's work."""
    start, end = day_bounds(rng.first, rng.last, rng.zone)
    # A shift still going counts up to now, not to the end of a day that has not happened.
    end = min(end, rng.now)
    officers = [o for o in officers if rng.squad_id is None or o.squad_id == rng.squad_id]
    wanted = {o.id for o in officers}
    changes = [row for row in changes if row.officer_id in wanted]
    intervals = duty_intervals(changes, start, end)

    days: dict[tuple[int, date], AttendanceDay] = {}

    def day_row(officer_id: int, day: date) -> AttendanceDay:
        key = (officer_id, day)
        if key not in days:
            days[key] = AttendanceDay(officer_id=officer_id, day=day)
        return days[key]

    for officer_id, spans in intervals.items():
        for low, high, _on_at in spans:
            for day, seconds in _split_by_day(low, high, rng.zone):
                day_row(officer_id, day).on_duty_s += seconds
    for change in changes:
        if not start <= change.at < end:
            continue
        row = day_row(change.officer_id, change.at.astimezone(rng.zone).date())
        if change.on_duty and (row.first_on is None or change.at < row.first_on):
            row.first_on = change.at
        if not change.on_duty and (row.last_off is None or change.at > row.last_off):
            row.last_off = change.at

    all_gaps: list[Gap] = []
    gaps_by: dict[int, list[Gap]] = {}
    for officer_id in wanted:
        found = gaps_in(_since(intervals.get(officer_id, []), rng.gaps_from), silences.get(officer_id, []), officer_id)
        gaps_by[officer_id] = found
        all_gaps.extend(found)
        for gap in found:
            day_row(officer_id, gap.start.astimezone(rng.zone).date()).gaps += 1

    lines = {line.job.id: line for line in figures.timelines}
    handled: dict[int, set[int]] = defaultdict(set)
    response: dict[int, list[float | None]] = defaultdict(list)
    for row in assignments:
        line = lines.get(row.job_id)
        if line is None or row.officer_id not in wanted:
            continue
        if row.cleared_at is not None:
            handled[row.officer_id].add(row.job_id)
        if row.on_scene_at is not None and line.job.status != "cancelled":
            response[row.officer_id].append(span_s(line.job.reported_at, row.on_scene_at))
    quick: dict[int, int] = defaultdict(int)
    rescues: dict[int, int] = defaultdict(int)
    for line in lines.values():
        if line.job.quick_clearance_officer_id is not None:
            quick[line.job.quick_clearance_officer_id] += 1
        if line.job.rescue_officer_id is not None:
            rescues[line.job.rescue_officer_id] += 1

    rows = []
    for officer in sorted(officers, key=lambda o: o.call_sign):
        own_days = [row for (officer_id, _day), row in days.items() if officer_id == officer.id]
        rows.append(OfficerFigures(
            officer=officer,
            on_duty_s=round(sum(row.on_duty_s for row in own_days), 1),
            days_on_duty=sum(1 for row in own_days if row.on_duty_s > 0),
            gaps=gaps_by.get(officer.id, []),
            jobs_handled=len(handled.get(officer.id, ())),
            response=stats(response.get(officer.id, [])),
            quick_clearances=quick.get(officer.id, 0),
            rescues=rescues.get(officer.id, 0),
        ))
    call_signs = {o.id: o.call_sign for o in officers}
    return Attendance(
        officers=rows,
        days=sorted(days.values(), key=lambda row: (row.day, call_signs.get(row.officer_id, ""))),
        gaps=sorted(all_gaps, key=lambda gap: gap.start),
    )


def definition(key: str, within_s: int = 900) -> Any:
    """The plain-Chinese definition shown beside a figure."""
    for figure in FIGURES:
        if figure.key == key:
            return figure.definition
    label, text = COUNT_DEFINITIONS[key]
    return text % {"minutes": within_s // 60} if key == "quick_clearance" else text


def label(key: str) -> Any:
    for figure in FIGURES:
        if figure.key == key:
            return figure.label
    return COUNT_DEFINITIONS[key][0]


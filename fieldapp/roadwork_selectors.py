"""Road work reads: points with their windows and presence, an officer's posts, hazards, outreach, the rates.

The presence rules live in fieldapp/roadwork.py; these functions fetch the
rows for a whole list in a few queries and hand them over. The position track
is personal location data: presence of other officers is shown to dispatchers
and admins only (the views check the role); an officer sees their own.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from fieldapp import presence
from fieldapp import roadwork as rw
from fieldapp import roadwork_config as config
from fieldapp.figures import Stats, stats
from fieldapp.models import (
    Assignment,
    CongestionPoint,
    Hazard,
    Job,
    Officer,
    OutreachEvent,
    RoadArea,
    TrafficSample,
)
from stations import hours
from stations.selectors import holiday_calendar

# --- windows and presence ----------------------------------------------------------


def calendar_for(first: date, last: date) -> dict[date, hours.CalendarDay]:
    return holiday_calendar(first=first - timedelta(days=1), last=last + timedelta(days=1))


def windows_of(point: CongestionPoint, calendar: hours.Calendar, first: date, days: int) -> list[rw.Window]:
    return rw.post_windows(
        point.post_windows, calendar, first, days, follows_national_calendar=point.follows_national_calendar
    )


def active_points_with_windows(*, first: date, last: date) -> tuple[list[CongestionPoint], dict[int, list[rw.Window]]]:
    """The active points (with their squad) and each one's post windows of the days [first, last]."""
    calendar = calendar_for(first, last)
    days = (last - first).days + 1
    points = list(CongestionPoint.objects.filter(status=CongestionPoint.Status.ACTIVE).select_related("squad"))
    return points, {point.pk: windows_of(point, calendar, first, days) for point in points}


@dataclass
class PointNow:
    point: CongestionPoint
    windows: list[rw.Window]
    current: rw.Window | None
    upcoming: rw.Window | None
    presence: rw.WindowPresence | None
    officers_present: list[Officer]
    flagged: rw.Window | None
    traffic: TrafficSample | None
    today: date
    minutes_here: dict[int, float] = field(default_factory=dict)

    @property
    def covered_now(self) -> bool:
        return bool(self.presence and self.presence.covered)


def points_now(*, now: datetime | None = None, points: Iterable[CongestionPoint] | None = None) -> list[PointNow]:
    """Each active point with today's windows, the current one's presence, who is there and the last traffic state."""
    now = now or timezone.now()
    rules = config.rules()
    today = hours.to_shanghai(now).date()
    if points is None:
        points = CongestionPoint.objects.filter(status=CongestionPoint.Status.ACTIVE).select_related(
            "area", "squad", "officer__user"
        )
    points = list(points)
    calendar = calendar_for(today, today + timedelta(days=1))
    windows = {point.pk: windows_of(point, calendar, today, 2) for point in points}
    current = {pk: rw.window_at(ws, now) for pk, ws in windows.items()}
    # Fixes since the earliest current window started (or the last join gap, for "已到岗" outside windows).
    starts = [w.start for w in current.values() if w is not None] + [now - timedelta(hours=2)]
    fixes = presence.fixes_near(points, min(starts), now + timedelta(seconds=1))
    latest = _latest_traffic([point.pk for point in points], now)
    ids = {fix.officer_id for fix in fixes}
    officers = {officer.pk: officer for officer in Officer.objects.filter(pk__in=ids).select_related("user", "squad")}
    result = []
    index = presence.FixIndex(fixes)
    for point in points:
        visits = rw.visits_of(index.near(point), presence.place_of(point), rules)
        window = current[point.pk]
        row = rw.presence_in(window, visits, rules) if window else None
        minutes_here = {}
        for officer_id in {visit.officer_id for visit in visits}:
            value = rw.minutes_here_now(visits, officer_id, now, rules)
            if value is not None:
                minutes_here[officer_id] = round(value)
        present_ids = row.officers if row else sorted(minutes_here)
        upcoming = rw.next_window(windows[point.pk], now)
        flagged = rw.flagged_soon(
            windows[point.pk], bool(minutes_here), now, timedelta(minutes=config.flag_ahead_minutes())
        )
        result.append(PointNow(
            point=point, windows=windows[point.pk], current=window, upcoming=upcoming, presence=row,
            officers_present=[officers[i] for i in present_ids if i in officers], flagged=flagged,
            traffic=latest.get(point.pk), today=today, minutes_here=minutes_here,
        ))
    return result


def _latest_traffic(point_ids: list[int], now: datetime) -> dict[int, TrafficSample]:
    """The last sample of each point in the last hour: an older state says nothing about now."""
    latest: dict[int, TrafficSample] = {}
    for sample in TrafficSample.objects.filter(point_id__in=point_ids, at__gte=now - timedelta(hours=1), at__lte=now).order_by("point_id", "-at", "-id"):
        latest.setdefault(sample.point_id, sample)
    return latest


def points_for_officer(officer: Officer) -> QuerySet[CongestionPoint]:
    """我的岗点: the active points the officer is responsible for, and their squad's points without an officer."""
    mine = Q(officer=officer)
    if officer.squad_id:
        mine |= Q(squad_id=officer.squad_id, officer__isnull=True)
    return CongestionPoint.objects.filter(mine, status=CongestionPoint.Status.ACTIVE).select_related(
        "area", "squad", "officer__user"
    )


def posts_for_officer(*, officer: Officer, now: datetime | None = None) -> list[PointNow]:
    """Today's posts of one officer, with only their own presence (their own track)."""
    now = now or timezone.now()
    rows = points_now(now=now, points=list(points_for_officer(officer)))
    for row in rows:
        row.minutes_here = {k: v for k, v in row.minutes_here.items() if k == officer.pk}
        row.officers_present = [o for o in row.officers_present if o.pk == officer.pk]
    return rows


def point_list() -> QuerySet[CongestionPoint]:
    return CongestionPoint.objects.select_related("area", "squad", "officer__user").order_by("status", "name")


def areas() -> QuerySet[RoadArea]:
    return RoadArea.objects.select_related("leader").annotate(point_count=Count("points"))


# --- hazards -------------------------------------------------------------------------


def hazard_list(*, status: str = "", overdue: bool = False, reporter=None, today: date | None = None) -> list[Hazard]:  # type: ignore[no-untyped-def]
    today = today or hours.to_shanghai(timezone.now()).date()
    rows = Hazard.objects.select_related("point", "reporter").order_by("-reported_at", "-id")
    if status == "open":
        rows = rows.filter(status__in=rw.OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(status__in=rw.WITH_DEADLINE, deadline__lt=today)
    if reporter is not None:
        rows = rows.filter(reporter=reporter)
    hazards = list(rows[:500])
    for hazard in hazards:
        hazard.overdue = rw.hazard_overdue(status=hazard.status, deadline=hazard.deadline, today=today)
    return hazards


def hazard_detail(*, hazard_id: int, reporter=None, today: date | None = None) -> Hazard | None:  # type: ignore[no-untyped-def]
    today = today or hours.to_shanghai(timezone.now()).date()
    rows = Hazard.objects.select_related("point", "reporter").prefetch_related("events__actor")
    if reporter is not None:
        rows = rows.filter(reporter=reporter)
    hazard = rows.filter(pk=hazard_id).first()
    if hazard is not None:
        hazard.overdue = rw.hazard_overdue(status=hazard.status, deadline=hazard.deadline, today=today)
    return hazard


def open311_hazards() -> QuerySet[Hazard]:
    return Hazard.objects.select_related("point").prefetch_related("events").exclude(status=Hazard.Status.REPORTED)


# --- outreach ------------------------------------------------------------------------


def outreach_list(*, kind: str = "", first: date | None = None, last: date | None = None) -> list[OutreachEvent]:
    rows = OutreachEvent.objects.prefetch_related("officers__user").select_related("recorded_by")
    if kind:
        rows = rows.filter(kind=kind)
    if first:
        rows = rows.filter(day__gte=first)
    if last:
        rows = rows.filter(day__lte=last)
    return list(rows[:500])


# --- the rates -------------------------------------------------------------------------


@dataclass
class PointRate:
    point: CongestionPoint
    rate: rw.Rate
    officer_minutes: float


@dataclass
class Rates:
    first: date
    last: date
    visibility: rw.Rate
    by_point: list[PointRate]
    by_squad: list[tuple[str, rw.Rate]]
    intervention: rw.Rate
    found: rw.Rate
    flow: rw.Rate
    flow_sources: dict[str, int]
    closure: rw.Rate
    hazards_open: int
    hazards_overdue: int
    outreach_by_kind: list[tuple[str, int, int]]
    settings: dict[str, float]
    visit_minutes: Stats | None = None


def rates_for_range(*, first: date, last: date, now: datetime | None = None) -> Rates:
    """见警率, 管事率 (with 寻找警情), 通畅率 and 隐患整改率 for the days [first, last], Beijing time."""
    now = now or timezone.now()
    rules = config.rules()
    start = hours.aware(datetime.combine(first, datetime.min.time()))
    end = min(hours.aware(datetime.combine(last + timedelta(days=1), datetime.min.time())), now)
    points, all_windows = active_points_with_windows(first=first, last=last)
    windows = {pk: [w for w in ws if w.end <= end] for pk, ws in all_windows.items()}
    tallies = presence.window_presence(points, windows, rules, now=now)
    by_point: list[PointRate] = []
    squad_rows: dict[str, list[rw.WindowPresence]] = defaultdict(list)
    all_rows: list[rw.WindowPresence] = []
    visit_minutes: list[float] = []
    for point in points:
        point_tallies = [tallies[(point.pk, w.start, w.end)] for w in windows[point.pk]]
        rows = [tally.presence for tally in point_tallies]
        visit_minutes.extend(minutes for tally in point_tallies for minutes in tally.visit_minutes)
        all_rows.extend(rows)
        squad_rows[point.squad.name if point.squad else "—"].extend(rows)
        by_point.append(PointRate(point, rw.visibility_rate(rows), round(sum(r.officer_minutes for r in rows), 1)))

    jobs = Job.objects.filter(reported_at__gte=start, reported_at__lt=end).values_list("pk", "status", "source")
    on_scene = set(
        Assignment.objects.filter(job__reported_at__gte=start, job__reported_at__lt=end, on_scene_at__isnull=False)
        .values_list("job_id", flat=True)
    )
    intervention, found = rw.intervention_rate(rw.JobFacts(pk, st, src, pk in on_scene) for pk, st, src in jobs)

    samples = TrafficSample.objects.filter(at__gte=start, at__lt=end, point__in=points).values_list(
        "point_id", "state", "source", "at"
    )
    flow, sources = rw.flow_rate((rw.SampleFacts(*row) for row in samples), windows)

    hazard_rows = Hazard.objects.filter(deadline__gte=first, deadline__lte=last).values_list(
        "pk", "status", "deadline", "closed_at"
    )
    closure = rw.closure_rate(
        (rw.HazardFacts(pk, st, dl, hours.to_shanghai(closed).date() if closed else None) for pk, st, dl, closed in hazard_rows),
        first, last,
    )
    today = hours.to_shanghai(now).date()
    open_count = Hazard.objects.filter(status__in=rw.OPEN_STATUSES).count()
    overdue_count = Hazard.objects.filter(status__in=rw.WITH_DEADLINE, deadline__lt=today).count()
    labels = dict(OutreachEvent.Kind.choices)
    outreach = [
        (str(labels.get(row["kind"], row["kind"])), row["n"], row["audience"] or 0)
        for row in OutreachEvent.objects.filter(day__gte=first, day__lte=last).values("kind")
        .annotate(n=Count("id"), audience=Sum("audience")).order_by("kind")
    ]
    return Rates(
        first=first, last=last, visibility=rw.visibility_rate(all_rows), by_point=by_point,
        by_squad=sorted((name, rw.visibility_rate(rows)) for name, rows in squad_rows.items()),
        intervention=intervention, found=found, flow=flow, flow_sources=sources, closure=closure,
        hazards_open=open_count, hazards_overdue=overdue_count, outreach_by_kind=outreach,
        visit_minutes=stats([minutes * 60 for minutes in visit_minutes]),
        settings={
            "ROADWORK_COVERED_MINUTES": rules.covered_minutes,
            "ROADWORK_VISIT_GAP_MINUTES": rules.join_gap.total_seconds() / 60,
            "ROADWORK_MAX_ACCURACY_M": rules.max_accuracy_m,
        },
    )


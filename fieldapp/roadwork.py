"""Road work rules: post windows, presence at a point, the hazard state machine, the three rates.

Pure functions and small dataclasses in the manner of stations/hours.py: no
ORM, no request and no clock of its own (the caller passes `now`, the fixes,
the calendar rows). Post windows are evaluated by the stations' hours engine;
this module only turns its open intervals into windows.

Presence, as the issue defines it:
- a fix counts at a point when it is within the point's radius and its
  reported accuracy is no worse than `max_accuracy_m` (a fix with poorer
  accuracy says nothing either way and is skipped);
- an officer's counting fixes less than `join_gap` apart join one visit; a
  fix outside the radius, or a longer gap, ends it. A visit runs from its
  first fix inside to its last fix inside;
- within a window, an officer's minutes present are the overlaps of their
  visits with the window; the window is covered when one officer alone has at
  least `covered_minutes` of it.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from common.geo import haversine_m
from stations import hours

# --- post windows -------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, Asia/Shanghai
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def post_windows(
    expression: str, calendar: hours.Calendar, first_day: date, days: int, *, follows_national_calendar: bool = True
) -> list[Window]:
    """The post windows of the days [first_day, first_day + days), from the hours engine's open intervals."""
    if not (expression or "").strip():
        return []
    schedule = hours.Schedule(expression=expression.strip(), follows_national_calendar=follows_national_calendar)
    return [
        Window(hours.aware(interval.start), hours.aware(interval.end))
        for interval in hours.timeline(schedule, calendar, first_day, days)
        if interval.state == hours.OPEN
    ]


def window_at(windows: Sequence[Window], at: datetime) -> Window | None:
    for window in windows:
        if window.start <= at < window.end:
            return window
    return None


def next_window(windows: Sequence[Window], at: datetime) -> Window | None:
    upcoming = [window for window in windows if window.start > at]
    return min(upcoming, key=lambda window: window.start) if upcoming else None


# --- presence -------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    officer_id: int
    lat: float
    lng: float
    at: datetime  # aware; the moment the officer was there
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    radius_m: float


@dataclass(frozen=True)
class Visit:
    officer_id: int
    start: datetime
    end: datetime
    fixes: int

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    def minutes_within(self, window: Window) -> float:
        start, end = max(self.start, window.start), min(self.end, window.end)
        return max((end - start).total_seconds() / 60, 0.0)

    def touches(self, window: Window) -> bool:
        return self.start < window.end and self.end >= window.start


@dataclass(frozen=True)
class Rules:
    join_gap: timedelta = timedelta(minutes=3)
    covered_minutes: float = 10.0
    max_accuracy_m: float = 100.0


@dataclass
class WindowPresence:
    window: Window
    officer_minutes: float
    visits: int
    minutes_per_visit: float | None
    covered: bool
    first_arrival: datetime | None
    minutes_by_officer: dict[int, float] = field(default_factory=dict)

    @property
    def officers(self) -> list[int]:
        """Officers present, the longest first."""
        return sorted(self.minutes_by_officer, key=lambda officer_id: (-self.minutes_by_officer[officer_id], officer_id))


def inside(fix: Fix, place: Place, rules: Rules) -> bool | None:
    """True inside, False outside, None when the fix is too inaccurate to say."""
    if fix.accuracy_m is not None and fix.accuracy_m > rules.max_accuracy_m:
        return None
    return haversine_m(fix.lat, fix.lng, place.lat, place.lng) <= place.radius_m


def visits_of(fixes: Iterable[Fix], place: Place, rules: Rules = Rules()) -> list[Visit]:
    """Every officer's visits to the place, by officer then start."""
    by_officer: dict[int, list[Fix]] = {}
    for fix in fixes:
        by_officer.setdefault(fix.officer_id, []).append(fix)
    visits: list[Visit] = []
    for officer_id in sorted(by_officer):
        start: datetime | None = None
        last: datetime | None = None
        count = 0
        for fix in sorted(by_officer[officer_id], key=lambda f: f.at):
            where = inside(fix, place, rules)
            if where is None:
                continue
            if where and last is not None and fix.at - last < rules.join_gap:
                last, count = fix.at, count + 1
                continue
            if start is not None:
                visits.append(Visit(officer_id, start, last, count))
                start, last, count = None, None, 0
            if where:
                start, last, count = fix.at, fix.at, 1
        if start is not None:
            visits.append(Visit(officer_id, start, last, count))
    return visits


@dataclass(frozen=True)
class WindowFacts:
    """What a window's presence is made of: each officer's unrounded minutes in it, its visits, the first arrival."""

    minutes: Mapping[int, float]
    visits: int
    first_arrival: datetime | None


def facts_in(window: Window, visits: Iterable[Visit]) -> WindowFacts:
    minutes: dict[int, float] = {}
    count = 0
    first: datetime | None = None
    for visit in visits:
        if not visit.touches(window):
            continue
        count += 1
        minutes[visit.officer_id] = minutes.get(visit.officer_id, 0.0) + visit.minutes_within(window)
        arrival = max(visit.start, window.start)
        first = arrival if first is None or arrival < first else first
    return WindowFacts(minutes, count, first)


def presence_in(window: Window, visits: Iterable[Visit], rules: Rules = Rules()) -> WindowPresence:
    return presence_from(window, facts_in(window, visits), rules)


def presence_from(window: Window, facts: WindowFacts, rules: Rules = Rules()) -> WindowPresence:
    total = sum(facts.minutes.values())
    return WindowPresence(
        window=window,
        officer_minutes=round(total, 2),
        visits=facts.visits,
        minutes_per_visit=round(total / facts.visits, 2) if facts.visits else None,
        covered=any(value >= rules.covered_minutes for value in facts.minutes.values()),
        first_arrival=facts.first_arrival,
        minutes_by_officer={key: round(value, 2) for key, value in facts.minutes.items()},
    )


def visit_minutes_in(window: Window, visits: Iterable[Visit]) -> list[float]:
    """The minutes of each visit spent inside the window, for those that spent any (the p50/p90 of a visit)."""
    inside_minutes = (visit.minutes_within(window) for visit in visits if visit.touches(window))
    return [value for value in inside_minutes if value > 0]


def presence(windows: Iterable[Window], fixes: Iterable[Fix], place: Place, rules: Rules = Rules()) -> list[WindowPresence]:
    """Presence per window: the single entry point for the desk, the phone and the figures."""
    visits = visits_of(fixes, place, rules)
    return [presence_in(window, visits, rules) for window in windows]


def minutes_here_now(visits: Iterable[Visit], officer_id: int, now: datetime, rules: Rules = Rules()) -> float | None:
    """Minutes of the officer's visit still going on at `now` ("已到岗 12 分钟"), or None when not there now."""
    current = [
        visit for visit in visits
        if visit.officer_id == officer_id and visit.start <= now and now - visit.end < rules.join_gap
    ]
    if not current:
        return None
    visit = max(current, key=lambda v: v.end)
    return (visit.end - visit.start).total_seconds() / 60


def flagged_soon(windows: Sequence[Window], covered_now: bool, now: datetime, within: timedelta) -> Window | None:
    """The uncovered window that starts within `within` of now: the desk flags it so someone can be sent."""
    upcoming = next_window(windows, now)
    if upcoming is not None and upcoming.start - now <= within and not covered_now:
        return upcoming
    return None


# --- hazards ----------------------------------------------------------------------

REPORTED, CONFIRMED, NOTIFIED, RECTIFYING, CLOSED, REJECTED = (
    "reported", "confirmed", "notified", "rectifying", "closed", "rejected",
)
HAZARD_TRANSITIONS: Mapping[str, frozenset[str]] = {
    REPORTED: frozenset({CONFIRMED, REJECTED}),
    CONFIRMED: frozenset({NOTIFIED, REJECTED}),
    # A failed check sends the notice again (a new deadline), it does not close.
    NOTIFIED: frozenset({RECTIFYING, NOTIFIED}),
    RECTIFYING: frozenset({CLOSED, NOTIFIED}),
    # Reopening: a closed hazard that came back is confirmed again; a rejected one is looked at again.
    CLOSED: frozenset({CONFIRMED}),
    REJECTED: frozenset({REPORTED}),
}
OPEN_STATUSES = frozenset({REPORTED, CONFIRMED, NOTIFIED, RECTIFYING})
WITH_DEADLINE = frozenset({NOTIFIED, RECTIFYING})


class HazardTransitionError(ValueError):
    pass


def hazard_check(*, current: str, to: str, unit: str = "", deadline: date | None = None, reason: str = "") -> None:
    """Raise HazardTransitionError when the move is not allowed or lacks what it needs."""
    if to not in HAZARD_TRANSITIONS.get(current, frozenset()):
        raise HazardTransitionError(f"cannot go from {current} to {to}")
    if to == NOTIFIED and (not unit.strip() or deadline is None):
        raise HazardTransitionError("a rectification notice names the unit responsible and a deadline")
    if to == REJECTED and not reason.strip():
        raise HazardTransitionError("give the reason for rejecting it")


def hazard_overdue(*, status: str, deadline: date | None, today: date) -> bool:
    """Past its deadline and not yet signed off (the deadline day itself is still in time)."""
    return status in WITH_DEADLINE and deadline is not None and today > deadline


# --- the rates ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    part: int
    whole: int

    @property
    def share(self) -> float | None:
        """None when there is nothing to measure: never 100% of nothing."""
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> str:
        return "—" if self.share is None else f"{self.share * 100:.1f}%"


def visibility_rate(presences: Iterable[WindowPresence]) -> Rate:
    """见警率: the share of post windows that were covered."""
    rows = list(presences)
    return Rate(sum(1 for row in rows if row.covered), len(rows))


@dataclass(frozen=True)
class JobFacts:
    job_id: int
    status: str
    source: str
    on_scene: bool


FOUND_SOURCES = frozenset({"officer", "video_patrol"})


def intervention_rate(jobs: Iterable[JobFacts]) -> tuple[Rate, Rate]:
    """管事率 and 寻找警情: of the jobs not cancelled (false, duplicate or withdrawn), the share with an
    officer on scene; and the share found by officers or video patrol rather than reported."""
    counted = [job for job in jobs if job.status != "cancelled"]
    return (
        Rate(sum(1 for job in counted if job.on_scene), len(counted)),
        Rate(sum(1 for job in counted if job.source in FOUND_SOURCES), len(counted)),
    )


@dataclass(frozen=True)
class SampleFacts:
    point_id: int
    state: str
    source: str
    at: datetime


def flow_rate(samples: Iterable[SampleFacts], windows_by_point: Mapping[int, Sequence[Window]]) -> tuple[Rate, dict[str, int]]:
    """通畅率: of the samples taken at a point during one of its post windows, the share that were
    smooth (unknown ones are left out), and how many came from each source."""
    counted = [
        sample for sample in samples
        if sample.state != "unknown" and window_at(windows_by_point.get(sample.point_id, ()), sample.at) is not None
    ]
    sources: dict[str, int] = {}
    for sample in counted:
        sources[sample.source] = sources.get(sample.source, 0) + 1
    return Rate(sum(1 for sample in counted if sample.state == "smooth"), len(counted)), sources


@dataclass(frozen=True)
class HazardFacts:
    hazard_id: int
    status: str
    deadline: date | None
    closed_on: date | None


def closure_rate(hazards: Iterable[HazardFacts], first: date, last: date) -> Rate:
    """隐患整改率: of the hazards whose deadline falls in [first, last], the share closed by that deadline."""
    due = [hazard for hazard in hazards if hazard.deadline is not None and first <= hazard.deadline <= last]
    closed = [
        hazard for hazard in due
        if hazard.status == CLOSED and hazard.closed_on is not None and hazard.closed_on <= hazard.deadline
    ]
    return Rate(len(closed), len(due))

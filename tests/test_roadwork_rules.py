"""Road work rules on hand-built tracks whose answers are known exactly (fieldapp/roadwork.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fieldapp import roadwork as rw
from stations import hours

SH = ZoneInfo("Asia/Shanghai")
PEAKS = "Mo-Fr 07:00-09:00,17:00-19:00; PH off"
TUESDAY = date(2026, 12, 1)
POINT = rw.Place(36.6512, 117.1201, 150)
NEAR = (36.6517, 117.1201)  # about 55 m north
FAR = (36.6612, 117.1201)  # about 1.1 km north


def at(clock: str, day: date = TUESDAY) -> datetime:
    hour, minute = clock.split(":")
    return datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=SH)


def fixes(officer_id: int, clocks: list[str], where: tuple[float, float] = NEAR, accuracy: float | None = 10) -> list[rw.Fix]:
    return [rw.Fix(officer_id, where[0], where[1], at(clock), accuracy) for clock in clocks]


def minutes(first: str, last: str, step: int = 1) -> list[str]:
    start, end = at(first), at(last)
    out = []
    while start <= end:
        out.append(start.strftime("%H:%M"))
        start += timedelta(minutes=step)
    return out


MORNING = rw.Window(at("07:00"), at("09:00"))


def test_post_windows_come_from_the_hours_engine():
    windows = rw.post_windows(PEAKS, {}, TUESDAY, 1)
    assert windows == [rw.Window(at("07:00"), at("09:00")), rw.Window(at("17:00"), at("19:00"))]


def test_a_holiday_has_no_window():
    national_day = date(2026, 10, 1)  # a Thursday
    calendar = hours.calendar_from_rows([(national_day, "statutory_holiday", "国庆节")])
    assert rw.post_windows(PEAKS, calendar, national_day, 1) == []
    assert len(rw.post_windows(PEAKS, {}, national_day, 1)) == 2


def test_a_visit_split_by_a_gap():
    track = fixes(1, ["07:00", "07:02", "07:04", "07:08", "07:10", "07:12"])
    visits = rw.visits_of(track, POINT)
    assert [(v.start, v.end) for v in visits] == [(at("07:00"), at("07:04")), (at("07:08"), at("07:12"))]
    [row] = rw.presence([MORNING], track, POINT)
    assert (row.officer_minutes, row.visits, row.minutes_per_visit, row.covered) == (8.0, 2, 4.0, False)
    assert row.first_arrival == at("07:00")


def test_a_visit_across_the_window_edge_counts_only_inside_the_window():
    track = fixes(1, minutes("06:50", "07:15"))
    [row] = rw.presence([MORNING], track, POINT)
    assert row.officer_minutes == 15.0
    assert row.covered is True
    assert row.first_arrival == at("07:00")
    assert row.minutes_by_officer == {1: 15.0}


def test_a_fix_outside_ends_the_visit_at_the_last_fix_inside():
    track = fixes(1, minutes("07:00", "07:09")) + fixes(1, ["07:10"], FAR) + fixes(1, minutes("07:11", "07:20"))
    [row] = rw.presence([MORNING], track, POINT)
    # One officer's visits add up within a window: 9 + 9 minutes cover it.
    assert (row.officer_minutes, row.visits, row.covered) == (18.0, 2, True)


def test_a_fix_with_poor_accuracy_is_skipped_and_does_not_split_the_visit():
    track = fixes(1, minutes("07:00", "07:09")) + fixes(1, ["07:10"], FAR, accuracy=500) + fixes(1, minutes("07:11", "07:20"))
    [row] = rw.presence([MORNING], track, POINT)
    assert (row.officer_minutes, row.visits, row.covered) == (20.0, 1, True)


def test_coverage_needs_one_officer_for_the_threshold():
    track = fixes(1, minutes("07:00", "07:06")) + fixes(2, minutes("07:00", "07:06"))
    [row] = rw.presence([MORNING], track, POINT)
    assert row.officer_minutes == 12.0
    assert row.covered is False
    assert rw.presence([MORNING], track, POINT, rw.Rules(covered_minutes=6))[0].covered is True


def test_minutes_here_now_and_the_flag_for_an_uncovered_window_soon():
    visits = rw.visits_of(fixes(1, minutes("07:00", "07:12")), POINT)
    assert rw.minutes_here_now(visits, 1, at("07:13")) == 12.0
    assert rw.minutes_here_now(visits, 1, at("07:20")) is None
    windows = rw.post_windows(PEAKS, {}, TUESDAY, 1)
    assert rw.flagged_soon(windows, False, at("16:50"), timedelta(minutes=15)) == windows[1]
    assert rw.flagged_soon(windows, False, at("16:40"), timedelta(minutes=15)) is None


# --- hazards ------------------------------------------------------------------------

STATUSES = (rw.REPORTED, rw.CONFIRMED, rw.NOTIFIED, rw.RECTIFYING, rw.CLOSED, rw.REJECTED)
LEGAL = {
    (rw.REPORTED, rw.CONFIRMED), (rw.REPORTED, rw.REJECTED), (rw.CONFIRMED, rw.NOTIFIED), (rw.CONFIRMED, rw.REJECTED),
    (rw.NOTIFIED, rw.RECTIFYING), (rw.NOTIFIED, rw.NOTIFIED), (rw.RECTIFYING, rw.CLOSED), (rw.RECTIFYING, rw.NOTIFIED),
    (rw.CLOSED, rw.CONFIRMED), (rw.REJECTED, rw.REPORTED),
}


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("to", STATUSES)
def test_every_hazard_transition(current, to):
    kwargs = {"unit": "市政养护处", "deadline": TUESDAY, "reason": "重复上报"}
    if (current, to) in LEGAL:
        rw.hazard_check(current=current, to=to, **kwargs)
    else:
        with pytest.raises(rw.HazardTransitionError):
            rw.hazard_check(current=current, to=to, **kwargs)


def test_a_notice_needs_a_unit_and_a_deadline_and_a_rejection_a_reason():
    with pytest.raises(rw.HazardTransitionError):
        rw.hazard_check(current=rw.CONFIRMED, to=rw.NOTIFIED, unit="", deadline=TUESDAY)
    with pytest.raises(rw.HazardTransitionError):
        rw.hazard_check(current=rw.CONFIRMED, to=rw.NOTIFIED, unit="市政", deadline=None)
    with pytest.raises(rw.HazardTransitionError):
        rw.hazard_check(current=rw.REPORTED, to=rw.REJECTED, reason=" ")


def test_overdue_is_after_the_deadline_day_and_only_while_it_is_being_fixed():
    deadline = date(2026, 12, 1)
    assert rw.hazard_overdue(status=rw.NOTIFIED, deadline=deadline, today=date(2026, 12, 1)) is False
    assert rw.hazard_overdue(status=rw.NOTIFIED, deadline=deadline, today=date(2026, 12, 2)) is True
    assert rw.hazard_overdue(status=rw.RECTIFYING, deadline=deadline, today=date(2026, 12, 2)) is True
    assert rw.hazard_overdue(status=rw.CLOSED, deadline=deadline, today=date(2026, 12, 2)) is False


# --- rates ---------------------------------------------------------------------------

def test_visibility_rate_counts_covered_windows():
    covered = rw.presence([MORNING], fixes(1, minutes("07:00", "07:10")), POINT)[0]
    missed = rw.presence([MORNING], fixes(1, minutes("07:00", "07:05")), POINT)[0]
    rate = rw.visibility_rate([covered, missed, missed, missed])
    assert (rate.part, rate.whole, rate.share, rate.percent) == (1, 4, 0.25, "25.0%")


def test_intervention_rate_leaves_out_cancelled_jobs():
    jobs = [
        rw.JobFacts(1, "closed", "phone_call", True),
        rw.JobFacts(2, "closed", "officer", True),
        rw.JobFacts(3, "open", "video_patrol", False),
        rw.JobFacts(4, "cancelled", "phone_call", False),
    ]
    on_scene, found = rw.intervention_rate(jobs)
    assert (on_scene.part, on_scene.whole) == (2, 3)
    assert (found.part, found.whole) == (2, 3)


def test_flow_rate_counts_samples_inside_windows_and_never_says_100_percent_of_nothing():
    windows = {1: [MORNING]}
    samples = [
        rw.SampleFacts(1, "smooth", "officer", at("07:10")),
        rw.SampleFacts(1, "congested", "amap", at("07:20")),
        rw.SampleFacts(1, "smooth", "amap", at("07:30")),
        rw.SampleFacts(1, "smooth", "amap", at("12:00")),  # outside the window
        rw.SampleFacts(1, "unknown", "amap", at("07:40")),
        rw.SampleFacts(2, "smooth", "amap", at("07:10")),  # a point without windows
    ]
    rate, sources = rw.flow_rate(samples, windows)
    assert (rate.part, rate.whole) == (2, 3)
    assert sources == {"officer": 1, "amap": 2}
    empty, _ = rw.flow_rate([], windows)
    assert (empty.share, empty.percent) == (None, "—")


def test_closure_rate_counts_hazards_due_in_the_range_closed_by_their_deadline():
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    hazards = [
        rw.HazardFacts(1, rw.CLOSED, date(2026, 11, 10), date(2026, 11, 10)),  # on the day: in time
        rw.HazardFacts(2, rw.CLOSED, date(2026, 11, 10), date(2026, 11, 11)),  # late
        rw.HazardFacts(3, rw.NOTIFIED, date(2026, 11, 20), None),
        rw.HazardFacts(4, rw.CLOSED, date(2026, 12, 5), date(2026, 11, 2)),  # due after the range
    ]
    rate = rw.closure_rate(hazards, first, last)
    assert (rate.part, rate.whole) == (1, 3)

"""The four road work rates on a known data set, and their section on the figures page."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fieldapp import roadwork_services as services
from fieldapp.models import Assignment, Job, OutreachEvent, TrackFix, TrafficSample
from fieldapp.roadwork_selectors import rates_for_range
from tests.helpers import new_job

SH = ZoneInfo("Asia/Shanghai")
MONDAY, TUESDAY = date(2026, 11, 2), date(2026, 11, 3)
CENTRE = (36.4560, 115.9850)


def moment(day: date, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture
def known(db, squad, officer, dispatcher):
    return load_known(squad, officer, dispatcher)


def load_known(squad, officer, dispatcher):  # type: ignore[no-untyped-def]
    """The known data set: one point whose Monday window is covered and Tuesday's is not, and its jobs, traffic, hazards."""
    point = services.point_create(
        name="柳园路口", lat=CENTRE[0], lng=CENTRE[1], radius_m=150, squad=squad, officer=officer,
        post_windows="Mo-Fr 07:00-09:00",
    )
    # Monday: 15 minutes at the point (covered); Tuesday: 5 minutes (not covered).
    fixes = [moment(MONDAY, "07:00") + timedelta(minutes=m) for m in range(16)]
    fixes += [moment(TUESDAY, "07:00") + timedelta(minutes=m) for m in range(6)]
    TrackFix.objects.bulk_create(TrackFix(officer=officer, lat=CENTRE[0], lng=CENTRE[1], accuracy_m=5, at=at) for at in fixes)
    # Jobs: two on scene (one found by an officer), one never reached, one cancelled.
    jobs = [new_job(dispatcher, source=source, reported_at=moment(MONDAY, "10:00")) for source in ("phone_call", "officer", "citizen", "phone_call")]
    for job in jobs[:2]:
        Assignment.objects.create(job=job, officer=officer, dispatched_at=job.reported_at, on_scene_at=job.reported_at + timedelta(minutes=8))
    Job.objects.filter(pk=jobs[3].pk).update(status="cancelled", cancel_reason="重复")
    # Traffic: in the windows 3 smooth of 4; one outside a window does not count.
    for clock, state, source in (("07:10", "smooth", "officer"), ("07:20", "smooth", "amap"), ("07:30", "congested", "amap"),
                                 ("08:00", "smooth", "amap"), ("12:00", "congested", "amap")):
        TrafficSample.objects.create(point=point, state=state, source=source, at=moment(MONDAY, clock))
    # Hazards: due on Tuesday, one closed in time and one still being fixed.
    for closed in (True, False):
        hazard = services.hazard_report(reporter=officer.user, kind="signals", description="灯坏", address="柳园路", at=moment(MONDAY, "09:00"))
        services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="confirmed", at=moment(MONDAY, "09:10"))
        services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="notified", unit="市政", deadline=TUESDAY, at=moment(MONDAY, "09:20"))
        services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="rectifying", at=moment(MONDAY, "12:00"))
        if closed:
            services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="closed", at=moment(TUESDAY, "15:00"))
    OutreachEvent.objects.create(day=MONDAY, place="实验中学", kind="school", audience=300)
    return point


def test_each_rate_on_a_known_data_set(known):
    rates = rates_for_range(first=MONDAY, last=TUESDAY)
    assert (rates.visibility.part, rates.visibility.whole) == (1, 2)
    assert [(row.rate.part, row.rate.whole, row.officer_minutes) for row in rates.by_point] == [(1, 2, 20.0)]
    assert rates.by_squad == [("市医院中队", rates.visibility)]
    assert (rates.intervention.part, rates.intervention.whole) == (2, 3)
    assert (rates.found.part, rates.found.whole) == (1, 3)
    assert (rates.flow.part, rates.flow.whole) == (3, 4)
    assert rates.flow_sources == {"officer": 1, "amap": 3}
    assert (rates.closure.part, rates.closure.whole) == (1, 2)
    assert (rates.hazards_open, rates.hazards_overdue) >= (1, 1)
    assert rates.outreach_by_kind[0][1:] == (1, 300)


def test_with_no_samples_the_flow_rate_says_so(db):
    rates = rates_for_range(first=MONDAY, last=TUESDAY)
    assert rates.flow.whole == 0 and rates.flow.share is None


def test_the_figures_page_shows_the_rates_with_their_definitions(client, dispatcher, known):
    client.force_login(dispatcher)
    page = client.get(f"/dispatch/figures/?from={MONDAY}&to={TUESDAY}").content.decode()
    assert 'id="roadwork-rates"' in page
    assert "50.0%" in page and "75.0%" in page and "66.7%" in page
    assert "ROADWORK_COVERED_MINUTES" in page


def test_the_figures_page_says_no_samples_rather_than_100_percent(client, dispatcher, db):
    client.force_login(dispatcher)
    page = client.get(f"/dispatch/figures/?from={MONDAY}&to={TUESDAY}").content.decode()
    section = page[page.index('id="rate-flow"'):page.index('id="rate-closure"')]
    assert "100" not in section

"""GET /api/v1/figures/?from=&to=&squad=: every figure on a hand-built day (tests/figures_support.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp import services
from fieldapp.models import TrackFix
from tests.figures_support import build_known_day, build_shifts


@pytest.fixture
def known(db, officer, other_officer, third_officer):
    return build_known_day(officer, other_officer, third_officer)


def _range(api, dispatcher, known, **params):
    api.force_authenticate(dispatcher)
    query = {"from": known.day.isoformat(), "to": known.day.isoformat(), **params}
    response = api.get("/api/v1/figures/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_durations_give_p50_p90_n_and_missing(api, dispatcher, known):
    body = _range(api, dispatcher, known)
    assert body["durations"] == {
        # J1 60, J2 120, J3 30, J4 60; J6 was never dispatched; J5 is cancelled.
        "dispatch_delay": {"p50_s": 60.0, "p90_s": 102.0, "n": 4, "missing": 1},
        # Per assignment: 4, 10, 2; J3's phone never received it.
        "receipt_delay": {"p50_s": 4.0, "p90_s": 8.8, "n": 3, "missing": 1},
        # J1 400, J2 750, J4 670 (on scene after midnight, still day D); J3 and J6 nobody on scene.
        "response": {"p50_s": 670.0, "p90_s": 734.0, "n": 3, "missing": 2},
        "travel": {"p50_s": 600.0, "p90_s": 600.0, "n": 3, "missing": 0},
        # Accidents and breakdowns: J1 1300, J2 1651; J3 and J6 have no lanes-open time.
        "rct": {"p50_s": 1475.5, "p90_s": 1615.9, "n": 2, "missing": 2},
        # J1 1400, J2 2000, J4 3000; J3 is still active and J6 has nobody.
        "ict": {"p50_s": 2000.0, "p90_s": 2800.0, "n": 3, "missing": 2},
    }


def test_counts_by_day_kind_and_status(api, dispatcher, known):
    body = _range(api, dispatcher, known)
    assert body["from"] == body["to"] == known.day.isoformat()
    assert body["jobs"] == 6  # J7 and J8 are on the neighbouring days
    assert body["by_status"] == {"closed": 3, "open": 2, "cancelled": 1}
    assert body["by_kind"] == {"accident": 3, "breakdown": 1, "help": 1, "congestion": 1}
    assert body["days"] == [{"day": known.day.isoformat(), "jobs": 6,
                             "by_kind": {"accident": 3, "breakdown": 1, "help": 1, "congestion": 1}}]
    weekday = known.day.weekday()
    assert body["heatmap"][weekday][9] == 3 and body["heatmap"][weekday][10] == 1
    assert body["heatmap"][weekday][11] == 1 and body["heatmap"][weekday][23] == 1
    assert sum(map(sum, body["heatmap"])) == 6


def test_quick_clearance_share_counts_the_15_minute_boundary_as_within(api, dispatcher, known):
    body = _range(api, dispatcher, known)
    # J1 lanes open exactly 15 min after on scene: quick. J2 at 15 min 1 s: not. J3, J6: no record.
    assert body["quick_clearance"] == {"quick": 1, "eligible": 4, "share": 0.25, "within_s": 900}


def test_the_threshold_is_a_setting(api, dispatcher, known, settings):
    settings.FIGURES_QUICK_CLEARANCE_WITHIN_S = 901
    body = _range(api, dispatcher, known)
    assert body["quick_clearance"] == {"quick": 2, "eligible": 4, "share": 0.5, "within_s": 901}


def test_secondary_incidents_and_rescues(api, dispatcher, known):
    body = _range(api, dispatcher, known)
    assert body["secondary"] == {"count": 1, "jobs": 6, "share": 0.1667}
    assert body["rescues"] == {"count": 1, "people_helped": 2, "by_kind": {"lost_elder": {"count": 1, "people_helped": 2}}}


def test_a_squad_keeps_the_jobs_its_officers_were_sent_to(api, dispatcher, known, squad):
    body = _range(api, dispatcher, known, squad=squad.code)
    assert body["squad"] == {"id": squad.pk, "code": squad.code, "name": squad.name}
    assert body["jobs"] == 3  # J1, J3 (officer) and J4 (third_officer)
    assert body["durations"]["dispatch_delay"] == {"p50_s": 60.0, "p90_s": 60.0, "n": 3, "missing": 0}
    assert body["durations"]["response"] == {"p50_s": 535.0, "p90_s": 643.0, "n": 2, "missing": 1}
    assert body["durations"]["receipt_delay"] == {"p50_s": 3.0, "p90_s": 3.8, "n": 2, "missing": 1}
    assert body["quick_clearance"]["quick"] == 1 and body["quick_clearance"]["eligible"] == 2
    assert [row["officer"]["call_sign"] for row in body["attendance"]] == ["铁骑01", "铁骑03"]


def test_a_range_of_three_days_takes_in_the_neighbours(api, dispatcher, known):
    api.force_authenticate(dispatcher)
    first, last = known.day - timedelta(days=1), known.day + timedelta(days=1)
    body = api.get("/api/v1/figures/", {"from": first.isoformat(), "to": last.isoformat()}).json()
    assert [(day["day"], day["jobs"]) for day in body["days"]] == [
        (first.isoformat(), 1), (known.day.isoformat(), 6), (last.isoformat(), 1)]


def test_attendance_hours_first_on_last_off_and_gaps(api, dispatcher, known, officer, other_officer):
    build_shifts(known.day, officer, other_officer)
    body = _range(api, dispatcher, known)
    rows = {row["officer"]["call_sign"]: row for row in body["attendance"]}
    assert rows["铁骑01"] | {"officer": None} == {
        "officer": None, "on_duty_s": 4 * 3600.0, "days_on_duty": 1, "gaps": 1, "longest_gap_s": 3600.0,
        "jobs_handled": 1, "response": {"p50_s": 400.0, "p90_s": 400.0, "n": 1, "missing": 0},
        "quick_clearances": 1, "rescues": 0,
    }
    # On at 22:00, off at 02:00 the next day: two hours on day D, and no fix at all is one gap.
    assert rows["铁骑02"]["on_duty_s"] == 2 * 3600.0 and rows["铁骑02"]["gaps"] == 1
    assert rows["铁骑03"]["on_duty_s"] == 0 and rows["铁骑03"]["rescues"] == 1
    days = {(row["officer_id"], row["day"]): row for row in body["attendance_days"]}
    mine = days[(officer.pk, known.day.isoformat())]
    assert mine["first_on"].startswith(f"{known.day.isoformat()}T08:00:00")
    assert mine["last_off"].startswith(f"{known.day.isoformat()}T12:00:00")
    assert days[(other_officer.pk, known.day.isoformat())]["last_off"] is None
    gap = next(gap for gap in body["gaps"] if gap["officer_id"] == officer.pk)
    assert gap["seconds"] == 3600.0 and "T08:30:00" in gap["start"] and "T09:30:00" in gap["end"]


def test_no_gap_is_looked_for_before_the_track_is_kept(api, dispatcher, known, officer, other_officer, settings):
    build_shifts(known.day, officer, other_officer)
    # Day D is five days ago: with a three-day track its shifts are counted, their gaps are not.
    settings.POSITION_TRACK_RETENTION_DAYS = 3
    body = _range(api, dispatcher, known)
    rows = {row["officer"]["call_sign"]: row for row in body["attendance"]}
    assert rows["铁骑01"]["on_duty_s"] == 4 * 3600.0 and rows["铁骑01"]["gaps"] == 0
    assert rows["铁骑02"]["on_duty_s"] == 2 * 3600.0 and rows["铁骑02"]["gaps"] == 0
    assert body["gaps"] == []
    assert body["gaps_from"] is not None


def test_the_day_figures_are_unchanged(api, dispatcher, known):
    api.force_authenticate(dispatcher)
    body = api.get(f"/api/v1/figures/?day={known.day.isoformat()}").json()
    assert set(body) == {"day", "jobs", "open", "closed", "cancelled", "assignments", "unreceived",
                         "receive_within_s", "median_s"}
    assert body["jobs"] == 6


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-13-01"}, "from"),
    ({"from": "1999-12-31"}, "from"),
    ({"squad": "nosuch"}, "squad"),
    ({"day": "2026-01-01", "from": "2026-01-01"}, "day"),
])
def test_bad_ranges_are_400(api, dispatcher, query, field):
    api.force_authenticate(dispatcher)
    response = api.get("/api/v1/figures/", query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_range_after_the_last_day_is_400(api, dispatcher):
    api.force_authenticate(dispatcher)
    today = timezone.localdate()
    response = api.get("/api/v1/figures/", {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 400


def test_admins_may_read_the_figures(api, admin):
    api.force_authenticate(admin)
    assert api.get("/api/v1/figures/", {"from": timezone.localdate().isoformat()}).status_code == 200


def test_officers_and_anonymous_may_not(api, officer):
    assert api.get("/api/v1/figures/", {"from": timezone.localdate().isoformat()}).status_code in (401, 403)
    api.force_authenticate(officer.user)
    assert api.get("/api/v1/figures/", {"from": timezone.localdate().isoformat()}).status_code == 403


def test_the_range_is_in_the_schema(api, dispatcher):
    api.force_authenticate(dispatcher)
    schema = api.get("/api/v1/schema/?format=json").json()
    names = [param["name"] for param in schema["paths"]["/api/v1/figures/"]["get"]["parameters"]]
    assert {"day", "from", "to", "squad"} <= set(names)
    assert "FigureRange" in schema["components"]["schemas"]
    assert "from" in schema["components"]["schemas"]["FigureRange"]["properties"]


def test_the_gaps_are_read_from_the_track_the_ingest_writes(api, dispatcher, officer):
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)
    services.officer_record_position(officer_id=officer.pk, lat=36.45, lng=115.98)
    received = TrackFix.objects.get(officer=officer).at
    # Gone on duty 40 minutes before the phone's one fix arrived: a 40-minute gap, then none up to now.
    officer.duty_changes.update(at=received - timedelta(minutes=40))
    api.force_authenticate(dispatcher)
    day = timezone.localdate(received)
    response = api.get("/api/v1/figures/", {"from": (day - timedelta(days=1)).isoformat(), "to": day.isoformat()})
    assert [(gap["officer_id"], gap["seconds"]) for gap in response.json()["gaps"]] == [(officer.pk, 2400.0)]

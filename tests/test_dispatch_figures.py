"""The desk's figures, counted by the server over a whole day: GET /api/v1/figures/."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from fieldapp.models import Assignment, Job
from tests.helpers import dispatch, new_job, on_duty


def _at(base: datetime, seconds: int) -> datetime:
    return base + timedelta(seconds=seconds)


def _job(dispatcher: Any, officer: Any, *, reported_at: datetime, job_status: str = "open",
         closed_at: datetime | None = None, **assignment_fields: Any) -> Job:
    """A job (and one assignment) made by the services, then moved to known timestamps with .update()."""
    job = new_job(dispatcher)
    if officer is not None:
        (assignment,) = dispatch(job, dispatcher, officer, force=True)
        Assignment.objects.filter(pk=assignment.pk).update(**assignment_fields)
    Job.objects.filter(pk=job.pk).update(reported_at=reported_at, status=job_status, closed_at=closed_at)
    return job


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=3)


@pytest.fixture
def busy_day(day, dispatcher, officer, other_officer, third_officer):
    """Four jobs reported on `day` (Asia/Shanghai) and one just outside it on each side."""
    for person in (officer, other_officer, third_officer):
        on_duty(person)
    zone = timezone.get_default_timezone()
    base = datetime.combine(day, time(9, 0), tzinfo=zone)
    # Closed 30 min after the report; the officer went all the way.
    _job(dispatcher, officer, reported_at=base, job_status="closed", closed_at=_at(base, 1800),
         status="cleared", dispatched_at=_at(base, 60), received_at=_at(base, 64), accepted_at=_at(base, 100),
         on_scene_at=_at(base, 460), cleared_at=_at(base, 1360))
    # Still open; the phone never received the assignment.
    _job(dispatcher, other_officer, reported_at=_at(base, 3600), dispatched_at=_at(base, 3660))
    # Cancelled; received 50 s after dispatch (late), accepted, then withdrawn.
    _job(dispatcher, third_officer, reported_at=_at(base, 7200), job_status="cancelled", closed_at=_at(base, 7300),
         status="withdrawn", dispatched_at=_at(base, 7260), received_at=_at(base, 7310),
         accepted_at=_at(base, 7320), withdrawn_at=_at(base, 7300))
    # Closed after an hour without anyone sent.
    _job(dispatcher, None, reported_at=_at(base, 10000), job_status="closed", closed_at=_at(base, 13600))
    # Neighbouring days: one second before midnight and midnight of the next day, both unreceived.
    midnight = datetime.combine(day, time.min, tzinfo=zone)
    for reported_at in (midnight - timedelta(seconds=1), midnight + timedelta(days=1)):
        _job(dispatcher, officer, reported_at=reported_at, job_status="closed", closed_at=_at(reported_at, 60),
             dispatched_at=reported_at, accepted_at=_at(reported_at, 5))
    return day


def test_figures_count_the_jobs_reported_on_the_day(api, dispatcher, busy_day):
    api.force_authenticate(dispatcher)
    response = api.get(f"/api/v1/figures/?day={busy_day.isoformat()}")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "day": busy_day.isoformat(), "jobs": 4, "open": 1, "closed": 2, "cancelled": 1,
        "assignments": 3, "unreceived": 2, "receive_within_s": 30,
        "median_s": {
            "dispatch_received": 27.0,  # 4 s and 50 s
            "dispatch_accepted": 50.0,  # 40 s and 60 s
            "dispatch_on_scene": 400.0,
            "on_scene_cleared": 900.0,
            "reported_closed": 2700.0,  # 30 and 60 min; the cancelled job does not count
            "reported_lanes_open": None,  # no quick-clearance record that day
        },
    }


def test_figures_of_a_neighbouring_day_exclude_the_busy_day(api, dispatcher, busy_day):
    api.force_authenticate(dispatcher)
    body = api.get(f"/api/v1/figures/?day={(busy_day - timedelta(days=1)).isoformat()}").json()
    assert (body["jobs"], body["closed"], body["assignments"], body["unreceived"]) == (1, 1, 1, 1)
    assert body["median_s"] == {
        "dispatch_received": None, "dispatch_accepted": 5.0, "dispatch_on_scene": None,
        "on_scene_cleared": None, "reported_closed": 60.0, "reported_lanes_open": None,
    }


def test_figures_default_to_today(api, dispatcher, busy_day):
    new_job(dispatcher)
    api.force_authenticate(dispatcher)
    body = api.get("/api/v1/figures/").json()
    assert body["day"] == timezone.localdate().isoformat()
    assert (body["jobs"], body["open"], body["assignments"]) == (1, 1, 0)
    assert set(body["median_s"].values()) == {None}


@pytest.mark.parametrize("persona, code", [("officer", 403), ("station_manager", 403), (None, 401)])
def test_figures_are_for_dispatchers_only(api, request, persona, code):
    if persona is not None:
        person = request.getfixturevalue(persona)
        api.force_authenticate(getattr(person, "user", person))
    response = api.get("/api/v1/figures/")
    assert response.status_code == code
    assert response.json()["detail"]


@pytest.mark.parametrize("day", ["2026-13-01", "yesterday", "20261126", "9999-12-31", "1999-12-31"])
def test_bad_day_gives_400_with_a_message(api, dispatcher, day):
    api.force_authenticate(dispatcher)
    response = api.get("/api/v1/figures/", {"day": day})
    assert response.status_code == 400
    body = response.json()
    # The detail names the field by its label, then says what is wrong.
    assert body["code"] == "invalid" and list(body["fields"]) == ["day"]
    assert body["detail"] == f"日期：{body['fields']['day'][0]}"


def test_figures_are_in_the_schema(api, dispatcher):
    api.force_authenticate(dispatcher)
    schema = api.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/figures/"]["get"]
    assert operation["operationId"] == "figures_retrieve"
    assert {"400", "401", "403"} <= set(operation["responses"])
    assert "median_s" in schema["components"]["schemas"]["Figures"]["properties"]

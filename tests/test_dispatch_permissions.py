"""Who may call which dispatch endpoint: officer, other officer, dispatcher, station manager, anonymous."""
from __future__ import annotations

import pytest

from fieldapp.models import Assignment, Job
from tests.helpers import new_job, on_duty

ROLES = ("officer", "other_officer", "dispatcher", "station_manager", "anonymous")


def _user(role: str, request):  # type: ignore[no-untyped-def]
    if role == "anonymous":
        return None
    fixture = request.getfixturevalue(role)
    return getattr(fixture, "user", fixture)


def _call(api, method: str, url: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return api.get(url) if method == "GET" else api.post(url, body or {}, format="json")


# endpoint name -> (method, url template, body, expected status per role)
# "officer" is the officer assigned to the job; "other_officer" is on duty but not on it.
MATRIX = {
    "jobs_list": ("GET", "/api/v1/jobs/", None,
                  {"officer": 200, "other_officer": 200, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "jobs_create": ("POST", "/api/v1/jobs/", {"kind": "breakdown", "summary": "抛锚", "lat": 36.4, "lng": 115.9},
                    {"officer": 403, "other_officer": 403, "dispatcher": 201, "station_manager": 403, "anonymous": 401}),
    "job_detail": ("GET", "/api/v1/jobs/{job}/", None,
                   {"officer": 200, "other_officer": 404, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "candidates": ("GET", "/api/v1/jobs/{job}/candidates/", None,
                   {"officer": 403, "other_officer": 403, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "dispatch": ("POST", "/api/v1/jobs/{job}/dispatch/", {"officers": ["{other}"]},
                 {"officer": 403, "other_officer": 403, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "cancel": ("POST", "/api/v1/jobs/{job}/cancel/", {"reason": "误报"},
               {"officer": 403, "other_officer": 403, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "close": ("POST", "/api/v1/jobs/{job}/close/", {},
              {"officer": 403, "other_officer": 403, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "advance": ("POST", "/api/v1/assignments/{assignment}/advance/", {"to": "accepted"},
                {"officer": 200, "other_officer": 404, "dispatcher": 404, "station_manager": 404, "anonymous": 401}),
    "withdraw": ("POST", "/api/v1/assignments/{assignment}/withdraw/", {"reason": "换人"},
                 {"officer": 403, "other_officer": 403, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
    "me": ("GET", "/api/v1/me/", None,
           {"officer": 200, "other_officer": 200, "dispatcher": 200, "station_manager": 200, "anonymous": 401}),
    "me_duty": ("POST", "/api/v1/me/duty/", {"on_duty": True},
                {"officer": 200, "other_officer": 200, "dispatcher": 403, "station_manager": 403, "anonymous": 401}),
    "me_position": ("POST", "/api/v1/me/position/", {"lat": 36.45, "lng": 115.98, "accuracy": 10},
                    {"officer": 200, "other_officer": 200, "dispatcher": 403, "station_manager": 403, "anonymous": 401}),
    "officers": ("GET", "/api/v1/officers/", None,
                 {"officer": 403, "other_officer": 403, "dispatcher": 200, "station_manager": 403, "anonymous": 401}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_permission_matrix(endpoint, role, request, api, assignment, other_officer):
    on_duty(other_officer)
    method, url, body, expected = MATRIX[endpoint]
    url = url.format(job=assignment.job_id, assignment=assignment.pk)
    if body and body.get("officers") == ["{other}"]:
        body = {"officers": [other_officer.pk]}
    user = _user(role, request)
    if user is not None:
        api.force_authenticate(user)
    response = _call(api, method, url, body)
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "code"}


@pytest.mark.parametrize("role", ["other_officer", "dispatcher", "station_manager", "anonymous"])
def test_refused_callers_change_nothing(role, request, api, assignment):
    user = _user(role, request)
    if user is not None:
        api.force_authenticate(user)
    api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "accepted"}, format="json")
    if role != "dispatcher":
        api.post(f"/api/v1/jobs/{assignment.job_id}/cancel/", {"reason": "x"}, format="json")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DISPATCHED
    assert Job.objects.get(pk=assignment.job_id).status == Job.Status.OPEN


def test_officer_lists_only_jobs_assigned_to_them(api, assignment, other_officer, dispatcher):
    new_job(dispatcher, summary="别人的事")
    api.force_authenticate(other_officer.user)
    assert api.get("/api/v1/jobs/?status=all").json() == []
    api.force_authenticate(assignment.officer.user)
    assert [job["id"] for job in api.get("/api/v1/jobs/?status=all").json()] == [assignment.job_id]
    api.force_authenticate(dispatcher)
    assert len(api.get("/api/v1/jobs/?status=all").json()) == 2


def test_anonymous_gets_401_with_code(api, job):
    response = api.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"

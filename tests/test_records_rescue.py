"""Rescue (救助) records through the HTTP API: the kinds, the handover, the times, the rules."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp.models import JobEvent, Rescue
from tests.records_support import iso, job_on

pytestmark = pytest.mark.django_db


def url(job) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/jobs/{job.pk}/rescue/"


def complete_rescue() -> dict:  # type: ignore[type-arg]
    started = timezone.now() - timedelta(minutes=40)
    return {
        "kind": "lost_elder", "people_helped": 1, "handed_to_kind": "family", "handed_to_name": "张秀英（女儿）",
        "handed_to_phone": "13912345678", "outcome": "老人已交家属接回", "started_at": iso(started),
        "ended_at": iso(started + timedelta(minutes=35)), "notes": "老人记不清住址，经社区民警核实", "status": "complete",
    }


@pytest.fixture
def help_job(officer, dispatcher):  # type: ignore[no-untyped-def]
    job, _assignment = job_on(officer, dispatcher, kind="help", summary="老人迷路")
    return job


def test_a_complete_rescue_record(api, officer, help_job):
    api.force_authenticate(officer.user)

    r = api.put(url(help_job), complete_rescue(), format="json")

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "complete" and body["kind"] == "lost_elder" and body["people_helped"] == 1
    assert body["handed_to_kind"] == "family" and body["handed_to_name"] == "张秀英（女儿）"
    assert body["handed_to_phone"] == "13912345678"
    assert body["officer"]["id"] == officer.pk and body["completed_at"] is not None


def test_complete_needs_kind_people_handover_times_and_outcome(api, officer, help_job):
    api.force_authenticate(officer.user)

    r = api.patch(url(help_job), {"status": "complete"}, format="json")

    assert r.status_code == 400
    assert set(r.json()["fields"]) == {"kind", "people_helped", "handed_to_kind", "started_at", "ended_at", "outcome"}
    assert not Rescue.objects.exists()


def test_a_handover_names_who_took_the_people(api, officer, help_job):
    api.force_authenticate(officer.user)

    r = api.put(url(help_job), {**complete_rescue(), "handed_to_name": " "}, format="json")

    assert r.status_code == 400 and list(r.json()["fields"]) == ["handed_to_name"]


def test_a_rescue_cannot_end_before_it_started(api, officer, help_job):
    api.force_authenticate(officer.user)
    started = timezone.now() - timedelta(minutes=10)

    r = api.patch(url(help_job), {"started_at": iso(started), "ended_at": iso(started - timedelta(minutes=1))},
                  format="json")

    assert r.status_code == 400 and list(r.json()["fields"]) == ["ended_at"]


@pytest.mark.parametrize("field, value", [("people_helped", 0), ("handed_to_phone", "call me"), ("kind", "rocket")])
def test_bad_values_are_refused(api, officer, help_job, field, value):
    api.force_authenticate(officer.user)

    r = api.patch(url(help_job), {field: value}, format="json")

    assert r.status_code == 400 and field in r.json()["fields"]


def test_saved_in_steps_and_marked_to_finish_later(api, officer, help_job):
    api.force_authenticate(officer.user)
    started = timezone.now() - timedelta(minutes=5)

    api.patch(url(help_job), {"kind": "escort_illness", "started_at": iso(started)}, format="json")
    body = api.patch(url(help_job), {"people_helped": 2, "status": "later"}, format="json").json()

    assert body["kind"] == "escort_illness" and body["started_at"] == iso(started)
    assert body["people_helped"] == 2 and body["status"] == "later"
    assert [row["record"] for row in api.get("/api/v1/me/records/").json()] == ["rescue"]


def test_a_rescue_attaches_to_a_help_job_only(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher, kind="accident")
    api.force_authenticate(officer.user)

    r = api.patch(url(job), {"kind": "injured"}, format="json")

    assert r.status_code == 409 and r.json()["code"] == "not_rescue_job"


def test_the_audit_log_names_fields_but_keeps_no_personal_data(api, officer, help_job):
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(seconds=30)

    api.put(url(help_job), {**complete_rescue(), "device_time": iso(tapped)}, format="json")

    event = JobEvent.objects.get(job=help_job, kind="record.saved")
    assert event.device_at == tapped
    assert "handed_to_name" in event.data["fields"]
    assert "张秀英" not in str(event.data) and "13912345678" not in str(event.data)
    record = Rescue.objects.get()
    assert record.device_time == tapped and record.received_at > tapped


def test_a_rescue_started_on_the_spot_is_a_help_job_found_on_patrol(api, officer):
    from tests.records_support import on_duty

    on_duty(officer)
    api.force_authenticate(officer.user)
    found = api.post("/api/v1/jobs/found/", {"kind": "help", "lat": 36.451, "lng": 115.982, "note": "老人突发不适倒在路边"},
                     format="json")
    assert found.status_code == 201, found.content
    job_id = found.json()["job"]["id"]

    r = api.patch(f"/api/v1/jobs/{job_id}/rescue/", {"kind": "escort_illness", "people_helped": 1}, format="json")

    assert r.status_code == 200 and r.json()["job_id"] == job_id

"""Quick clearance (快处快撤) records through the HTTP API: the checklist, the steps, the rules, clearing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp.models import Assignment, JobEvent, QuickClearance
from tests.records_support import iso, job_on, jpeg, upload

pytestmark = pytest.mark.django_db

ALL_MET = {
    "vehicle_vs_vehicle": True, "property_damage_only": True, "vehicles_movable": True,
    "drivers_licensed_sober": True, "plates_and_insurance": True, "no_dangerous_goods": True,
}
PARTIES_AGREED = [
    {"plate": "鲁P12345", "vehicle_type": "小型轿车", "insurer": "人保财险"},
    {"plate": "鲁P6789A", "vehicle_type": "小型轿车"},
]


def url(job) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/jobs/{job.pk}/quick-clearance/"


def add_photo(api, job, slot: str):  # type: ignore[no-untyped-def]
    r = api.post(f"{url(job)}photos/", {"slot": slot, "image": upload(jpeg())}, format="multipart")
    assert r.status_code == 201, r.content
    return r


def three_photos(api, job) -> None:  # type: ignore[no-untyped-def]
    for slot in ("front_side", "rear_side", "impact"):
        add_photo(api, job, slot)


def test_a_failed_checklist_item_sends_the_case_to_the_ordinary_procedure(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    r = api.patch(url(job), {**ALL_MET, "property_damage_only": False, "no_dangerous_goods": False,
                             "status": "complete", "notes": "一人受伤，转一般程序"}, format="json")

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["outcome"] == "ordinary"
    assert body["failing_items"] == ["property_damage_only", "no_dangerous_goods"]
    assert body["status"] == "complete"
    # A failed checklist is a record in itself: no photos, parties or times are demanded.
    assert body["completed_at"] is not None


def test_one_failed_item_decides_even_before_the_rest_is_answered(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    body = api.patch(url(job), {"vehicles_movable": False}, format="json").json()

    assert body["outcome"] == "ordinary" and body["failing_items"] == ["vehicles_movable"]
    assert "vehicle_vs_vehicle" in body["unanswered_items"]


def test_all_items_met_is_quick_and_complete_needs_photos_parties_agreement_and_times(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    r = api.patch(url(job), {**ALL_MET, "status": "complete"}, format="json")

    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"photos", "parties", "agreement", "vehicles_moved_at", "lanes_open_at", "tow_called"}
    # The refused save left nothing behind.
    assert not QuickClearance.objects.filter(job=job).exists()


def test_a_complete_quick_clearance_saved_in_steps(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    three_photos(api, job)
    moved = timezone.now() - timedelta(minutes=6)
    lanes = moved + timedelta(minutes=2)

    first = api.patch(url(job), ALL_MET, format="json").json()
    assert first["outcome"] == "quick" and first["status"] == "draft" and first["missing_slots"] == []
    r = api.patch(url(job), {
        "parties": PARTIES_AGREED, "agreement": "agreed", "vehicles_moved_at": iso(moved), "lanes_open_at": iso(lanes),
        "tow_called": False, "status": "complete",
    }, format="json")

    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "complete" and body["outcome"] == "quick"
    assert body["checklist"] == ALL_MET  # the first step is kept
    assert [p["plate"] for p in body["parties"]] == ["鲁P12345", "鲁P6789A"]
    assert [p["responsibility"] for p in body["parties"]] == [None, None]
    assert body["vehicles_moved_at"] == iso(moved) and body["lanes_open_at"] == iso(lanes)
    assert [p["slot"] for p in body["photos"]] == ["front_side", "rear_side", "impact"]


def test_a_responsibility_finding_needs_each_partys_share(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    parties = [{**PARTIES_AGREED[0], "responsibility": "full"}, {**PARTIES_AGREED[1]}]

    r = api.patch(url(job), {"agreement": "finding", "parties": parties, "status": "complete", **ALL_MET}, format="json")

    assert r.status_code == 400
    assert "parties[1].responsibility" in r.json()["fields"]


def test_agreed_parties_carry_no_responsibility(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    parties = [{**PARTIES_AGREED[0], "responsibility": "major"}, PARTIES_AGREED[1]]

    r = api.patch(url(job), {"agreement": "agreed", "parties": parties}, format="json")

    assert r.status_code == 400 and "parties" in r.json()["fields"]


def test_the_lanes_cannot_open_before_the_vehicles_moved(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    three_photos(api, job)
    moved = timezone.now() - timedelta(minutes=5)

    r = api.patch(url(job), {"vehicles_moved_at": iso(moved), "lanes_open_at": iso(moved - timedelta(minutes=1))},
                  format="json")

    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["lanes_open_at"]


def test_the_vehicles_move_only_after_the_three_photos(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    add_photo(api, job, "front_side")

    r = api.patch(url(job), {"vehicles_moved_at": iso(timezone.now())}, format="json")

    assert r.status_code == 400 and list(r.json()["fields"]) == ["vehicles_moved_at"]


def test_a_time_in_the_future_is_refused(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    r = api.patch(url(job), {"notes": "x", "device_time": iso(timezone.now() + timedelta(hours=1))}, format="json")

    assert r.status_code == 400


def test_put_replaces_the_whole_record(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    api.patch(url(job), {**ALL_MET, "notes": "first", "parties": PARTIES_AGREED}, format="json")

    body = api.put(url(job), {"vehicles_movable": False}, format="json").json()

    assert body["notes"] == "" and body["parties"] == []
    assert body["checklist"]["vehicle_vs_vehicle"] is None and body["outcome"] == "ordinary"


def test_clearing_an_accident_needs_the_record_or_a_finish_later_mark(api, officer, dispatcher):
    job, assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    advance = f"/api/v1/assignments/{assignment.pk}/advance/"

    refused = api.post(advance, {"to": "cleared"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "quick_clearance_required"
    assignment.refresh_from_db()
    assert assignment.status == "on_scene"

    three_photos(api, job)
    assert api.post(advance, {"to": "cleared"}, format="json").status_code == 409  # a draft is not enough
    api.patch(url(job), {"status": "later"}, format="json")
    assert api.post(advance, {"to": "cleared"}, format="json").status_code == 200

    # The record stays on the officer's list as unfinished, and can be finished after clearing.
    unfinished = api.get("/api/v1/me/records/").json()
    assert [(row["record"], row["job_id"], row["status"]) for row in unfinished] == [("quick_clearance", job.pk, "later")]
    done = api.patch(url(job), {"vehicles_movable": False, "status": "complete"}, format="json")
    assert done.status_code == 200, done.content
    assert api.get("/api/v1/me/records/").json() == []


def test_a_job_of_another_kind_clears_without_a_record(api, officer, dispatcher):
    _job, assignment = job_on(officer, dispatcher, kind="hazard", summary="路面散落货物")
    api.force_authenticate(officer.user)

    r = api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "cleared"}, format="json")

    assert r.status_code == 200 and r.json()["status"] == "cleared"


def test_only_an_accident_or_breakdown_has_a_quick_clearance(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher, kind="help", summary="老人突发不适")
    api.force_authenticate(officer.user)

    r = api.patch(url(job), ALL_MET, format="json")

    assert r.status_code == 409 and r.json()["code"] == "not_quick_clearance_job"


def test_a_breakdown_has_one(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher, kind="breakdown", summary="货车抛锚")
    api.force_authenticate(officer.user)

    assert api.patch(url(job), {"tow_called": True}, format="json").status_code == 200


def test_every_save_is_in_the_audit_log_with_device_and_server_time(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(minutes=3)

    body = api.patch(url(job), {"notes": "占用一条车道", "device_time": iso(tapped)}, format="json").json()

    assert body["device_time"] == iso(tapped)
    record = QuickClearance.objects.get(job=job)
    assert record.device_time == tapped and record.received_at > tapped
    event = JobEvent.objects.get(job=job, kind="record.saved")
    assert event.device_at == tapped and event.at == record.received_at
    assert event.data["record"] == "quick_clearance" and event.data["fields"] == ["notes"]


def test_an_officer_withdrawn_from_the_job_cannot_write(api, officer, dispatcher):
    job, assignment = job_on(officer, dispatcher)
    Assignment.objects.filter(pk=assignment.pk).update(status="withdrawn")
    api.force_authenticate(officer.user)

    r = api.patch(url(job), {"notes": "x"}, format="json")

    assert r.status_code == 409 and r.json()["code"] == "assignment_ended"

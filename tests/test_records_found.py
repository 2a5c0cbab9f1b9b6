"""Jobs found on patrol, and the desk's view of a job: records, step timeline, found on patrol."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp.models import Assignment, Job, JobEvent, OfficerMessage
from tests.records_support import iso, job_on, jpeg, on_duty, upload

pytestmark = pytest.mark.django_db

FOUND = "/api/v1/jobs/found/"


def test_an_on_duty_officer_starts_a_job_assigned_to_them_and_on_scene(api, officer):
    on_duty(officer)
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(seconds=20)

    r = api.post(FOUND, {"kind": "accident", "lat": 36.4512, "lng": 115.9861, "accuracy": 12,
                         "note": "两车剐蹭，占用内侧车道\n无人受伤", "device_time": iso(tapped)}, format="json")

    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "on_scene" and body["officer"]["id"] == officer.pk
    assert body["next_steps"] == ["cleared"]
    assert body["job"]["record"] == "quick_clearance"  # the card opens this form before clearing
    job = Job.objects.get(pk=body["job"]["id"])
    assert job.source == "officer" and job.created_by == officer.user and job.kind == "accident"
    assert job.summary == "两车剐蹭，占用内侧车道" and job.description.endswith("无人受伤")
    assert (job.lat, job.lng) == (36.4512, 115.9861)
    assert job.reported_at == tapped  # the tap, not the arrival of the request
    created = JobEvent.objects.get(job=job, kind="job.created")
    assert created.device_at == tapped and created.at > tapped
    # On the officer's feed too, like a dispatch.
    assert OfficerMessage.objects.get(officer=officer).type == "assignment.new"


def test_without_a_note_the_summary_names_the_kind(api, officer):
    on_duty(officer)
    api.force_authenticate(officer.user)

    body = api.post(FOUND, {"kind": "hazard", "lat": 36.45, "lng": 115.98}, format="json").json()

    assert body["job"]["summary"].startswith("巡逻发现")


def test_a_long_note_makes_a_short_headline_and_is_kept_whole(api, officer):
    """The headline is what the phone's card and the desk print in large type: 40 characters at
    most, so a long note cannot push the step button off the screen."""
    on_duty(officer)
    api.force_authenticate(officer.user)
    note = "路面大面积油污" * 30 + "\n第二行"
    body = api.post(FOUND, {"kind": "hazard", "lat": 36.45, "lng": 115.98, "note": note}, format="json").json()
    summary = body["job"]["summary"]
    assert len(summary) == 40 and summary.endswith("…") and summary.startswith("路面大面积油污路面")
    assert Job.objects.get(pk=body["job"]["id"]).description == note


def test_an_officer_off_duty_cannot_start_a_job(api, officer):
    api.force_authenticate(officer.user)

    r = api.post(FOUND, {"kind": "hazard", "lat": 36.45, "lng": 115.98}, format="json")

    assert r.status_code == 409 and r.json()["code"] == "off_duty"
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [({"kind": "meteor", "lat": 36.45, "lng": 115.98}, "kind"), ({"kind": "hazard", "lat": 91, "lng": 115.98}, "lat"),
     ({"kind": "hazard", "lng": 115.98}, "lat")],
)
def test_a_found_job_needs_a_kind_and_a_position(api, officer, body, field):
    on_duty(officer)
    api.force_authenticate(officer.user)

    r = api.post(FOUND, body, format="json")

    assert r.status_code == 400 and field in r.json()["fields"]


def test_a_found_job_with_a_photo(api, officer, dispatcher):
    on_duty(officer)
    api.force_authenticate(officer.user)

    r = api.post(FOUND, {"kind": "hazard", "lat": "36.45", "lng": "115.98", "note": "路面散落货物",
                         "photo": upload(jpeg())}, format="multipart")

    assert r.status_code == 201, r.content
    api.force_authenticate(dispatcher)
    job = api.get(f"/api/v1/jobs/{r.json()['job']['id']}/").json()
    assert len(job["records"]["job_photos"]) == 1
    assert job["records"]["job_photos"][0]["thumbnail_url"].endswith("/thumbnail/")


def test_a_refused_photo_starts_no_job(api, officer):
    on_duty(officer)
    api.force_authenticate(officer.user)

    r = api.post(FOUND, {"kind": "hazard", "lat": "36.45", "lng": "115.98", "photo": upload(b"not a photo")},
                 format="multipart")

    assert r.status_code == 400 and r.json()["code"] == "photo_not_image"
    assert not Job.objects.exists()


def test_the_desk_marks_it_found_on_patrol_and_can_send_more_officers(api, officer, other_officer, dispatcher):
    on_duty(officer)
    on_duty(other_officer)
    api.force_authenticate(officer.user)
    job_id = api.post(FOUND, {"kind": "congestion", "lat": 36.45, "lng": 115.98}, format="json").json()["job"]["id"]
    api.force_authenticate(dispatcher)

    listed = {job["id"]: job for job in api.get("/api/v1/jobs/").json()}[job_id]
    assert listed["found_on_patrol"] is True and listed["source"] == "officer"
    sent = api.post(f"/api/v1/jobs/{job_id}/dispatch/", {"officers": [other_officer.pk]}, format="json")
    assert sent.status_code == 200
    assert Assignment.objects.filter(job_id=job_id).count() == 2


def test_the_desk_job_carries_the_records_and_the_timeline(api, officer, dispatcher):
    job, assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    for slot in ("front_side", "rear_side", "impact"):
        api.post(f"/api/v1/jobs/{job.pk}/quick-clearance/photos/", {"slot": slot, "image": upload(jpeg())},
                 format="multipart")
    moved = timezone.now()
    api.patch(f"/api/v1/jobs/{job.pk}/quick-clearance/", {
        "vehicle_vs_vehicle": True, "property_damage_only": True, "vehicles_movable": True,
        "drivers_licensed_sober": True, "plates_and_insurance": True, "no_dangerous_goods": True,
        "parties": [{"plate": "鲁P12345", "vehicle_type": "小型轿车"}, {"plate": "鲁P54321", "vehicle_type": "轻型货车"}],
        "agreement": "agreed", "vehicles_moved_at": iso(moved), "lanes_open_at": iso(moved),
        "tow_called": False, "status": "complete",
    }, format="json")
    api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "cleared"}, format="json")
    api.force_authenticate(dispatcher)

    job_body = api.get(f"/api/v1/jobs/{job.pk}/").json()

    record = job_body["records"]["quick_clearance"]
    assert record["outcome"] == "quick" and record["status"] == "complete"
    assert [p["plate"] for p in record["parties"]] == ["鲁P12345", "鲁P54321"]
    assert [p["slot"] for p in record["photos"]] == ["front_side", "rear_side", "impact"]
    assert all(p["thumbnail_url"].startswith("/api/v1/record-photos/") for p in record["photos"])
    assert job_body["records"]["rescue"] is None and job_body["found_on_patrol"] is False
    steps = [step["step"] for step in job_body["timeline"]]
    assert steps == ["reported", "dispatched", "received", "on_scene", "vehicles_moved", "lanes_open", "cleared",
                     "closed"]
    assert job_body["timeline"][1]["call_sign"] == officer.call_sign
    assert [s["at"] for s in job_body["timeline"]] == sorted(s["at"] for s in job_body["timeline"])
    # The officer's own job list stays without the records.
    api.force_authenticate(officer.user)
    assert "records" not in api.get(f"/api/v1/jobs/{job.pk}/").json()


def test_the_desk_list_fetches_records_in_a_fixed_number_of_queries(api, officer, other_officer, dispatcher,
                                                                  django_assert_max_num_queries):
    for who in (officer, other_officer):
        job, _assignment = job_on(who, dispatcher)
        api.force_authenticate(who.user)
        api.post(f"/api/v1/jobs/{job.pk}/quick-clearance/photos/", {"slot": "impact", "image": upload(jpeg())},
                 format="multipart")
        api.patch(f"/api/v1/jobs/{job.pk}/quick-clearance/", {"parties": [{"plate": "鲁P1"}]}, format="json")
    api.force_authenticate(dispatcher)
    api.get("/api/v1/jobs/")  # warm the session and the user's groups

    with django_assert_max_num_queries(8):
        jobs = api.get("/api/v1/jobs/").json()

    assert all(job["records"]["quick_clearance"]["parties"] for job in jobs)


def test_the_figures_give_the_roadway_clearance_time_from_the_records(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    Job.objects.filter(pk=job.pk).update(reported_at=timezone.now() - timedelta(minutes=20))
    api.force_authenticate(officer.user)
    for slot in ("front_side", "rear_side", "impact"):
        api.post(f"/api/v1/jobs/{job.pk}/quick-clearance/photos/", {"slot": slot, "image": upload(jpeg())},
                 format="multipart")
    job.refresh_from_db()
    lanes = job.reported_at + timedelta(minutes=14)
    api.patch(f"/api/v1/jobs/{job.pk}/quick-clearance/",
              {"vehicles_moved_at": iso(lanes - timedelta(minutes=4)), "lanes_open_at": iso(lanes)}, format="json")
    api.force_authenticate(dispatcher)

    figures = api.get(f"/api/v1/figures/?day={timezone.localdate(job.reported_at).isoformat()}").json()

    assert figures["median_s"]["reported_lanes_open"] == 840.0

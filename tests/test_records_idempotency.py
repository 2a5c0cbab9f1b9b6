"""Every action an officer's outbox queues replays with its Idempotency-Key: one effect, the same answer."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fieldapp.models import Assignment, Job, JobEvent, OfficerMessage, QuickClearance, RecordPhoto, Rescue
from tests.records_support import iso, job_on, jpeg, on_duty, stored_files, upload

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "jobs": Job.objects.count(), "assignments": Assignment.objects.count(), "events": JobEvent.objects.count(),
        "photos": RecordPhoto.objects.count(), "feed": OfficerMessage.objects.count(),
    }


class Photo:
    """An upload that can be sent twice with the same bytes."""

    def __init__(self, content: bytes, name: str = "photo.jpg") -> None:
        self.read_back = content
        self.name = name


def multipart(body: dict[str, Any]) -> dict[str, Any]:
    return {name: upload(value.read_back, value.name) if isinstance(value, Photo) else value
            for name, value in body.items()}


def replay(api: Any, method: str, path: str, key: str, body: dict[str, Any], fmt: str = "json"):  # type: ignore[no-untyped-def]
    send = multipart if fmt == "multipart" else (lambda b: b)
    first = getattr(api, method)(path, send(body), format=fmt, HTTP_IDEMPOTENCY_KEY=key)
    after_first = counts()
    second = getattr(api, method)(path, send(body), format=fmt, HTTP_IDEMPOTENCY_KEY=key)
    assert second.status_code == first.status_code, second.content
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert counts() == after_first
    return first


def test_a_found_job_replays(api, officer):
    on_duty(officer)
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(minutes=2)

    first = replay(api, "post", "/api/v1/jobs/found/", "found-1",
                   {"kind": "breakdown", "lat": 36.45, "lng": 115.98, "device_time": iso(tapped)})

    assert first.status_code == 201
    assert Job.objects.count() == 1
    job = Job.objects.get()
    assert job.reported_at == tapped
    assert JobEvent.objects.get(job=job, kind="job.created").device_at == tapped


def test_a_found_job_with_a_photo_replays(api, officer, private_media):
    on_duty(officer)
    api.force_authenticate(officer.user)

    replay(api, "post", "/api/v1/jobs/found/", "found-photo",
           {"kind": "hazard", "lat": "36.45", "lng": "115.98", "photo": Photo(jpeg())}, fmt="multipart")

    assert RecordPhoto.objects.count() == 1 and len(stored_files(private_media)) == 2


def test_a_photo_upload_replays(api, officer, dispatcher, private_media):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(seconds=50)

    first = replay(api, "post", f"/api/v1/jobs/{job.pk}/quick-clearance/photos/", "photo-1",
                   {"slot": "front_side", "image": Photo(jpeg()), "device_time": iso(tapped)}, fmt="multipart")

    assert first.status_code == 201
    photo = RecordPhoto.objects.get()
    assert photo.device_time == tapped and photo.received_at > tapped
    assert first.json()["photo"]["device_time"] == iso(tapped)
    assert len(stored_files(private_media)) == 2  # the image and its thumbnail, once


def test_the_same_key_with_another_photo_is_refused(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    path = f"/api/v1/jobs/{job.pk}/quick-clearance/photos/"
    api.post(path, {"slot": "impact", "image": upload(jpeg())}, format="multipart", HTTP_IDEMPOTENCY_KEY="k")

    r = api.post(path, {"slot": "impact", "image": upload(jpeg(color=(1, 2, 3)))}, format="multipart",
                 HTTP_IDEMPOTENCY_KEY="k")

    assert r.status_code == 422 and RecordPhoto.objects.count() == 1


def test_a_rescue_photo_upload_replays(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher, kind="help", summary="走失老人")
    api.force_authenticate(officer.user)

    replay(api, "post", f"/api/v1/jobs/{job.pk}/rescue/photos/", "rescue-photo", {"image": Photo(jpeg())},
           fmt="multipart")

    assert RecordPhoto.objects.filter(rescue__isnull=False).count() == 1


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_quick_clearance_save_replays(api, officer, dispatcher, method):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(seconds=10)

    replay(api, method, f"/api/v1/jobs/{job.pk}/quick-clearance/", f"qc-{method}",
           {"vehicles_movable": False, "status": "later", "device_time": iso(tapped)})

    record = QuickClearance.objects.get()
    assert record.device_time == tapped and record.received_at > tapped
    assert JobEvent.objects.filter(job=job, kind="record.saved").count() == 1


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_rescue_save_replays(api, officer, dispatcher, method):
    job, _assignment = job_on(officer, dispatcher, kind="help", summary="走失儿童")
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(seconds=10)

    replay(api, method, f"/api/v1/jobs/{job.pk}/rescue/", f"rescue-{method}",
           {"kind": "lost_child", "people_helped": 1, "device_time": iso(tapped)})

    assert Rescue.objects.get().device_time == tapped
    assert JobEvent.objects.filter(job=job, kind="record.saved").count() == 1


def test_a_step_replays_and_keeps_its_device_time(api, officer, dispatcher):
    job, assignment = job_on(officer, dispatcher, kind="hazard", summary="路面散落货物", step="dispatched")
    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(seconds=40)

    replay(api, "post", f"/api/v1/assignments/{assignment.pk}/advance/", "step-1", {"to": "accepted", "at": iso(tapped)})

    event = JobEvent.objects.get(assignment=assignment, kind="assignment.step")
    assert event.device_at == tapped and event.at > tapped


def test_a_refused_clear_replays_its_409(api, officer, dispatcher):
    _job, assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    first = replay(api, "post", f"/api/v1/assignments/{assignment.pk}/advance/", "clear-1", {"to": "cleared"})

    assert first.status_code == 409 and first.json()["code"] == "quick_clearance_required"


def test_a_duty_change_replays_and_keeps_its_device_time(api, officer):
    from fieldapp.models import DutyChange

    api.force_authenticate(officer.user)
    tapped = timezone.now() - timedelta(minutes=1)

    first = replay(api, "post", "/api/v1/me/duty/", "duty-1", {"on_duty": True, "device_time": iso(tapped)})

    assert first.status_code == 200 and first.json()["on_duty"] is True
    change = DutyChange.objects.get()
    assert change.device_at == tapped and change.at > tapped

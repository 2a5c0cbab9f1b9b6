"""Record writes at the same moment, with real threads: one record, one photo per key, never a 500."""
from __future__ import annotations

import pytest

from fieldapp import services
from fieldapp.models import JobEvent, QuickClearance, RecordPhoto
from tests.helpers import at_once, client_for
from tests.records_support import job_on, jpeg, on_duty, stored_files, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officers_starting_the_record_at_once_make_one(officer, other_officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    on_duty(other_officer)
    services.job_dispatch(job_id=job.pk, officer_ids=[other_officer.pk], dispatcher=dispatcher, force=True)
    users = [officer.user, other_officer.user]
    bodies = [{"vehicles_movable": True}, {"notes": "两车剐蹭"}]

    responses = at_once(2, lambda i: client_for(users[i]).patch(
        f"/api/v1/jobs/{job.pk}/quick-clearance/", bodies[i], format="json"))

    assert [getattr(r, "status_code", r) for r in responses] == [200, 200]
    record = QuickClearance.objects.get(job=job)
    assert record.vehicles_movable is True and record.notes == "两车剐蹭"
    assert JobEvent.objects.filter(job=job, kind="record.saved").count() == 2


def test_one_photo_sent_five_times_at_once_with_one_key_is_stored_once(officer, dispatcher, private_media):
    job, _assignment = job_on(officer, dispatcher)
    content = jpeg()

    responses = at_once(5, lambda i: client_for(officer.user).post(
        f"/api/v1/jobs/{job.pk}/quick-clearance/photos/", {"slot": "impact", "image": upload(content)},
        format="multipart", HTTP_IDEMPOTENCY_KEY="photo-once"))

    codes = [getattr(r, "status_code", r) for r in responses]
    assert set(codes) <= {201, 409} and 201 in codes, codes
    assert RecordPhoto.objects.count() == 1
    assert len(stored_files(private_media)) == 2
    assert len({r.json()["photo"]["id"] for r in responses if r.status_code == 201}) == 1


def test_finish_later_racing_a_clear_never_fails_badly(officer, dispatcher):
    job, assignment = job_on(officer, dispatcher)
    calls = [
        lambda: client_for(officer.user).patch(f"/api/v1/jobs/{job.pk}/quick-clearance/", {"status": "later"},
                                               format="json"),
        lambda: client_for(officer.user).post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "cleared"},
                                              format="json"),
    ]

    later, clear = at_once(2, lambda i: calls[i]())

    assert later.status_code == 200
    assert clear.status_code in (200, 409)
    assignment.refresh_from_db()
    assert assignment.status == ("cleared" if clear.status_code == 200 else "on_scene")

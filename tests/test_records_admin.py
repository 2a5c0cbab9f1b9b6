"""Admin shows both records, the photos and the audit log, and changes none of them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp.models import QuickClearance, RecordPhoto, Rescue
from tests.records_support import iso, job_on, jpeg, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(api, officer, dispatcher):  # type: ignore[no-untyped-def]
    accident, _a = job_on(officer, dispatcher)
    help_job, _b = job_on(officer, dispatcher, kind="help", summary="走失老人", step="dispatched")
    api.force_authenticate(officer.user)
    api.post(f"/api/v1/jobs/{accident.pk}/quick-clearance/photos/", {"slot": "impact", "image": upload(jpeg())},
             format="multipart")
    tapped = timezone.now() - timedelta(minutes=1)
    api.patch(f"/api/v1/jobs/{accident.pk}/quick-clearance/",
              {"vehicles_movable": False, "parties": [{"plate": "鲁P12345"}], "device_time": iso(tapped)}, format="json")
    api.patch(f"/api/v1/jobs/{help_job.pk}/rescue/", {"kind": "lost_elder", "handed_to_name": "王秀兰"}, format="json")
    return QuickClearance.objects.get(), Rescue.objects.get(), RecordPhoto.objects.get()


def test_admin_shows_the_records_read_only_with_the_audit_log(client, admin, records):
    quick_clearance, rescue, photo = records
    client.force_login(admin)

    for path in ("/admin/fieldapp/quickclearance/", "/admin/fieldapp/rescue/", "/admin/fieldapp/recordphoto/"):
        assert client.get(path).status_code == 200, path
    page = client.get(f"/admin/fieldapp/quickclearance/{quick_clearance.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "鲁P12345" in text and f"/api/v1/record-photos/{photo.pk}/thumbnail/" in text
    assert "record.saved" not in text and ("保存记录" in text or "Record saved" in text)
    assert 'name="_save"' not in text  # view only
    assert "保存的字段" in text and "vehicles_movable" in text  # the audit log's details, labelled in Chinese
    rescue_page = client.get(f"/admin/fieldapp/rescue/{rescue.pk}/change/").content.decode()
    assert "王秀兰" in rescue_page and 'name="_save"' not in rescue_page
    photo_page = client.get(f"/admin/fieldapp/recordphoto/{photo.pk}/change/").content.decode()
    assert 'name="_save"' not in photo_page and 'type="file"' not in photo_page
    # The original itself, for an admin.
    original = client.get(f"/api/v1/record-photos/{photo.pk}/image/")
    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"


def test_admin_cannot_change_or_delete_a_record(client, admin, records):
    quick_clearance, _rescue, photo = records
    client.force_login(admin)

    client.post(f"/admin/fieldapp/quickclearance/{quick_clearance.pk}/change/", {"notes": "改了"})
    assert client.post(f"/admin/fieldapp/recordphoto/{photo.pk}/delete/", {"post": "yes"}).status_code == 403

    quick_clearance.refresh_from_db()
    assert quick_clearance.notes == "" and RecordPhoto.objects.filter(pk=photo.pk).exists()

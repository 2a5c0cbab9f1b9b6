"""Who may read and write the field records, and where citizens' personal data never appears."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fieldapp import services
from fieldapp.models import OfficerMessage, QuickClearance, RecordPhoto
from tests.records_support import iso, job_on, jpeg, on_duty, upload

pytestmark = pytest.mark.django_db

CITIZEN_NAME = "陈美华"
CITIZEN_PHONE = "13788889999"


@pytest.fixture
def accident(officer, dispatcher):  # type: ignore[no-untyped-def]
    job, _assignment = job_on(officer, dispatcher)
    return job


@pytest.fixture
def rescue_job(api, officer, dispatcher):  # type: ignore[no-untyped-def]
    job, _assignment = job_on(officer, dispatcher, kind="help", summary="走失儿童")
    api.force_authenticate(officer.user)
    started = timezone.now() - timedelta(minutes=20)
    r = api.put(f"/api/v1/jobs/{job.pk}/rescue/", {
        "kind": "lost_child", "people_helped": 1, "handed_to_kind": "family", "handed_to_name": CITIZEN_NAME,
        "handed_to_phone": CITIZEN_PHONE, "outcome": "已交母亲", "started_at": iso(started),
        "ended_at": iso(started + timedelta(minutes=15)), "status": "complete",
    }, format="json")
    assert r.status_code == 200, r.content
    r = api.post(f"/api/v1/jobs/{job.pk}/rescue/photos/", {"image": upload(jpeg())}, format="multipart")
    assert r.status_code == 201
    api.force_authenticate(None)
    return job


def test_only_an_officer_on_the_job_writes_its_record(api, accident, officer, other_officer):
    url = f"/api/v1/jobs/{accident.pk}/quick-clearance/"
    api.force_authenticate(other_officer.user)
    assert api.patch(url, {"notes": "x"}, format="json").status_code == 404
    assert api.put(url, {"notes": "x"}, format="json").status_code == 404
    r = api.post(f"{url}photos/", {"slot": "impact", "image": upload(jpeg())}, format="multipart")
    assert r.status_code == 404
    assert not QuickClearance.objects.exists() and not RecordPhoto.objects.exists()

    api.force_authenticate(officer.user)
    assert api.patch(url, {"notes": "x"}, format="json").status_code == 200


def test_an_officer_not_on_the_job_does_not_see_the_record(api, accident, officer, other_officer):
    api.force_authenticate(officer.user)
    api.patch(f"/api/v1/jobs/{accident.pk}/quick-clearance/", {"notes": "x"}, format="json")
    api.force_authenticate(other_officer.user)

    r = api.get(f"/api/v1/jobs/{accident.pk}/quick-clearance/")

    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_a_dispatcher_reads_but_does_not_write(api, accident, officer, dispatcher):
    api.force_authenticate(officer.user)
    api.patch(f"/api/v1/jobs/{accident.pk}/quick-clearance/", {"notes": "追尾"}, format="json")
    api.force_authenticate(dispatcher)

    assert api.get(f"/api/v1/jobs/{accident.pk}/quick-clearance/").json()["notes"] == "追尾"
    assert api.patch(f"/api/v1/jobs/{accident.pk}/quick-clearance/", {"notes": "y"}, format="json").status_code == 403
    r = api.post("/api/v1/jobs/found/", {"kind": "hazard", "lat": 36.45, "lng": 115.98}, format="json")
    assert r.status_code == 403


def test_no_record_yet_is_a_404_with_its_own_code(api, accident, dispatcher):
    api.force_authenticate(dispatcher)

    r = api.get(f"/api/v1/jobs/{accident.pk}/quick-clearance/")

    assert r.status_code == 404 and r.json()["code"] == "no_record"


def test_a_station_manager_gets_403_and_anonymous_401(api, accident, rescue_job, station_manager):
    paths = [f"/api/v1/jobs/{accident.pk}/quick-clearance/", f"/api/v1/jobs/{rescue_job.pk}/rescue/"]
    api.force_authenticate(station_manager)
    for path in paths:
        assert api.get(path).status_code == 403
        assert api.patch(path, {"notes": "x"}, format="json").status_code == 403
    assert api.post("/api/v1/jobs/found/", {"kind": "other", "lat": 36.4, "lng": 115.9}, format="json").status_code == 403
    api.force_authenticate(None)
    for path in paths:
        assert api.get(path).status_code == 401
        assert api.patch(path, {"notes": "x"}, format="json").status_code == 401


def test_dispatchers_and_admins_see_the_personal_data(api, rescue_job, dispatcher, admin):
    for user in (dispatcher, admin):
        api.force_authenticate(user)
        body = api.get(f"/api/v1/jobs/{rescue_job.pk}/rescue/").json()
        assert body["handed_to_name"] == CITIZEN_NAME and body["handed_to_phone"] == CITIZEN_PHONE


def test_personal_data_is_not_in_any_public_page_or_api(rescue_job):
    photo = RecordPhoto.objects.get()
    public = Client()
    for path in ("/", "/stations/", "/api/v1/stations/", "/api/v1/stations.geojson", "/api/v1/safety-videos/"):
        response = public.get(path, follow=True)
        text = response.content.decode(errors="replace")
        assert CITIZEN_NAME not in text and CITIZEN_PHONE not in text, path
        assert "record-photos" not in text, path
    # The photo is not under /media/, and its API address needs a login.
    assert public.get(f"/media/{photo.image.name}").status_code == 404
    assert public.get(f"/api/v1/record-photos/{photo.pk}/image/").status_code in (401, 403)


def test_other_officers_on_the_job_get_the_job_without_the_records(api, rescue_job, officer, other_officer, dispatcher):
    on_duty(other_officer)
    services.job_dispatch(job_id=rescue_job.pk, officer_ids=[other_officer.pk], dispatcher=dispatcher, force=True)
    api.force_authenticate(other_officer.user)

    detail = api.get(f"/api/v1/jobs/{rescue_job.pk}/").content.decode()
    listing = api.get("/api/v1/jobs/").content.decode()
    me = api.get("/api/v1/me/").content.decode()

    for text in (detail, listing, me):
        assert CITIZEN_NAME not in text and CITIZEN_PHONE not in text
    frames = str(list(OfficerMessage.objects.values_list("frame", flat=True)))
    assert CITIZEN_NAME not in frames and CITIZEN_PHONE not in frames


def test_the_photo_file_is_for_readers_only(api, rescue_job, officer, other_officer, dispatcher, station_manager):
    photo = RecordPhoto.objects.get()
    path = f"/api/v1/record-photos/{photo.pk}/thumbnail/"
    for user, expected in ((officer.user, 200), (dispatcher, 200), (other_officer.user, 404), (station_manager, 404)):
        api.force_authenticate(user)
        assert api.get(path).status_code == expected
    api.force_authenticate(dispatcher)
    assert api.get(f"/api/v1/record-photos/{photo.pk}/original/").status_code == 404

"""Record photos are judged by their content, cleaned of metadata, stored privately; a refusal stores nothing."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from fieldapp.models import QuickClearance, RecordPhoto
from tests.records_support import (
    GPS_IFD,
    job_on,
    jpeg,
    noisy_jpeg,
    png,
    png_bomb,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db


def post_photo(api, job, content: bytes, *, slot: str = "front_side", name: str = "photo.jpg",  # type: ignore[no-untyped-def]
               record: str = "quick-clearance", content_type: str = "image/jpeg"):
    return api.post(
        f"/api/v1/jobs/{job.pk}/{record}/photos/", {"slot": slot, "image": upload(content, name, content_type)},
        format="multipart",
    )


def assert_nothing_stored(job, private_media: Path) -> None:  # type: ignore[no-untyped-def]
    assert RecordPhoto.objects.count() == 0
    assert not QuickClearance.objects.filter(job=job).exists()
    assert stored_files(private_media) == []


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_stored(api, officer, dispatcher, private_media):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    r = post_photo(api, job, "这不是照片，只是一段文字。\n".encode() * 20, name="crash.jpg")

    assert r.status_code == 400
    assert r.json()["code"] == "photo_not_image"
    assert "JPEG" in r.json()["detail"]
    assert_nothing_stored(job, private_media)


def test_an_oversized_photo_is_refused(api, officer, dispatcher, private_media, settings):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    content = noisy_jpeg()
    settings.RECORD_PHOTO_MAX_BYTES = len(content) - 1

    r = post_photo(api, job, content)

    assert r.status_code == 400 and r.json()["code"] == "photo_too_large"
    assert_nothing_stored(job, private_media)


def test_a_decompression_bomb_is_refused(api, officer, dispatcher, private_media):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    bomb = png_bomb()
    assert len(bomb) < 100_000  # a small file claiming 900 million pixels

    r = post_photo(api, job, bomb, name="bomb.png", content_type="image/png")

    assert r.status_code == 400 and r.json()["code"] == "photo_too_many_pixels"
    assert_nothing_stored(job, private_media)


def test_a_bomb_just_over_the_setting_is_refused_before_decoding(api, officer, dispatcher, private_media, settings):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    settings.RECORD_PHOTO_MAX_PIXELS = 1000

    r = post_photo(api, job, jpeg((40, 30)))

    assert r.status_code == 400 and r.json()["code"] == "photo_too_many_pixels"
    assert_nothing_stored(job, private_media)


def test_the_stored_photo_is_upright_and_has_no_exif_or_gps(api, officer, dispatcher, private_media):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    # 64 x 32 pixels with orientation 6: the phone was turned, the picture is shown rotated 90° clockwise.
    original = Image.open(io.BytesIO(jpeg((64, 32), orientation=6, gps=True)))
    assert original.getexif().get(GPS_IFD) is not None

    r = post_photo(api, job, jpeg((64, 32), orientation=6, gps=True))

    assert r.status_code == 201, r.content
    photo = RecordPhoto.objects.get()
    stored = Image.open(Path(settings.PRIVATE_MEDIA_ROOT) / photo.image.name)
    assert stored.format == "JPEG"
    assert stored.size == (32, 64)
    assert dict(stored.getexif()) == {}
    assert "exif" not in stored.info and "icc_profile" not in stored.info
    # The blue marker block at the original's top left is now at the top right.
    red, green, blue = stored.convert("RGB").getpixel((32 - 3, 3))
    assert blue > 150 and red < 100
    thumbnail = Image.open(Path(settings.PRIVATE_MEDIA_ROOT) / photo.thumbnail.name)
    assert max(thumbnail.size) <= 320 and dict(thumbnail.getexif()) == {}
    assert r.json()["photo"]["width"] == 32 and r.json()["photo"]["height"] == 64


def test_photos_live_outside_media_and_are_served_only_to_readers(api, officer, other_officer, dispatcher,
                                                                 station_manager, private_media):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    body = post_photo(api, job, jpeg()).json()
    photo = RecordPhoto.objects.get()
    assert (private_media / photo.image.name).exists()
    assert not (Path(settings.MEDIA_ROOT) / photo.image.name).exists()

    for user, expected in ((officer.user, 200), (dispatcher, 200), (other_officer.user, 404), (station_manager, 404)):
        api.force_authenticate(user)
        r = api.get(body["photo"]["thumbnail_url"])
        assert r.status_code == expected, user
        if expected == 200:
            assert r["Content-Type"] == "image/jpeg" and "private" in r["Cache-Control"]
            Image.open(io.BytesIO(b"".join(r.streaming_content))).verify()
    api.force_authenticate(None)
    assert api.get(body["photo"]["image_url"]).status_code == 401


def test_png_and_webp_are_accepted(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    webp = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 10)).save(webp, format="WEBP")

    assert post_photo(api, job, png(), slot="extra", name="a.png", content_type="image/png").status_code == 201
    assert post_photo(api, job, webp.getvalue(), slot="extra", name="b.webp", content_type="image/webp").status_code == 201
    assert RecordPhoto.objects.filter(slot="extra").count() == 2


def test_heic_is_accepted(api, officer, dispatcher):
    import pillow_heif

    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    heic = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (32, 32), (0, 0, 200))).save(heic, format="HEIF")

    r = post_photo(api, job, heic.getvalue(), slot="impact", name="IMG_0001.HEIC", content_type="image/heic")

    assert r.status_code == 201, r.content
    assert Image.open(Path(settings.PRIVATE_MEDIA_ROOT) / RecordPhoto.objects.get().image.name).format == "JPEG"


def test_a_new_photo_for_a_named_slot_replaces_the_old_one(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    post_photo(api, job, jpeg(), slot="impact")

    body = post_photo(api, job, jpeg(color=(0, 200, 0)), slot="impact").json()

    assert [p["slot"] for p in body["record"]["photos"]] == ["impact"]
    assert body["record"]["photos"][0]["id"] == body["photo"]["id"]
    # The replaced photo stays for the audit.
    assert RecordPhoto.objects.filter(slot="impact").count() == 2
    assert RecordPhoto.objects.filter(slot="impact", superseded_at__isnull=False).count() == 1


def test_the_first_photo_starts_the_record_as_a_draft(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    body = post_photo(api, job, jpeg(), slot="front_side").json()

    assert body["record"]["status"] == "draft"
    assert body["record"]["missing_slots"] == ["rear_side", "impact"]


def test_a_rescue_photo_has_no_named_slot(api, officer, dispatcher, private_media):
    job, _assignment = job_on(officer, dispatcher, kind="help", summary="走失儿童")
    api.force_authenticate(officer.user)

    r = post_photo(api, job, jpeg(), slot="impact", record="rescue")

    assert r.status_code == 400 and "slot" in r.json()["fields"]
    assert stored_files(private_media) == []
    assert post_photo(api, job, jpeg(), slot="extra", record="rescue").status_code == 201


def test_a_photo_without_a_file_is_a_clear_400(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)

    r = api.post(f"/api/v1/jobs/{job.pk}/quick-clearance/photos/", {"slot": "impact"}, format="multipart")

    assert r.status_code == 400 and "image" in r.json()["fields"]


def test_a_phone_jpeg_with_a_preview_picture_mpo_is_accepted(api, officer, dispatcher):
    job, _assignment = job_on(officer, dispatcher)
    api.force_authenticate(officer.user)
    mpo = io.BytesIO()
    Image.new("RGB", (48, 32), (200, 0, 0)).save(mpo, format="MPO", save_all=True,
                                                  append_images=[Image.new("RGB", (24, 16), (0, 0, 200))])
    assert Image.open(io.BytesIO(mpo.getvalue())).format == "MPO"

    r = post_photo(api, job, mpo.getvalue(), slot="impact")

    assert r.status_code == 201, r.content
    assert (r.json()["photo"]["width"], r.json()["photo"]["height"]) == (48, 32)

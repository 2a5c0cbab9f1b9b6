"""Safety videos and images are judged by their bytes; anything else is refused and nothing is stored."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from stations.models import SafetyVideo
from stations.validators import sniff_image, sniff_video, validate_image_file, validate_video_file
from tests.helpers import ROOT

MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free" + b"\x00" * 200
MP4_COMPATIBLE_ONLY = b"\x00\x00\x00\x1cftypXAVC\x00\x00\x00\x00XAVCmp42iso2" + b"\x00" * 100
WEBM = (ROOT / "tests" / "data" / "safety-1.webm").read_bytes() if (ROOT / "tests" / "data" / "safety-1.webm").exists() else (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm" + b"\x00" * 100
)
MKV = b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x88matroska" + b"\x00" * 100
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def upload(name: str, content: bytes, content_type: str = "video/mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "content, expected",
    [(MP4, "video/mp4"), (MP4_COMPATIBLE_ONLY, "video/mp4"), (WEBM, "video/webm"), (MKV, None), (HEIC, None),
     (MOV, None), (PNG, None), (EXE, None), (b"", None), (b"hello world, I am a video", None)],
)
def test_video_sniffing(content, expected):
    assert sniff_video(content[:64]) == expected


@pytest.mark.parametrize("content, expected", [(PNG, "image/png"), (JPEG, "image/jpeg"), (MP4, None), (EXE, None)])
def test_image_sniffing(content, expected):
    assert sniff_image(content[:64]) == expected


def test_a_renamed_file_is_not_a_video():
    with pytest.raises(ValidationError) as error:
        validate_video_file(upload("safety.mp4", EXE))

    assert error.value.code == "not_video"


def test_the_name_does_not_matter_for_a_real_video():
    validate_video_file(upload("clip.bin", MP4, "application/octet-stream"))
    validate_video_file(upload("clip.mp4", WEBM))


def test_size_cap_comes_from_settings(settings):
    settings.SAFETY_VIDEO_MAX_BYTES = 100

    with pytest.raises(ValidationError) as error:
        validate_video_file(upload("big.mp4", MP4))

    assert error.value.code == "too_large"


def test_images_are_checked_too():
    validate_image_file(upload("poster.jpg", JPEG, "image/jpeg"))
    with pytest.raises(ValidationError):
        validate_image_file(upload("poster.jpg", MP4, "image/jpeg"))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.django_db
def test_api_upload_of_a_real_video_is_stored(api, admin, media):
    api.force_authenticate(admin)

    r = api.post("/api/v1/safety-videos/", {"title": "头盔", "file": upload("a.webm", WEBM), "poster": upload("p.png", PNG, "image/png"), "duration_seconds": 4}, format="multipart")

    assert r.status_code == 201, r.json()
    assert r.json()["mime"] == "video/webm"
    assert SafetyVideo.objects.get().mime_type == "video/webm"
    assert len(stored_files(media)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("name, content", [("evil.mp4", EXE), ("photo.mp4", PNG), ("movie.mp4", MKV), ("iphone.mp4", HEIC)])
def test_api_upload_of_anything_else_is_400_and_nothing_is_stored(api, admin, media, name, content):
    api.force_authenticate(admin)

    r = api.post("/api/v1/safety-videos/", {"title": "坏", "file": upload(name, content)}, format="multipart")

    assert r.status_code == 400
    assert "file" in r.json()["fields"]
    assert not SafetyVideo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_api_upload_over_the_cap_is_400(api, admin, media, settings):
    settings.SAFETY_VIDEO_MAX_BYTES = 64
    api.force_authenticate(admin)

    r = api.post("/api/v1/safety-videos/", {"title": "大", "file": upload("big.mp4", MP4)}, format="multipart")

    assert r.status_code == 400
    assert stored_files(media) == []


@pytest.mark.django_db
def test_bad_poster_refuses_the_whole_upload(api, admin, media):
    api.force_authenticate(admin)

    r = api.post("/api/v1/safety-videos/", {"title": "头盔", "file": upload("a.mp4", MP4), "poster": upload("p.png", EXE)}, format="multipart")

    assert r.status_code == 400
    assert "poster" in r.json()["fields"]
    assert not SafetyVideo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_station_manager_may_not_upload(api, station_manager, media):
    api.force_authenticate(station_manager)

    r = api.post("/api/v1/safety-videos/", {"title": "头盔", "file": upload("a.mp4", MP4)}, format="multipart")

    assert r.status_code == 403
    assert stored_files(media) == []


@pytest.mark.django_db
def test_admin_form_refuses_a_fake_video_and_stores_nothing(client, admin, media):
    client.force_login(admin)

    r = client.post("/admin/stations/safetyvideo/add/", {"title": "假视频", "file": upload("fake.mp4", EXE), "duration_seconds": 3})

    assert r.status_code == 200
    assert "MP4" in r.content.decode()
    assert not SafetyVideo.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db
def test_admin_form_stores_a_real_video(client, admin, media):
    client.force_login(admin)

    r = client.post("/admin/stations/safetyvideo/add/", {"title": "真视频", "file": upload("real.mp4", MP4), "duration_seconds": 3})

    assert r.status_code == 302
    assert SafetyVideo.objects.get().mime_type == "video/mp4"
    assert len(stored_files(media)) == 1

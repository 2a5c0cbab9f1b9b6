"""Oversized and hostile request bodies are refused fast, with short answers (issue 9, defect 5)."""
from __future__ import annotations

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stations.models import SafetyVideo
from tests.helpers import make_station

MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free"


@pytest.fixture
def own_station(db, station_manager):
    station = make_station("shiyiyuan")
    station.managers.add(station_manager)
    return station


def test_a_5_mb_opening_hours_patch_is_a_fast_413_with_a_short_answer(api, station_manager, own_station):
    api.force_authenticate(station_manager)
    body = json.dumps({"opening_hours": "Mo-Fr 08:00-18:00; " * 270_000})
    assert len(body) > 5_000_000

    started = time.monotonic()
    response = api.patch("/api/v1/stations/shiyiyuan/", body, content_type="application/json")
    elapsed = time.monotonic() - started

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert len(response.content) < 500
    assert elapsed < 0.5


def test_a_form_encoded_body_over_the_cap_is_413_too(api, station_manager, own_station):
    api.force_authenticate(station_manager)
    response = api.patch(
        "/api/v1/stations/shiyiyuan/", "opening_hours=" + "x" * 2_000_000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413


def test_over_long_opening_hours_are_refused_by_length_without_repeating_them(api, station_manager, own_station):
    api.force_authenticate(station_manager)
    typed = "Mo-Fr 08:00-18:00 garbage " * 20

    response = api.patch("/api/v1/stations/shiyiyuan/", {"opening_hours": typed}, format="json")

    assert response.status_code == 400
    assert "garbage" not in response.content.decode()
    assert len(response.content) < 1000
    own_station.refresh_from_db()
    assert "garbage" not in own_station.opening_hours


def test_a_bad_expression_is_not_repeated_in_the_answer(api, station_manager, own_station):
    api.force_authenticate(station_manager)

    response = api.patch("/api/v1/stations/shiyiyuan/", {"opening_hours": "Mo-Fr 8-18 zzqq"}, format="json")

    assert response.status_code == 400
    assert "zzqq" not in response.content.decode()


def test_an_upload_larger_than_the_json_cap_is_still_accepted(api, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api.force_authenticate(admin)
    video = SimpleUploadedFile("big.mp4", MP4 + b"\x00" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE), content_type="video/mp4")

    response = api.post("/api/v1/safety-videos/", {"title": "大", "file": video}, format="multipart")

    assert response.status_code == 201, response.content[:300]
    assert SafetyVideo.objects.count() == 1

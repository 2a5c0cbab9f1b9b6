"""Station managers upload a video of their own: checked like admin's, then in the library and the playlist."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stations.models import PlaylistItem, SafetyVideo, Station

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00\x00\x00\x08free" + b"\x00" * 200


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def stations(db, station_manager, other_station_manager) -> dict[str, Station]:
    own = Station.objects.create(name="市医院中队", slug="shiyiyuan", lat=36.4561, lng=115.9854, opening_hours="24/7", published=True)
    own.managers.add(station_manager)
    other = Station.objects.create(name="灯塔中队", slug="dengta", lat=36.47, lng=115.97, opening_hours="24/7", published=True)
    other.managers.add(other_station_manager)
    library = SafetyVideo.objects.create(title="安全头盔", file=SimpleUploadedFile("helmet.mp4", MP4))
    PlaylistItem.objects.create(station=own, video=library, position=1)
    return {"own": own, "other": other}


@pytest.fixture
def manager(client: Client, station_manager) -> Client:
    client.force_login(station_manager)
    return client


def upload(client: Client, slug: str, name: str, content: bytes, title: str = "雨天慢行") -> object:
    return client.post(
        f"/stations/manage/{slug}/",
        {"action": "video-upload", "video-title": title, "video-file": SimpleUploadedFile(name, content, "video/mp4")},
    )


def stored_videos(media: Path) -> list[str]:
    folder = media / "stations" / "videos"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_manager_uploads_a_video_to_the_library_and_the_end_of_the_playlist(manager, stations, media):
    before = stored_videos(media)

    response = upload(manager, "shiyiyuan", "rain.mp4", MP4)

    assert response.status_code == 302
    video = SafetyVideo.objects.get(title="雨天慢行")
    assert video.mime_type == "video/mp4"
    assert [item.video.title for item in stations["own"].playlist_items.order_by("position")] == ["安全头盔", "雨天慢行"]
    assert len(stored_videos(media)) == len(before) + 1
    assert Path(video.file.path).read_bytes() == MP4
    assert "视频已上传，并已加入播放列表。" in manager.get(response["Location"]).content.decode()


def test_a_renamed_text_file_is_refused_with_a_clear_message_and_nothing_is_stored(manager, stations, media):
    before = (SafetyVideo.objects.count(), PlaylistItem.objects.count(), stored_videos(media))

    response = upload(manager, "shiyiyuan", "rain.mp4", "这不是视频，是改了名字的文本。".encode())

    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="field-error" role="alert">该文件不是 MP4 或 WebM 视频。只能上传 MP4 和 WebM 视频。</p>' in html
    assert (SafetyVideo.objects.count(), PlaylistItem.objects.count(), stored_videos(media)) == before


def test_a_video_over_the_size_cap_is_refused_and_nothing_is_stored(manager, stations, media, settings):
    settings.SAFETY_VIDEO_MAX_BYTES = 100
    before = stored_videos(media)

    response = upload(manager, "shiyiyuan", "big.mp4", MP4)

    assert response.status_code == 400
    assert "视频大小为 " in response.content.decode()
    assert not SafetyVideo.objects.filter(title="雨天慢行").exists()
    assert stored_videos(media) == before


def test_another_stations_manager_gets_404_and_nothing_is_stored(manager, stations, media):
    before = (SafetyVideo.objects.count(), stored_videos(media))

    response = upload(manager, "dengta", "rain.mp4", MP4)

    assert response.status_code == 404
    assert (SafetyVideo.objects.count(), stored_videos(media)) == before
    assert not stations["other"].playlist_items.exists()


def test_the_upload_form_says_what_may_be_uploaded(manager, stations, media, settings):
    settings.SAFETY_VIDEO_MAX_BYTES = 200 * 1024 * 1024

    html = manager.get("/stations/manage/shiyiyuan/").content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'accept="video/mp4,video/webm"' in html
    assert "最大 200.0\xa0MB" in html  # filesizeformat keeps the number and unit together

"""URLs of uploaded files and the shape of a safety video, shared by selectors and serializers."""
from __future__ import annotations

from typing import Any

from stations.models import SafetyVideo


def media_url(field_file: Any, request: Any = None) -> str | None:
    if not field_file:
        return None
    url = field_file.url
    return request.build_absolute_uri(url) if request is not None else url


def video_json(video: SafetyVideo, request: Any = None) -> dict[str, Any]:
    return {
        "id": video.pk,
        "title": video.title,
        "src": media_url(video.file, request),
        "poster": media_url(video.poster, request),
        "duration_seconds": video.duration_seconds,
        "mime": video.mime_type or "video/mp4",
    }

"""Validators for uploads and opening-hours expressions.

Uploads are judged by their first bytes, never by their name or the
Content-Type the browser claims: a renamed .exe is not a video.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Brands of the ISO base media format that are MP4 video. HEIF/AVIF images
# and QuickTime (.mov) also start with an `ftyp` box and are refused.
MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"av01", b"dash", b"M4V ", b"M4VP", b"mmp4", b"MSNV", b"f4v ",
    }
)
NOT_VIDEO_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis", b"qt  "})
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
IMAGE_MAX_BYTES = 10 * 1024 * 1024


def video_max_bytes() -> int:
    return int(getattr(settings, "SAFETY_VIDEO_MAX_BYTES", 200 * 1024 * 1024))


def _head(upload: Any, length: int = 64) -> bytes:
    """The first bytes of an uploaded or stored file, leaving its position at 0."""
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def sniff_video(head: bytes) -> str | None:
    """'video/mp4', 'video/webm' or None for anything else."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box_size = int.from_bytes(head[0:4], "big")
        major = head[8:12]
        if major in NOT_VIDEO_BRANDS:
            return None
        # Compatible brands follow the minor version, up to the end of the box.
        compatible = {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
        if major in MP4_BRANDS or compatible & MP4_BRANDS:
            return "video/mp4"
        return None
    if head.startswith(EBML_MAGIC):
        # The EBML header names its DocType; Matroska (.mkv) is not WebM.
        if b"\x42\x82" in head and b"webm" in head:
            return "video/webm"
        return None
    return None


def sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def validate_video_file(upload: Any) -> None:
    limit = video_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("The video is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if sniff_video(_head(upload)) is None:
        raise ValidationError(
            _("This file is not an MP4 or WebM video. Only MP4 and WebM videos can be uploaded."),
            code="not_video",
        )


def validate_image_file(upload: Any) -> None:
    size = getattr(upload, "size", None)
    if size is not None and size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(IMAGE_MAX_BYTES)},
            code="too_large",
        )
    if sniff_image(_head(upload)) is None:
        raise ValidationError(
            _("This file is not a JPEG, PNG, WebP or GIF image."),
            code="not_image",
        )


def validate_opening_hours(expression: str) -> None:
    # Imported here: hours.py imports the models module's neighbours lazily.
    from stations.hours import OpeningHoursError, parse_expression

    if expression is None or expression.strip() == "":
        return
    try:
        parse_expression(expression)
    except OpeningHoursError as exc:
        raise ValidationError(str(exc), code="invalid_opening_hours") from exc

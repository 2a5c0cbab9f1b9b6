"""Helpers for the field-record tests: jobs on an officer, photos made with Pillow.

Only services and the conftest personas are used, so these tests do not depend
on how the dispatch tests arrange their own helpers.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fieldapp import services
from fieldapp.models import Assignment, Job, Officer
from tests.helpers import on_duty, ws_headers  # noqa: F401 - the record tests import them from here

LIAOCHENG = (36.45, 115.98)
ORIENTATION = 0x0112
GPS_IFD = 0x8825


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def job_on(officer: Officer, dispatcher: Any, *, kind: str = "accident", step: str = "on_scene",
           summary: str = "两车追尾") -> tuple[Job, Assignment]:
    """A job of this kind, the officer sent to it and at the given step."""
    on_duty(officer)
    job = services.job_create(created_by=dispatcher, kind=kind, summary=summary, lat=LIAOCHENG[0], lng=LIAOCHENG[1])
    (assignment,) = services.job_dispatch(
        job_id=job.pk, officer_ids=[officer.pk], dispatcher=dispatcher, force=True
    ).created
    if step != "dispatched":
        services.assignment_advance(assignment_id=assignment.pk, officer=officer, to=step)
    assignment.refresh_from_db()
    return job, assignment


def iso(moment: Any) -> str:
    return timezone.localtime(moment).isoformat()


# --- photos ---------------------------------------------------------------

def jpeg(size: tuple[int, int] = (64, 32), *, orientation: int | None = None, gps: bool = False,
         color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A JPEG made by Pillow, with an EXIF orientation and GPS position if asked."""
    image = Image.new("RGB", size, color)
    # A marker pixel block at the top left, to see where it ends up after the orientation is applied.
    for x in range(8):
        for y in range(8):
            image.putpixel((x, y), (0, 0, 255))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (36.0, 27.0, 0.0), 3: "E", 4: (115.0, 58.0, 48.0)}
    exif[0x010F] = "PhoneMaker"  # camera make: personal-ish metadata that must go too
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, format="PNG")
    return out.getvalue()


def noisy_jpeg(side: int = 600) -> bytes:
    """A JPEG that does not compress well: a few hundred KB."""
    import random

    rng = random.Random(8)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def png_bomb(side: int = 30000) -> bytes:
    """A valid PNG header for a side x side 1-bit image, with little data: a decompression bomb of a few KB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    idat = zlib.compress(row * 64, 9)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)

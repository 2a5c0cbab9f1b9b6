"""Photos from phones, judged by their content and cleaned before they are stored.

An upload is an image only if Pillow reads it as JPEG, PNG, WebP or HEIC
(HEIC through pillow-heif). The stored copy has the EXIF orientation applied
and carries no metadata at all (no GPS, no camera serial, no time), because
it is re-encoded from the pixels alone. Nothing here touches the database or
the storage: the caller stores the result, or nothing when this raises.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from common.errors import InvalidInput

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency, but an image without it still works
    HEIC = False

# MPO is the JPEG that many phone cameras write (a JPEG with a second, preview picture): Pillow names it apart.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", *({"HEIF"} if HEIC else set())}
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 75


@dataclass(frozen=True)
class CleanImage:
    image: bytes
    thumbnail: bytes
    width: int
    height: int
    source_format: str


def _refuse(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code)


def photo_clean(upload: IO[bytes], *, size: int, max_bytes: int, max_pixels: int) -> CleanImage:
    """Read, check and re-encode one photo as a metadata-free JPEG with a thumbnail."""
    if size > max_bytes:
        raise _refuse(
            _("The photo is too large: %(size).1f MB, at most %(max).0f MB.")
            % {"size": size / 1_000_000, "max": max_bytes / 1_000_000},
            "photo_too_large",
        )
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _refuse(_("The photo is too large."), "photo_too_large")
    with warnings.catch_warnings():
        # Pillow warns at MAX_IMAGE_PIXELS and raises at twice that; both are a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(content))
            pixels = image.width * image.height
            if pixels > max_pixels:
                raise _refuse(_("The photo has too many pixels."), "photo_too_many_pixels")
            if image.format not in ACCEPTED_FORMATS:
                raise _refuse(_("Send a JPEG, PNG, WebP or HEIC photo."), "photo_not_image")
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(_("The photo has too many pixels."), "photo_too_many_pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _refuse(_("This file is not a photo: send a JPEG, PNG, WebP or HEIC image."), "photo_not_image") from None
    source_format = image.format or ""
    try:
        pixels_only = _rgb(ImageOps.exif_transpose(image))
    except (OSError, ValueError, SyntaxError):
        # A mode or an EXIF block Pillow cannot turn into plain RGB: refused, never a server error.
        raise _refuse(_("This file is not a photo: send a JPEG, PNG, WebP or HEIC image."), "photo_not_image") from None
    return CleanImage(
        image=_jpeg(pixels_only, JPEG_QUALITY),
        thumbnail=_jpeg(_thumbnail(pixels_only), THUMBNAIL_QUALITY),
        width=pixels_only.width,
        height=pixels_only.height,
        source_format=source_format,
    )


def _rgb(image: Image.Image) -> Image.Image:
    """The pixels in RGB on white, as a new image that carries no info, EXIF or ICC data."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    clean = Image.new("RGB", image.size)
    clean.paste(image.convert("RGB"))
    return clean


def _thumbnail(image: Image.Image) -> Image.Image:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return small


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()

"""Private file storage: files that are never served from /media/.

Record photos show citizens, plates and injuries. They live outside
MEDIA_ROOT, and reach a browser only through a view that checks who asks.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="common.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """FileSystemStorage rooted at settings.PRIVATE_MEDIA_ROOT, read on every use (tests override it)."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return str(Path(self.base_location).resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; serve them through a view that checks access.")


private_storage = PrivateStorage()

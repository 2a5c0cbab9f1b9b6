"""Writes of the position track other than the ingest's inserts: its retention."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from fieldapp.models import TrackFix

# Rows per DELETE, so a month of a city's fixes goes in short transactions.
PRUNE_CHUNK = 50_000


def track_prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete track fixes received before now - older_than; returns how many."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(TrackFix.objects.filter(at__lt=cutoff).order_by("at").values_list("id", flat=True)[:PRUNE_CHUNK])
            if not ids:
                return deleted
            count, _detail = TrackFix.objects.filter(id__in=ids).delete()
        deleted += count

"""Reads of the position track (fieldapp.models.TrackFix): personal location data.

Only dispatchers and admins may read it; the API checks the role before it
calls here, and anything else that shows a track (the congestion-point presence,
figures) must do the same.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from fieldapp.models import TrackFix

# One answer of the track API holds at most this many fixes (a day at one fix every 15 s is 5,760).
TRACK_MAX_FIXES = 20_000


def track_for_officer(*, officer_id: int, start: datetime, end: datetime) -> QuerySet[TrackFix]:
    """The officer's fixes received in [start, end), oldest first (index track_fix_officer_at)."""
    return TrackFix.objects.filter(officer_id=officer_id, at__gte=start, at__lt=end).order_by("at", "id")


def track_for_officers(*, officer_ids: Iterable[int], start: datetime, end: datetime) -> QuerySet[TrackFix]:
    """Several officers' fixes in [start, end), by officer then time: one query for a whole squad."""
    return TrackFix.objects.filter(officer_id__in=list(officer_ids), at__gte=start, at__lt=end).order_by(
        "officer_id", "at", "id"
    )


def track_in_range(*, start: datetime, end: datetime) -> QuerySet[TrackFix]:
    """Every officer's fixes in [start, end) (index track_fix_at), by officer then time."""
    return TrackFix.objects.filter(at__gte=start, at__lt=end).order_by("officer_id", "at", "id")

"""Reads of the position track (fieldapp.models.TrackFix): personal location data.

Only dispatchers and admins may read it; the API checks the role before it
calls here, and anything else that shows a track (the congestion-point presence,
figures) must do the same.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lag, Lead

from fieldapp.models import TrackFix
from stations import hours

# One answer of the track API holds at most this many fixes (a day at one fix every 15 s is 5,760).
TRACK_MAX_FIXES = 20_000


def oldest_fix_day() -> date | None:
    """The Beijing day of the oldest fix kept (index track_fix_at), None when the track is empty."""
    oldest = TrackFix.objects.order_by("at").values_list("at", flat=True).first()
    return hours.to_shanghai(oldest).date() if oldest else None


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


def track_last_at_before(*, before: datetime) -> Subquery:
    """For an Officer queryset: the time of the officer's last fix received before `before` (index track_fix_officer_at)."""
    return Subquery(
        TrackFix.objects.filter(officer=OuterRef("pk"), at__lt=before).order_by("-at").values("at")[:1]
    )


def track_silence_edges(
    *, start: datetime, end: datetime, silence_after_s: int, squad_id: int | None = None,
) -> list[tuple[int, datetime | None, datetime, datetime | None]]:
    """The fixes in [start, end) next to a silence: (officer, previous fix, fix, next fix), in one query.

    The database orders each officer's fixes by time (LAG/LEAD) and returns only
    each officer's first and last fix and those more than silence_after_s after
    the one before: a month of a brigade's track is millions of fixes, its
    silences a handful. Times are the server's time of receipt, the indexed one.
    """
    fixes = TrackFix.objects.filter(at__gte=start, at__lt=end)
    if squad_id is not None:
        fixes = fixes.filter(officer__squad_id=squad_id)
    by_officer = {"partition_by": [F("officer_id")], "order_by": [F("at").asc(), F("id").asc()]}
    edges = fixes.annotate(
        previous=Window(Lag("at"), **by_officer), following=Window(Lead("at"), **by_officer),
    ).filter(
        Q(previous__isnull=True) | Q(following__isnull=True)
        | Q(at__gt=F("previous") + timedelta(seconds=silence_after_s))
    ).order_by()
    return list(edges.values_list("officer_id", "previous", "at", "following"))

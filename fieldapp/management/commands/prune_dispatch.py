"""Delete old officer-feed frames, idempotency records and position-track fixes; run it daily (cron, systemd timer).

Before the fixes go, the congestion points' ended post windows are stored as presence
(fieldapp/presence.py), so the road-work rates of older ranges stay right.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fieldapp.roadwork_services import presence_fill
from fieldapp.services import dispatch_records_prune
from fieldapp.track_selectors import oldest_fix_day
from fieldapp.track_services import track_prune


class Command(BaseCommand):
    help = (
        "Delete officer-feed frames older than --feed-days, idempotency records older than --idempotency-hours "
        "and position-track fixes older than --track-days (POSITION_TRACK_RETENTION_DAYS)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--feed-days", type=int, default=7)
        parser.add_argument("--idempotency-hours", type=int, default=48)
        parser.add_argument("--track-days", type=int, default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["feed_days"] < 1 or options["idempotency_hours"] < 1:
            raise CommandError("--feed-days and --idempotency-hours must be at least 1")
        track_days = settings.POSITION_TRACK_RETENTION_DAYS if options["track_days"] is None else options["track_days"]
        if track_days < 1:
            raise CommandError("--track-days (POSITION_TRACK_RETENTION_DAYS) must be at least 1")
        deleted = dispatch_records_prune(
            feed_older_than=timedelta(days=options["feed_days"]),
            idempotency_older_than=timedelta(hours=options["idempotency_hours"]),
        )
        self.stdout.write(f"Deleted {deleted['feed']} feed frames and {deleted['idempotency']} idempotency records.")
        oldest = oldest_fix_day()
        if oldest is not None:
            stored = presence_fill(first=oldest, last=timezone.localdate())
            self.stdout.write(f"Stored the presence of {stored} post windows before pruning the track.")
        fixes = track_prune(older_than=timedelta(days=track_days))
        self.stdout.write(f"Deleted {fixes} position-track fixes older than {track_days} days.")

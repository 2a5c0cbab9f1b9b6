"""Store the presence of the congestion points' ended post windows, so the rates read summaries, not fixes.

The servers do the same as windows end (fieldapp/housekeeping.py, every ROADWORK_FILL_EVERY_S);
run it after moving a point or changing a visit rule, or nightly when that is turned off.
`prune_dispatch` runs it too, before it deletes old fixes. The rates compute and store a window
missing here on first read, so a window not stored yet only makes that first read slower.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fieldapp.roadwork_services import presence_fill


class Command(BaseCommand):
    help = "Store the presence of every active point's ended post windows of the last --days days (default: the track's retention)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        days = settings.POSITION_TRACK_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1")
        today = timezone.localdate()
        stored = presence_fill(first=today - timedelta(days=days - 1), last=today)
        self.stdout.write(f"Stored the presence of {stored} post windows of the last {days} days.")

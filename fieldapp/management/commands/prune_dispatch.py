"""Delete old officer-feed frames and idempotency records; run it daily (cron, systemd timer)."""
from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from fieldapp.services import dispatch_records_prune


class Command(BaseCommand):
    help = "Delete officer-feed frames older than --feed-days and idempotency records older than --idempotency-hours."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--feed-days", type=int, default=7)
        parser.add_argument("--idempotency-hours", type=int, default=48)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["feed_days"] < 1 or options["idempotency_hours"] < 1:
            raise CommandError("--feed-days and --idempotency-hours must be at least 1")
        deleted = dispatch_records_prune(
            feed_older_than=timedelta(days=options["feed_days"]),
            idempotency_older_than=timedelta(hours=options["idempotency_hours"]),
        )
        self.stdout.write(f"Deleted {deleted['feed']} feed frames and {deleted['idempotency']} idempotency records.")

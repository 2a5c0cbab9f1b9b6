"""Ask AMap for the traffic at every active point inside a post window: once, or every --every seconds.

Run it from one process only (cron, or one `--every 300` service). On PostgreSQL a
session advisory lock makes a second copy wait its turn instead of asking twice.
"""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection

from fieldapp import roadwork_amap

LOCK_ID = 0x4C43_5246  # "LCRF": the traffic sampler


class Command(BaseCommand):
    help = "Sample AMap's traffic state at the active congestion points (needs AMAP_KEY)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--every", type=int, default=0, help="seconds between rounds; 0 runs one round")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if not roadwork_amap.enabled():
            self.stdout.write("AMAP_KEY is not set: nothing to do.")
            return
        while True:
            self._round()
            if not options["every"]:
                return
            time.sleep(options["every"])

    def _round(self) -> None:
        locked = connection.vendor == "postgresql"
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_ID])
                if not cursor.fetchone()[0]:
                    self.stdout.write("Another sampler is running: this round is skipped.")
                    return
        try:
            result = roadwork_amap.sample_points()
        finally:
            if locked:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_ID])
        self.stdout.write(
            f"AMap: asked {result.asked}, stored {result.stored}, failures {result.failures or 0}"
            + (f", stopped: {result.stopped}" if result.stopped else "")
        )

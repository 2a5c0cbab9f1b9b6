"""Thirty past days of jobs, records and duty shifts for the figures page. Safe to run again."""
from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from fieldapp.demo_history import history_generate
from fieldapp.models import Officer

DEMO_OFFICERS = [f"officer{number}" for number in range(1, 8)]


class Command(BaseCommand):
    help = "Add 30 days of plausible job history (peaks, quick clearances, rescues, duty shifts, one long gap)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--days", type=int, default=30, help="how many days before today")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        officers = list(Officer.objects.filter(user__username__in=DEMO_OFFICERS).order_by("call_sign"))
        if not officers:
            self.stdout.write("  history   no demo officers: skipped")
            return
        today = timezone.localdate()
        days = [today - timedelta(days=offset) for offset in range(options["days"], 0, -1)]
        made = history_generate(days=days, officers=officers)
        if made.days:
            self.stdout.write(f"  history   {made.days} days, {made.jobs} jobs, {made.assignments} assignments")
        else:
            self.stdout.write("  history   already there")

"""Fill the HolidayCalendar table from the `chinesecalendar` package."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stations.selectors import holiday_calendar_missing_years
from stations.services import holiday_calendar_seed


class Command(BaseCommand):
    help = "Seed statutory holidays and make-up workdays from chinesecalendar (all the years it knows, or --year)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, action="append", help="only this year (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        written = holiday_calendar_seed(years=options["year"])
        known = {year: count for year, count in written.items() if count}
        unknown = [year for year, count in written.items() if not count]
        if known:
            self.stdout.write(
                f"Holiday calendar: {sum(known.values())} days for {len(known)} years "
                f"({min(known)}–{max(known)})."
            )
        if unknown:
            self.stdout.write(self.style.WARNING(f"chinesecalendar has no data for: {', '.join(map(str, unknown))}"))
        missing = holiday_calendar_missing_years()
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    f"No holiday calendar yet for {', '.join(map(str, missing))}: add the dates in admin "
                    "when the State Council publishes them."
                )
            )

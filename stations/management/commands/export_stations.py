"""Write every station as CSV or GeoJSON (to stdout or a file)."""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from stations.models import Station
from stations.transfer import export_csv, export_geojson


class Command(BaseCommand):
    help = "Export stations as CSV or GeoJSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["csv", "geojson"], default="csv")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--published-only", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        stations = Station.objects.all()
        if options["published_only"]:
            stations = stations.filter(published=True)
        if options["format"] == "geojson":
            text = json.dumps(export_geojson(stations), ensure_ascii=False, indent=1) + "\n"
        else:
            text = export_csv(stations)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {stations.count()} stations to {options['output']}.")
        else:
            self.stdout.write(text, ending="")

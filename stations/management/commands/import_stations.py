"""Upsert stations from a CSV or GeoJSON file, with a progress bar."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from stations.transfer import import_text


class ProgressBar:
    """A one-line bar on a terminal; plain milestones when the output is a file or a pipe."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_percent = -1

    def __call__(self, done: int, total: int | None) -> None:
        total = total or done
        percent = int(done * 100 / total) if total else 100
        if percent == self.last_percent and done != total:
            return
        self.last_percent = percent
        filled = int(self.width * done / total) if total else self.width
        bar = "█" * filled + "·" * (self.width - filled)
        if self.tty:
            self.stream.write(f"\r[{bar}] {percent:3d}% {done}/{total}")
            if done >= total:
                self.stream.write("\n")
        elif percent % 10 == 0 or done >= total:
            self.stream.write(f"[{bar}] {percent:3d}% {done}/{total}\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import stations from CSV or GeoJSON (upsert by slug). Bad rows are reported by line; the rest is kept."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="a .csv or .geojson file, or - for standard input")
        parser.add_argument("--format", choices=["csv", "geojson"], help="default: from the file name")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["path"]
        fmt = options["format"] or ("geojson" if path.endswith((".geojson", ".json")) else "csv")
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        progress = None if options["no_progress"] else ProgressBar(self.stderr._out)
        report = import_text(text, fmt=fmt, on_progress=progress)
        for error in report.errors:
            self.stderr.write(self.style.ERROR(f"{path}: {error}"))
        self.stdout.write(f"Imported {path}: {report.summary()}.")
        if report.errors and not (report.created or report.updated):
            raise CommandError("no station was imported")

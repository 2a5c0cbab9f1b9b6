"""First-load size of the citizens' finder (/stations/), in bytes.

Renders the page with the demo stations through the whole Django stack (test
client, a scratch SQLite file that is removed afterwards), follows every
stylesheet, script and ES-module import it loads, and adds Leaflet, which the
page loads only when a map is shown (at once on desktop widths, on a tap on
phones). Sizes are raw and gzip -9 (what a compressing proxy or WhiteNoise's
compressed files would send). Images, map tiles and the service worker are
not counted. Nothing touches the network; it stops by itself. The two loads
are rows of bench/report.py, beside the HTML alone and the first load.

    .venv/bin/python bench/bench_stations_ui.py
"""
from __future__ import annotations

import gzip
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import row, times  # noqa: E402


def sizes(body: bytes) -> tuple[int, int]:
    return len(body), len(gzip.compress(body, 9))


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-stations-ui-"))
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
        os.environ["MEDIA_ROOT"] = str(scratch / "media")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fieldapp.project.settings")
        os.environ.pop("REDIS_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.staticfiles import finders
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        call_command("demo_stations", verbosity=0, stdout=open(os.devnull, "w"))
        client = Client()
        page = client.get("/stations/").content
        html = page.decode()

        def static_body(url: str) -> bytes:
            path = finders.find(url.removeprefix("/static/").split("?")[0])
            if path is None:
                raise SystemExit(f"static file not found: {url}")
            return Path(path).read_bytes()

        rows: list[tuple[str, int, int]] = [("HTML /stations/", *sizes(page))]
        urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(r'<script[^>]+src="([^"]+)"', html)
        seen: set[str] = set()
        while urls:
            url = urls.pop(0)
            if url in seen:
                continue
            seen.add(url)
            body = static_body(url)
            rows.append((url, *sizes(body)))
            if url.endswith(".js"):
                # Follow static ES-module imports ("./map.js").
                base = url.rsplit("/", 1)[0]
                urls += [f"{base}/{name}" for name in re.findall(r'^import [^;]*? from "\./([^"]+)";', body.decode(), re.M)]
        first = (sum(row[1] for row in rows), sum(row[2] for row in rows))
        leaflet = [("/static/leaflet/leaflet.js", *sizes(static_body("/static/leaflet/leaflet.js"))),
                   ("/static/leaflet/leaflet.css", *sizes(static_body("/static/leaflet/leaflet.css")))]
        with_map = (first[0] + sum(row[1] for row in leaflet), first[1] + sum(row[2] for row in leaflet))

        print("Finder first load (demo data, 5 stations), bytes:")
        print(f"  {'resource':48} {'raw':>9} {'gzip':>9}")
        for name, raw, packed in rows + leaflet:
            print(f"  {name:48} {raw:>9} {packed:>9}")
        scenario = "stations UI, demo data"
        html = rows[0]
        row(scenario, "finder first load on a phone (list, no map)", f"{first[1]:,} B gzip ({first[0]:,} raw)",
            baseline=f"the HTML {html[2]:,} B gzip", ratio=times(first[1], html[2]))
        row(scenario, "with Leaflet (desktop, or map shown)", f"{with_map[1]:,} B gzip ({with_map[0]:,} raw)",
            baseline=f"first load {first[1]:,} B gzip", ratio=times(with_map[1], first[1]))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

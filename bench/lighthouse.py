"""Lighthouse at phone size (390 px) on the main pages, served the way `make run` serves them.

    .venv/bin/python bench/lighthouse.py [--out bench/out/lighthouse]

Needs Node.js; `npx` fetches Lighthouse from the npm registry the first time
(set LIGHTHOUSE=/path/to/node_modules/.bin/lighthouse to use an installed one).
It starts Daphne on a scratch SQLite database with the demo data and one
Chromium that Lighthouse drives; Playwright logs that Chromium in through the
real form (officer1 for /field/, dispatcher for /dispatch/). It prints each page's scores, layout shift and the
bytes and requests of a first load (as transferred, so compressed).
Lighthouse is not a timed test: its figures are for people to read.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PAGES = (
    ("/", None), ("/stations/", None), ("/login/", None), ("/field/", "officer1"),
    ("/field/roadwork/posts/", "officer1"), ("/field/roadwork/hazards/new/", "officer1"),
    ("/field/roadwork/outreach/new/", "officer1"), ("/stations/shiyiyuan/", None),
    ("/stations/manage/shiyiyuan/", "station"),
    ("/dispatch/", "dispatcher"), ("/dispatch/figures/", "dispatcher"), ("/dispatch/roadwork/", "dispatcher"),
    ("/dispatch/roadwork/hazards/", "dispatcher"), ("/dispatch/roadwork/outreach/", "dispatcher"),
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def forget_cache(context: object, page: object, base: str) -> None:
    """A first load: no HTTP cache, no service worker and no Cache API left from the page before."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")
    cdp.send("Storage.clearDataForOrigin", {"origin": base, "storageTypes": "service_workers,cache_storage"})


def log_in(debug_port: int, base: str, username: str | None) -> None:
    """Empty the shared Chromium's cache and cookies, then log in as `username` through the real form."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        context = browser.contexts[0]
        context.clear_cookies()
        page = context.new_page()
        forget_cache(context, page, base)
        if username:
            page.goto(f"{base}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", "luchang-demo")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            forget_cache(context, page, base)
        page.close()


def lighthouse_command() -> list[str]:
    installed = os.environ.get("LIGHTHOUSE")
    return [installed] if installed else ["npx", "--yes", "lighthouse@12"]


def audit(base: str, path: str, debug_port: int, out: Path) -> dict[str, object]:
    report = out / (path.strip("/").replace("/", "-") or "home")
    command = [
        *lighthouse_command(), f"{base}{path}",
        "--quiet", "--output=json", f"--output-path={report}.json",
        "--form-factor=mobile", "--screenEmulation.mobile", "--screenEmulation.width=390",
        "--screenEmulation.height=844", "--screenEmulation.deviceScaleFactor=2",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--port={debug_port}", "--disable-storage-reset",
    ]
    # Lighthouse now and then loses its trace (NO_NAVSTART) on a busy machine: one more try.
    if subprocess.run(command, timeout=300).returncode != 0:
        subprocess.run(command, check=True, timeout=300)
    data = json.loads(Path(f"{report}.json").read_text())
    requests = data["audits"]["network-requests"]["details"]["items"]
    return {
        "path": path,
        **{name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES},
        "cls": data["audits"]["cumulative-layout-shift"]["numericValue"],
        "bytes": sum(item.get("transferSize", 0) for item in requests),
        "requests": len(requests),
        "failing": [key for key, value in data["audits"].items()
                    if value.get("score") is not None and value["score"] < 0.9
                    and value.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "lighthouse")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="luchang-lighthouse-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}", "MEDIA_ROOT": str(scratch / "media"),
           "STATIC_ROOT": str(scratch / "static"), "STATIC_MANIFEST": "true", "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    python = sys.executable
    for step in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["demo"]):
        subprocess.run([python, "manage.py", *step], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen([python, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "fieldapp.project.asgi:application"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    debug_port = free_port()
    chromium = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                 f"--remote-debugging-port={debug_port}", f"--user-data-dir={scratch / 'chromium'}",
                                 "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        print(f"{'page':<12} {'perf':>4} {'a11y':>4} {'best':>4} {'seo':>4} {'CLS':>6} {'bytes':>8} {'reqs':>4}  below 0.9")
        for path, username in PAGES:
            log_in(debug_port, base, username)
            row = audit(base, path, debug_port, args.out)
            print(f"{row['path']:<12} {row['performance']:>4} {row['accessibility']:>4} {row['best-practices']:>4} "
                  f"{row['seo']:>4} {row['cls']:>6.3f} {row['bytes']:>8} {row['requests']:>4}  {', '.join(row['failing'])}",
                  flush=True)
    finally:
        chromium.terminate()
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

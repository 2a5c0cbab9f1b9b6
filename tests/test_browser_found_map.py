"""The found-on-patrol form's small map, in a real browser at phone size: the
officer corrects the last fix by dragging the marker or tapping the map, and the
job is created at the corrected point; left alone, the job gets the last fix.

Tile images never load here: every test refuses them, so none depends on the
network (the map is usable without its pictures, and says so)."""
from __future__ import annotations

import math
from typing import Any

import pytest

from fieldapp import services
from fieldapp.models import Job
from tests.live import ARTIFACTS, LiveServer, login
from tests.test_browser_outbox import in_thread

pytestmark = pytest.mark.browser

PHONE_FIX = {"latitude": 36.4570, "longitude": 115.9855, "accuracy": 10}
TIMEOUT = 15_000
# The page config's zoom (fieldapp/views.py FOUND_MAP_ZOOM): degrees of longitude per CSS pixel.
ZOOM = 17
DEG_PER_PX = 360 / (256 * 2**ZOOM)
# A drag or tap lands within a couple of pixels of where it was aimed.
TOLERANCE_PX = 2


def refuse_tiles(context: Any) -> None:
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort("internetdisconnected"))


def open_found_form(context: Any, server: LiveServer, officer: Any, kind: str = "hazard") -> Any:
    in_thread(services.officer_set_duty, officer_id=officer.id, on_duty=True)
    context.grant_permissions(["geolocation"], origin=server.url)
    context.set_geolocation(PHONE_FIX)
    refuse_tiles(context)
    page = context.new_page()
    login(page, server, "officer")
    page.wait_for_selector("#found:not([hidden]) .found-open", timeout=TIMEOUT)
    page.wait_for_function("() => window.luchangField.positions.lastFix !== null", timeout=TIMEOUT)
    if page.is_visible("#alerts-later"):
        page.click("#alerts-later")
    page.locator(".found-open").tap()
    page.locator(f".found-kind[data-kind={kind}]").tap()
    page.wait_for_selector("#found .found-submit:not([disabled])", timeout=TIMEOUT)
    return page


def open_map(page: Any) -> Any:
    page.locator("#found .found-adjust").tap()
    page.wait_for_selector("#found .found-map-box[data-map=ready] .leaflet-marker-icon", timeout=TIMEOUT)
    return page.locator("#found .found-map-box")


def report(page: Any) -> Job:
    page.locator("#found .found-submit").tap()
    page.wait_for_selector(".assignment[data-status=on_scene]", timeout=TIMEOUT)
    (job,) = Job.objects.filter(source=Job.Source.OFFICER)
    return job


def moved_by(dx: float, dy: float) -> tuple[float, float]:
    """The WGS-84 point dx px east and dy px south of the last fix, on Web Mercator at ZOOM."""
    lat = PHONE_FIX["latitude"] - dy * DEG_PER_PX * math.cos(math.radians(PHONE_FIX["latitude"]))
    return lat, PHONE_FIX["longitude"] + dx * DEG_PER_PX


def assert_near(job: Job, lat: float, lng: float) -> None:
    tolerance = TOLERANCE_PX * DEG_PER_PX
    assert abs(job.lat - lat) < tolerance and abs(job.lng - lng) < tolerance, (job.lat, job.lng, lat, lng)


def test_a_marker_dragged_on_the_map_places_the_job(daphne, officer, phone):
    page = open_found_form(phone, daphne, officer)
    box = open_map(page)
    assert box.bounding_box()["height"] == pytest.approx(240, abs=1)
    # Tiles refused: the form says what the officer gets without a correction.
    page.wait_for_selector("#found .found-map-box[data-tiles=failed]", timeout=TIMEOUT)
    assert "使用本机最近定位" in page.inner_text("#found .found-map-note")
    marker = page.locator("#found .leaflet-marker-icon").bounding_box()
    # The marker's tip is the point: the bottom centre of its icon.
    start_x, start_y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] - 5
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start_x + 8 * step, start_y - 5 * step)
    page.mouse.up()
    page.wait_for_selector("#found .found-map-box[data-moved]", timeout=TIMEOUT)
    page.locator("#found .found-map-box").evaluate("(box) => box.scrollIntoView({ block: 'center' })")
    page.screenshot(path=str(ARTIFACTS / "found-map-phone.png"))
    page.locator("#found .found-map-use").tap()
    assert page.inner_text("#found .found-where") == "位置：您在地图上选定的点。"

    job = report(page)
    assert_near(job, *moved_by(80, -50))
    assert (job.lat, job.lng) != (PHONE_FIX["latitude"], PHONE_FIX["longitude"])


def test_a_tap_on_the_map_places_the_job(daphne, officer, phone):
    page = open_found_form(phone, daphne, officer)
    box = open_map(page)
    size = box.bounding_box()
    # Leaflet centres the last fix in the box; tap 60 px left of it and 40 px below.
    box.click(position={"x": size["width"] / 2 - 60, "y": size["height"] / 2 + 40})
    page.wait_for_selector("#found .found-map-box[data-moved]", timeout=TIMEOUT)
    page.locator("#found .found-map-use").tap()

    job = report(page)
    assert_near(job, *moved_by(-60, 40))


def test_without_the_map_the_job_gets_the_last_fix(daphne, officer, phone):
    page = open_found_form(phone, daphne, officer)
    job = report(page)
    assert (job.lat, job.lng) == (PHONE_FIX["latitude"], PHONE_FIX["longitude"])


def test_the_map_closed_without_a_correction_keeps_the_last_fix(daphne, officer, phone):
    page = open_found_form(phone, daphne, officer)
    open_map(page)
    page.locator("#found .found-map-close").tap()
    assert page.is_visible("#found .found-adjust")
    job = report(page)
    assert (job.lat, job.lng) == (PHONE_FIX["latitude"], PHONE_FIX["longitude"])


def test_on_gcj02_tiles_the_point_goes_back_to_wgs84(live_server_factory, officer, phone):
    server = live_server_factory(env={"MAP_TILES_GCJ02": "true"})
    page = open_found_form(phone, server, officer)
    open_map(page)
    # Kept unmoved: shown in GCJ-02 (hundreds of metres off here), sent as the WGS-84 it came from.
    page.locator("#found .found-map-use").tap()
    job = report(page)
    assert job.lat == pytest.approx(PHONE_FIX["latitude"], abs=1e-6)
    assert job.lng == pytest.approx(PHONE_FIX["longitude"], abs=1e-6)


def test_when_leaflet_cannot_load_the_form_says_the_last_fix_is_used(daphne, officer, phone):
    page = open_found_form(phone, daphne, officer)
    # On the context, so that the service worker's fetch is refused too.
    phone.route("**/static/leaflet/leaflet.js", lambda route: route.abort("internetdisconnected"))
    page.locator("#found .found-adjust").tap()
    page.wait_for_selector("#found .found-map-box[data-map=failed]", timeout=TIMEOUT)
    assert page.inner_text("#found .found-map-box") == "地图无法加载（没有网络？），将使用本机最近定位。"
    assert page.locator("#found .found-map-box").bounding_box()["height"] == pytest.approx(240, abs=1)
    page.locator("#found .found-map-close").tap()
    job = report(page)
    assert (job.lat, job.lng) == (PHONE_FIX["latitude"], PHONE_FIX["longitude"])


def test_log_in_again_is_a_link_back_to_the_field_page(daphne, officer, phone):
    page = open_found_form(phone, daphne, officer)
    # The session ran out meanwhile: the server answers the report with 401.
    page.route("**/api/v1/jobs/found/**", lambda route: route.fulfill(status=401, json={"detail": "login", "code": "not_authenticated"}))
    page.locator("#found .found-submit").tap()
    link = page.locator("#outbox-count a.outbox-login")
    link.wait_for(timeout=TIMEOUT)
    assert link.inner_text() == "请重新登录后发送"
    assert link.get_attribute("href") == "/login/?next=%2Ffield%2F"
    # The outbox line is drawn again on each retry: measure the link that is there, not one that was.
    page.wait_for_function(
        "() => { const a = document.querySelector('#outbox-count a.outbox-login');"
        " return a !== null && a.getBoundingClientRect().height >= 48; }",
        timeout=TIMEOUT,
    )

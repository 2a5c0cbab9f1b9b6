"""A phone far from every care station is told so, at phone size, against a real Daphne server."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.live import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# South of the city: the nearest station, 汽车西站, is 32 km away (as in test_stations_far).
FAR_SOUTH = (36.16, 115.95)
FAR_TEXT = "附近 10 公里内没有爱心驿站，最近的一个在 32 公里外。"

# Lighthouse's CLS: the sum of layout shifts not caused by the user.
LAYOUT_SHIFTS = """window.layoutShift = 0;
new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value; })
  .observe({ type: "layout-shift", buffered: true });"""


@pytest.fixture
def server(live_server_factory):
    return live_server_factory()


@contextmanager
def finder_far_south(chromium: Any, server: Any, *, accuracy: float) -> Iterator[Any]:
    """The finder on a phone 32 km south of the nearest station, once its far hint shows."""
    context = chromium.new_context(
        **PHONE, geolocation={"latitude": FAR_SOUTH[0], "longitude": FAR_SOUTH[1], "accuracy": accuracy},
        permissions=["geolocation"],
    )
    context.add_init_script(LAYOUT_SHIFTS)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/stations/")
        page.locator("#far-hint").wait_for(state="visible")
        yield page
    finally:
        context.close()


def test_a_phone_far_from_every_station_is_told_how_far_and_to_check_its_position(chromium, server, stations_city):
    # A rough fix (5 km margin).
    with finder_far_south(chromium, server, accuracy=5000) as page:
        hint = page.locator("#station-list > li.far-hint")
        assert page.locator("#station-list > li").first.get_attribute("id") == "far-hint"
        assert hint.locator(".far-text").inner_text() == FAR_TEXT
        assert "手机定位可能不准" in hint.locator(".far-advice").inner_text()
        pick = hint.locator("a[data-pick-area]")
        assert pick.bounding_box()["height"] >= 44
        assert pick.bounding_box()["width"] <= PHONE["viewport"]["width"]
        # The hint arrives with the cards, inside the list: nothing above it moves.
        page.wait_for_timeout(300)  # let a late shift be reported
        assert page.evaluate("window.layoutShift") < 0.05
        screenshot(page, "stations-finder-far-phone")
        pick.click()
        assert page.locator("#areas").evaluate("node => node.open") is True


def test_a_precise_position_far_away_is_not_doubted(chromium, server, stations_city):
    with finder_far_south(chromium, server, accuracy=20) as page:
        hint = page.locator("#far-hint")
        assert hint.inner_text() == FAR_TEXT
        assert hint.locator("a[data-pick-area]").count() == 0
        assert page.locator("#map-far").is_hidden()
        # The map view hides the list: the hint's words sit above the map.
        page.locator("#show-map").click()
        page.locator("#map-far").wait_for(state="visible")
        assert page.locator("#map-far").inner_text() == FAR_TEXT
        # The map fits the citizen and the nearest stations, however far they are.
        page.wait_for_function("() => document.querySelectorAll('#finder-map path.leaflet-interactive').length >= 2")
        page.wait_for_timeout(400)  # the fit's zoom animation
        screenshot(page, "stations-finder-far-map-phone")
        page.locator("#show-list").click()
        assert page.locator("#map-far").is_hidden()

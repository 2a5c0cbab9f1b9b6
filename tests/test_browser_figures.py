"""The figures page in a real browser against a real Daphne, at 390 px and at 1440 px."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fieldapp.demo_history import history_generate
from tests.live import LiveServer, login
from tests.live import screenshot as full_page_screenshot

pytestmark = pytest.mark.browser
TIMEOUT = 15_000


@pytest.fixture
def month(transactional_db, officer, other_officer, third_officer) -> None:
    today = timezone.localdate()
    history_generate(days=[today - timedelta(days=offset) for offset in range(30, 0, -1)],
                     officers=[officer, other_officer, third_officer], jobs_per_day=30)


def _open(context: Any, server: LiveServer) -> Any:
    page = context.new_page()
    login(page, server, "dispatcher")
    page.goto(f"{server.url}/dispatch/figures/?days=30")
    page.wait_for_selector("#durations", timeout=TIMEOUT)
    return page


def _check(page: Any) -> None:
    # Nothing wider than the screen: the wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("#chart-days-title").count() == 1
    assert int(page.locator("#count-jobs").inner_text()) > 500
    assert page.locator("#durations tbody tr").count() == 6


def test_the_figures_page_on_a_phone_and_a_desk(daphne, phone, desktop, dispatcher, month):
    page = _open(phone, daphne)
    _check(page)
    page.evaluate("window.scrollTo(0, 0)")
    full_page_screenshot(page, "figures-phone-390")
    wide = _open(desktop, daphne)
    _check(wide)
    full_page_screenshot(wide, "figures-desktop-1440")
    wide.click('.presets a[href^="?days=7"]')
    wide.wait_for_selector('.presets a[aria-current="page"][href^="?days=7"]', timeout=TIMEOUT)

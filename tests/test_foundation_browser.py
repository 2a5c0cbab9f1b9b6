"""An officer logs in on a phone through the real form and lands on /field/."""
from __future__ import annotations

import pytest

from tests.live import login, screenshot


@pytest.mark.browser
def test_officer_logs_in_on_a_phone_and_lands_on_field(daphne, officer, phone):
    page = phone.new_page()
    page.goto(f"{daphne.url}/")
    screenshot(page, "foundation-home-phone")
    login(page, daphne, "officer")
    assert page.url == f"{daphne.url}/field/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "退出" in page.inner_text("header")
    # Nothing is wider than a 390 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "foundation-field-phone")


@pytest.mark.browser
def test_login_page_touch_targets_are_large_enough(daphne, phone):
    page = phone.new_page()
    page.goto(f"{daphne.url}/login/")
    screenshot(page, "foundation-login-phone")
    heights = page.eval_on_selector_all(
        "button, input, a.btn", "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 48


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/login/", "/api/docs/"])
def test_pages_make_no_request_off_the_machine(daphne, desktop, path):
    page = desktop.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{daphne.url}{path}")
    page.wait_for_load_state("networkidle")
    assert hosts == {f"127.0.0.1:{daphne.port}"}
    if path == "/api/docs/":
        # Swagger UI really rendered the schema from the self-hosted bundle.
        page.wait_for_selector(".swagger-ui .info .title")
        screenshot(page, "foundation-api-docs-desktop")

"""Every page runs under the Content-Security-Policy with no violation (issue 9, defect 10)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import on_duty
from tests.live import login

pytestmark = pytest.mark.browser

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def _violations(page: Any, server: Any, paths: list[str], ready: dict[str, str]) -> dict[str, list[str]]:
    """The CSP violations each page reports, from its own events and from the console."""
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None)
    found: dict[str, list[str]] = {}
    for path in paths:
        console.clear()
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        if path in ready:
            page.wait_for_selector(ready[path])
        reported = page.evaluate("window.__cspViolations") + console
        if reported:
            found[path] = reported
    return found


def test_public_pages_and_the_api_docs_have_no_csp_violation(daphne, stations_city, desktop):
    page = desktop.new_page()
    page.add_init_script(WATCH)

    found = _violations(
        page, daphne, ["/", "/login/", "/stations/", "/stations/shiyiyuan/", "/api/docs/"],
        ready={"/api/docs/": ".swagger-ui .info .title"},
    )

    assert found == {}


def test_the_station_screen_has_no_csp_violation(daphne, screen_station, desktop):
    page = desktop.new_page()
    page.add_init_script(WATCH)

    assert _violations(page, daphne, [f"/stations/{screen_station.slug}/screen/"], ready={}) == {}


def test_the_managers_page_has_no_csp_violation(daphne, stations_city, desktop):
    page = desktop.new_page()
    page.add_init_script(WATCH)
    login(page, daphne, "station_manager")

    assert _violations(page, daphne, ["/stations/manage/", "/stations/manage/shiyiyuan/"], ready={}) == {}


def test_the_field_page_has_no_csp_violation(daphne, officer, phone):
    on_duty(officer)
    page = phone.new_page()
    page.add_init_script(WATCH)
    login(page, daphne, "officer")

    assert _violations(page, daphne, ["/field/"], ready={}) == {}


def test_the_dispatch_desk_has_no_csp_violation(daphne, dispatcher, officer, desktop):
    on_duty(officer)
    page = desktop.new_page()
    page.add_init_script(WATCH)
    login(page, daphne, "dispatcher")

    assert _violations(page, daphne, ["/dispatch/"], ready={}) == {}


def test_the_admin_has_no_csp_violation(daphne, admin, stations_city, desktop):
    page = desktop.new_page()
    page.add_init_script(WATCH)
    login(page, daphne, "admin")

    found = _violations(
        page, daphne, ["/admin/", "/admin/stations/station/", f"/admin/stations/station/{stations_city['shiyiyuan'].pk}/change/"],
        ready={},
    )

    assert found == {}


def test_the_watch_sees_an_inline_script_being_refused(daphne, desktop):
    page = desktop.new_page()
    page.add_init_script(WATCH)
    page.goto(f"{daphne.url}/login/")

    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }")
    page.evaluate("() => { document.body.setAttribute('style', 'color: red'); }")
    page.wait_for_function("() => window.__cspViolations.length >= 2")

    assert page.evaluate("window.ran") is None

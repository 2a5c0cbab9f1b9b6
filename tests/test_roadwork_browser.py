"""Road work in a real browser: the post card says 已到岗 from the track; the desk's coverage changes live."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp import roadwork_services as services
from fieldapp.models import TrackFix
from tests.live import login, screenshot

CENTRE = (36.4560, 115.9850)
FAST = {"ROADWORK_DESK_REFRESH_S": "1"}


@pytest.fixture
def point(transactional_db, squad, officer):
    return services.point_create(
        name="东昌路与柳园路口", kind="intersection", lat=CENTRE[0], lng=CENTRE[1], radius_m=150, squad=squad,
        officer=officer, post_windows="Mo-Su 00:00-24:00",
    )


def stand_at_the_point(officer, minutes: int) -> None:
    now = timezone.now()
    TrackFix.objects.bulk_create(
        TrackFix(officer=officer, lat=CENTRE[0] + 0.0003, lng=CENTRE[1], accuracy_m=8, at=now - timedelta(seconds=s))
        for s in range(0, minutes * 60 + 1, 15)
    )


@pytest.mark.browser
def test_the_post_card_says_on_post_after_fixes_inside_the_radius(live_server_factory, officer, point, phone):
    server = live_server_factory(env=FAST)
    page = phone.new_page()
    login(page, server, "officer")
    page.click("#link-my-posts")
    card = page.locator(f'.post-card[data-point="{point.pk}"]')
    card.wait_for()
    assert card.locator("[data-here]").inner_text() == ""
    stand_at_the_point(officer, 12)
    page.wait_for_function(
        "id => document.querySelector(`.post-card[data-point='${id}'] [data-here]`).textContent.includes('已到岗 12 分钟')",
        arg=point.pk, timeout=10_000,
    )
    card.locator("[data-traffic=slow]").click()
    page.wait_for_function("() => document.querySelector('[data-traffic-said]').textContent.includes('缓行')", timeout=10_000)
    screenshot(page, "roadwork-post-card-phone")


@pytest.mark.browser
def test_the_desk_map_shows_a_points_coverage_change_live(live_server_factory, dispatcher, officer, point, desktop):
    server = live_server_factory(env=FAST)
    page = desktop.new_page()
    login(page, server, "dispatcher")
    page.goto(f"{server.url}/dispatch/roadwork/")
    row = page.locator(f'tr[data-point="{point.pk}"] [data-coverage]')
    assert row.get_attribute("data-coverage") == "uncovered"
    page.wait_for_selector('path[data-coverage="uncovered"]')
    stand_at_the_point(officer, 12)
    page.wait_for_selector(f'tr[data-point="{point.pk}"] [data-coverage="covered"]', timeout=10_000)
    page.wait_for_selector('path[data-coverage="covered"]')
    assert "铁骑01 12′" in page.locator(f'tr[data-point="{point.pk}"] [data-present]').inner_text()
    screenshot(page, "roadwork-desk-map")

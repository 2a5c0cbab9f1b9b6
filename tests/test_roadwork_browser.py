"""Road work in a real browser: the post card says 已到岗 from the track; the desk's coverage changes live;
the officer's hazard report keeps what the server refuses; the phone pages' targets are big enough for gloves."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp import roadwork_services as services
from fieldapp.models import CongestionPoint, Hazard, TrackFix
from fieldapp.roadwork_serializers import hazard_in_limits
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


# --- the officer's hazard report --------------------------------------------------

TAP_PX = 44


@pytest.fixture
def hazard_form(live_server_factory, officer, point, phone):
    """The officer's hazard report on a phone, online, with the congestion point listed: (page, server)."""
    server = live_server_factory(env=FAST)
    page = phone.new_page()
    login(page, server, "officer")
    page.goto(f"{server.url}/field/roadwork/hazards/new/")
    page.wait_for_selector("#connection[data-state=online]", timeout=10_000)
    return page, server


@pytest.mark.browser
def test_a_description_cannot_be_typed_past_the_servers_limit(hazard_form, point):
    page, server = hazard_form
    limit = hazard_in_limits()["description"]
    description = page.locator("#id_description")
    assert description.get_attribute("maxlength") == str(limit)
    assert page.locator("#id_address").get_attribute("maxlength") == str(hazard_in_limits()["address"])
    description.click()
    page.keyboard.insert_text("路" * (limit + 50))
    assert description.evaluate("node => node.value.length") == limit
    assert page.locator("#id_kind option").first.inner_text() == "请选择"


@pytest.mark.browser
def test_a_report_the_page_can_check_is_not_queued_and_the_form_is_kept(hazard_form, point):
    page, server = hazard_form
    page.select_option("#id_kind", "road_surface")
    page.fill("#id_address", "东昌路 12 号")
    # A value set by a script is not held back by maxlength: the page checks it before queuing.
    too_long = "坑" * (hazard_in_limits()["description"] + 1)
    page.locator("#id_description").evaluate("(node, text) => { node.value = text; }", too_long)
    page.click("#hazard-form button[type=submit]")
    error = page.locator("#error-description")
    error.wait_for()
    assert "2000" in error.inner_text()
    summary = page.locator("#hazard-errors").inner_text()
    assert "详细描述" in summary and "description" not in summary
    assert page.locator("#outbox-said").is_hidden()
    assert page.locator("#id_description").input_value() == too_long
    assert page.evaluate("() => document.activeElement.id") == "id_description"
    assert not Hazard.objects.exists()


@pytest.mark.browser
def test_a_refusal_from_the_server_is_shown_by_its_field_and_the_form_kept(hazard_form, point):
    page, server = hazard_form
    page.select_option("#id_kind", "signals")
    page.select_option("#id_point", str(point.pk))
    page.fill("#id_description", "信号灯黄闪，路口无人指挥")
    # The point was removed at the desk after the page was drawn: only the server can know.
    CongestionPoint.objects.filter(pk=point.pk).delete()
    page.click("#hazard-form button[type=submit]")
    error = page.locator("#error-point")
    error.wait_for(timeout=10_000)
    assert error.inner_text().strip() == "这个堵点已不存在：请另选一个，或填写地址。"
    assert page.locator("#id_point").get_attribute("aria-invalid") == "true"
    summary = page.locator("#hazard-errors").inner_text()
    assert "未被接受" in summary and "堵点" in summary and "point:" not in summary
    assert page.locator("#id_description").input_value() == "信号灯黄闪，路口无人指挥"
    assert page.locator("#id_kind").input_value() == "signals"
    assert page.locator("#outbox-said").is_hidden()
    assert not Hazard.objects.exists()
    screenshot(page, "roadwork-hazard-refused-phone")
    # Shown here, so not listed again on /field/ with the server's raw words.
    page.goto(f"{server.url}/field/")
    page.wait_for_function("() => window.luchangField && window.luchangField.outbox", timeout=10_000)
    assert page.evaluate("() => window.luchangField.outbox.ready.then(() => window.luchangField.outbox.items.length)") == 0
    assert page.locator("#outbox-refused").is_hidden()


@pytest.mark.browser
def test_a_report_made_offline_waits_on_the_phone_and_is_sent_when_back(hazard_form, point, phone):
    page, server = hazard_form
    phone.set_offline(True)
    page.wait_for_selector("#connection[data-state=offline]")
    page.select_option("#id_kind", "sight")
    page.fill("#id_address", "东昌路 12 号")
    page.fill("#id_description", "树枝挡住限速牌")
    page.click("#hazard-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('outbox-said').textContent.includes('已存在手机上')")
    assert page.locator("#outbox-count").inner_text() == "待发送 1 项"
    assert page.locator("#id_description").input_value() == ""
    phone.set_offline(False)
    page.wait_for_function("() => document.getElementById('outbox-said').textContent.includes('已上报')", timeout=15_000)
    assert Hazard.objects.get().description == "树枝挡住限速牌"
    page.wait_for_selector("#connection[data-state=online]")


# --- gloves: 44 px targets at 390 x 844 ---------------------------------------------


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return found


@pytest.mark.browser
def test_the_road_work_links_on_field_are_tap_targets_apart_from_the_duty_switch(live_server_factory, officer, phone):
    server = live_server_factory(env=FAST)
    page = phone.new_page()
    login(page, server, "officer")
    page.goto(f"{server.url}/field/")
    links = page.locator(".roadwork-links a")
    assert links.count() == 3
    boxes = [box(links.nth(index)) for index in range(3)]
    assert all(link["height"] >= TAP_PX for link in boxes), boxes
    duty = box(page.locator("#duty"))
    assert duty["y"] - max(link["y"] + link["height"] for link in boxes) >= 16
    screenshot(page, "roadwork-field-links-phone")


@pytest.mark.browser
def test_the_way_back_on_the_officer_pages_is_a_tap_target(live_server_factory, officer, point, phone):
    server = live_server_factory(env=FAST)
    page = phone.new_page()
    login(page, server, "officer")
    for path in ("/field/roadwork/hazards/new/", "/field/roadwork/outreach/new/", "/field/roadwork/posts/"):
        page.goto(f"{server.url}{path}")
        back = page.locator(".roadwork-back a")
        assert box(back)["height"] >= TAP_PX, path
        assert back.get_attribute("href") == "/field/", path
        page.wait_for_selector("#connection[data-state=online]", timeout=10_000)
    screenshot(page, "roadwork-my-posts-phone")


@pytest.mark.browser
def test_each_officer_to_tick_on_the_outreach_form_is_a_row_with_its_box_in_line(
    live_server_factory, officer, other_officer, phone
):
    server = live_server_factory(env=FAST)
    page = phone.new_page()
    login(page, server, "officer")
    page.goto(f"{server.url}/field/roadwork/outreach/new/")
    assert page.locator("#id_kind option").first.inner_text() == "请选择"
    rows = page.locator(".roadwork-checks label")
    assert rows.count() == 2
    for index in range(2):
        row = box(rows.nth(index))
        tick = box(rows.nth(index).locator("input[type=checkbox]"))
        assert row["height"] >= TAP_PX
        assert abs((tick["y"] + tick["height"] / 2) - (row["y"] + row["height"] / 2)) <= 2
    # A tap on the name, not only on the box, ticks it.
    other = rows.filter(has_text="铁骑02")
    other.locator("text=铁骑02").click()
    assert other.locator("input").is_checked()
    screenshot(page, "roadwork-outreach-form-phone")

"""The managers' week editor and the screen's closure notice in a real browser."""
from __future__ import annotations

import pytest

from stations import services
from stations.models import Station
from tests.live import DESKTOP, PHONE, login, screenshot

# Managers' phones speak Chinese: 24-hour time pickers.
PHONE_ZH = {**PHONE, "locale": "zh-CN"}
DESKTOP_ZH = {**DESKTOP, "locale": "zh-CN"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKDAYS_WEEKENDS = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"


@pytest.fixture
def server(live_server_factory):
    return live_server_factory()


@pytest.fixture
def own_station(station_manager) -> Station:
    station = Station.objects.create(
        name="市医院中队", slug="shiyiyuan", lat=36.4561, lng=115.9854, opening_hours=WEEKDAYS_WEEKENDS, published=True,
        address="聊城市东昌府区市医院中队",
    )
    station.managers.add(station_manager)
    return station


def test_a_manager_sets_the_week_without_typing_an_expression(chromium, server, own_station):
    phone = chromium.new_context(**PHONE_ZH)
    try:
        page = phone.new_page()
        login(page, server, "station_manager")
        page.goto(f"{server.url}/stations/manage/shiyiyuan/")
        screenshot(page, "stations-manage-week-phone")
        assert page.locator("details.expert textarea").is_hidden()

        sunday = page.locator('.day-row[data-day="su"]')
        sunday.locator(".day-open").click()
        assert sunday.locator('input[type="time"]').first.is_hidden()
        assert sunday.locator(".day-closed").is_visible()

        monday = page.locator('.day-row[data-day="mo"]')
        monday.locator(".second-span summary").click()
        monday.locator('input[name="hours-mo_to1"]').fill("12:00")
        monday.locator('input[name="hours-mo_from2"]').fill("14:00")
        monday.locator('input[name="hours-mo_to2"]').fill("18:00")
        page.locator('.holiday-rule label:has(input[value="own"])').click()
        own = page.locator(".holiday-rule .own-times")
        own.locator('input[name="hours-ph_from1"]').fill("10:00")
        own.locator('input[name="hours-ph_to1"]').fill("14:00")

        page.click("#hours button[name=preview]")
        page.wait_for_selector(".preview-expression")
        assert page.locator(".preview-expression code").inner_text() == (
            "Mo 08:00-12:00,14:00-18:00; Tu-Fr 08:00-18:00; Sa 09:00-17:00; PH 10:00-14:00"
        )
        screenshot(page, "stations-manage-week-preview-phone")

        page.click("#hours button[type=submit]:not([name])")
        page.wait_for_url("**/stations/manage/shiyiyuan/#hours")
        own_station.refresh_from_db()
        assert own_station.opening_hours == "Mo 08:00-12:00,14:00-18:00; Tu-Fr 08:00-18:00; Sa 09:00-17:00; PH 10:00-14:00"
    finally:
        phone.close()

    desktop = chromium.new_context(**DESKTOP_ZH)
    try:
        page = desktop.new_page()
        login(page, server, "station_manager")
        page.goto(f"{server.url}/stations/manage/shiyiyuan/")
        screenshot(page, "stations-manage-week-desktop")
    finally:
        desktop.close()


def test_the_screen_shows_the_closure_and_its_end_live(chromium, server, own_station):
    services.station_set_closed_now(station_id=own_station.pk, closed=True, reason="外出执勤")
    for name, size in (("phone", PHONE_ZH), ("desktop", DESKTOP_ZH)):
        context = chromium.new_context(**size)
        try:
            page = context.new_page()
            page.goto(f"{server.url}/stations/shiyiyuan/screen/")
            page.wait_for_function("() => document.body.dataset.socket === 'open'")
            assert page.locator("#today-hours").inner_text() == "恢复开放时间另行通知"
            assert page.locator("#state-label").inner_text() == "暂停开放 · 外出执勤"
            screenshot(page, f"stations-screen-closed-{name}")
            if name == "desktop":
                # The manager opens again on a phone; the nudge reaches the screen over its
                # socket (polling is slow while the socket is up), and the usual hours come back.
                manager = chromium.new_context(**PHONE_ZH)
                try:
                    manager_page = manager.new_page()
                    login(manager_page, server, "station_manager")
                    manager_page.goto(f"{server.url}/stations/manage/shiyiyuan/")
                    manager_page.locator("#closed-now input[type=checkbox]").uncheck()
                    manager_page.click("#closed-now button[type=submit]")
                    manager_page.wait_for_url("**#closed-now")
                finally:
                    manager.close()
                page.wait_for_function("() => document.getElementById('today-hours').textContent.startsWith('今日: ')", timeout=10000)
                assert page.locator("#today-hours").get_attribute("data-closed") == "false"
        finally:
            context.close()


def test_the_station_manager_picker_in_admin_speaks_chinese(chromium, server, own_station, admin):
    context = chromium.new_context(**DESKTOP_ZH)
    try:
        page = context.new_page()
        login(page, server, "admin")
        page.goto(f"{server.url}/admin/stations/station/{own_station.pk}/change/")
        page.wait_for_selector("#id_managers_add_all")
        picker = page.locator(".selector")
        picker.scroll_into_view_if_needed()
        text = picker.inner_text()
        assert "Choose" not in text and "Remove" not in text
        assert page.locator("#id_managers_add_all").inner_text().startswith("全选")
        assert "选中要添加的" in text
        screenshot(page, "stations-admin-manager-picker-desktop")
    finally:
        context.close()

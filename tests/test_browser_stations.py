"""The care stations in a real browser at phone size, against a real Daphne server."""
from __future__ import annotations

import time

import pytest

from tests.helpers import NEAR_BEISHUN
from tests.live import DESKTOP, PHONE, TEST_TIMERS, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(live_server_factory, media_root):
    # The server must see the uploaded test videos: the session's servers serve media_root.
    return live_server_factory(env={"MEDIA_ROOT": str(media_root)})


def card_slugs(page) -> list[str]:
    return page.eval_on_selector_all("#station-list .station-card", "cards => cards.map(card => card.dataset.slug)")


def test_finder_with_granted_position_lists_the_nearest_open_station_first(chromium, server, stations_city):
    lat, lng = NEAR_BEISHUN
    context = chromium.new_context(**PHONE, geolocation={"latitude": lat, "longitude": lng}, permissions=["geolocation"])
    try:
        page = context.new_page()
        page.goto(f"{server.url}/stations/")
        page.wait_for_function("() => document.getElementById('origin-text').textContent.length > 0 && document.querySelector('#locate-status').textContent !== ''")
        page.wait_for_function("() => document.querySelector('#station-list .station-card').dataset.slug === 'dengta'")
        slugs = card_slugs(page)
        # Beishun is the nearest of all but closed: the nearest OPEN station comes first.
        assert slugs[0] == "dengta"
        assert slugs[-1] == "beishun"
        assert "huxi" not in slugs
        first = page.locator("#station-list .station-card").first
        assert "营业中" in first.inner_text() or "Open" in first.inner_text()
        # Closed now, yet a rider can still find the way there.
        closed = page.locator('#station-list .station-card[data-slug="beishun"]')
        assert closed.locator("a[href*='uri.amap.com']").count() == 1
        screenshot(page, "stations-finder-phone")
        # "Open now" leaves the closed station out without a reload.
        page.check("input[name=open_now]")
        page.wait_for_function("() => !document.querySelector('#station-list .station-card[data-slug=beishun]')")
        assert card_slugs(page)[0] == "dengta"
    finally:
        context.close()


def test_finder_with_refused_position_falls_back_to_picking_an_area(chromium, server, stations_city):
    context = chromium.new_context(**PHONE)  # no geolocation permission: the request is refused
    try:
        page = context.new_page()
        page.goto(f"{server.url}/stations/")
        areas = page.locator("#areas")
        areas.wait_for(state="visible", timeout=15000)
        assert page.locator("#locate-status").evaluate("node => node.classList.contains('is-error')")
        screenshot(page, "stations-finder-refused-phone")
        page.locator("#areas > summary").click()
        page.locator("#areas a", has_text="北顺中队").click()
        page.wait_for_function("() => document.querySelector('#station-list .station-card').dataset.slug === 'dengta'")
        assert "北顺中队" in page.locator("#origin-text").inner_text()
        assert "lat=" in page.url  # the choice survives a reload
        # The list of areas folds away and names the pick; the first station is on the first screen.
        assert page.locator("#areas").evaluate("node => node.open") is False
        assert "北顺中队" in page.locator("#areas > summary").inner_text()
        first_card = page.locator("#station-list .station-card").first.bounding_box()
        assert first_card["y"] + 100 < PHONE["viewport"]["height"]
        screenshot(page, "stations-finder-area-picked-phone")
    finally:
        context.close()


def test_finder_never_waits_more_than_ten_seconds_for_a_position(chromium, server, stations_city):
    """Ten seconds by default (see the finder page tests); the test server is told fewer."""
    gives_up_after_ms = int(TEST_TIMERS["STATION_FINDER_GEOLOCATION_TIMEOUT_S"]) * 1000
    context = chromium.new_context(**PHONE)
    # A phone whose location service never answers (and never errors).
    context.add_init_script("navigator.geolocation.getCurrentPosition = () => {};")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/stations/")
        # The area picker is on the page from the start, so giving up moves nothing.
        assert page.locator("#areas").is_visible()
        list_top = page.locator("#station-list").bounding_box()["y"]
        page.wait_for_function("() => document.querySelector('#locate-status').classList.contains('is-error')", timeout=gives_up_after_ms + 3000)
        assert page.locator("#station-list").bounding_box()["y"] == list_top
        assert not page.locator("#locate-button").is_disabled()  # can try again
        assert page.locator("#station-list .station-card").count() == 4  # the server's list stayed usable
    finally:
        context.close()


def test_finder_on_desktop_shows_list_and_map(desktop, server, stations_city):
    page = desktop.new_page()
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())  # no network in tests
    page.goto(f"{server.url}/stations/?lat=36.456&lng=115.985&area=test")
    page.wait_for_selector(".leaflet-container")
    page.wait_for_selector(".leaflet-interactive")
    assert page.locator("#station-list .station-card").count() == 4
    screenshot(page, "stations-finder-desktop")


def test_finder_closed_card_offers_navigation_with_its_opening_time(phone, server, stations_city):
    from stations import services
    from stations.selectors import today_shanghai

    # Closed all of today by a closure; its hours open it again tomorrow at 08:00.
    dengta = stations_city["dengta"]
    services.station_update(station_id=dengta.pk, opening_hours="Mo-Su 08:00-20:00")
    services.closure_create(station_id=dengta.pk, start_date=today_shanghai(), end_date=today_shanghai(), reason="培训")
    page = phone.new_page()
    page.goto(f"{server.url}/stations/?lat=36.47&lng=115.97&area=灯塔")
    card = page.locator('#station-list .station-card[data-slug="dengta"]')
    navigate = card.locator("a.btn-navigate")
    assert "uri.amap.com" in navigate.get_attribute("href")
    assert "导航" in navigate.inner_text() and "明天 08:00 开门" in navigate.inner_text()
    # The script draws the same card from the API's payload.
    page.locator("details:has(input[name=amenity]) > summary").click()
    page.check("input[name=amenity][value=drinking_water]")
    page.wait_for_function("() => location.search.includes('amenity=drinking_water') && !document.getElementById('station-list').hasAttribute('aria-busy')")
    assert "明天 08:00 开门" in card.locator("a.btn-navigate").inner_text()
    card.scroll_into_view_if_needed()
    screenshot(page, "stations-finder-closed-card-phone")


def test_finder_choices_survive_a_reload_and_back_through_the_url(phone, server, stations_city):
    page = phone.new_page()
    page.goto(f"{server.url}/stations/?lat=36.4945&lng=115.9852&area=北顺中队")
    page.check("input[name=open_now]")
    page.locator("details:has(input[name=amenity]) > summary").click()
    page.check("input[name=amenity][value=wifi]")
    page.wait_for_function("() => location.search.includes('open_now=1') && location.search.includes('amenity=wifi')")
    page.wait_for_function("() => document.querySelectorAll('#station-list .station-card').length === 1")
    assert card_slugs(page) == ["shiyiyuan"]

    page.reload()  # the server renders the same list from the query string
    assert page.locator("input[name=open_now]").is_checked()
    assert page.locator("input[name=amenity][value=wifi]").is_checked()
    assert card_slugs(page) == ["shiyiyuan"]
    assert "北顺中队" in page.locator("#areas > summary").inner_text()

    # Another area is a new history entry; Back returns to the first one, filters and all.
    page.locator("#areas > summary").click()
    page.locator("#areas a", has_text="汽车西站交管服务网点").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('area') === '汽车西站交管服务网点'")
    assert "open_now=1" in page.url
    page.go_back()
    page.wait_for_function("() => new URLSearchParams(location.search).get('area') === '北顺中队'")
    assert "北顺中队" in page.locator("#areas > summary").inner_text()
    assert page.locator("input[name=amenity][value=wifi]").is_checked()


TAP_TARGETS = "a[href]:not(.skip), button, summary, label.check, select"


def small_tap_targets(page) -> list[str]:
    """Visible targets less than 48 px tall, measured by Playwright's bounding boxes."""
    small = []
    targets = page.locator(TAP_TARGETS)
    for index in range(targets.count()):
        target = targets.nth(index)
        if not target.is_visible():
            continue
        box = target.bounding_box()
        if box and box["height"] < 48:
            small.append(f"{target.evaluate('node => node.outerHTML.slice(0, 80)')} ({box['height']:.0f} px)")
    return small


def test_every_tap_target_on_the_finder_and_a_station_page_is_48_px_tall(phone, server, stations_city):
    page = phone.new_page()
    page.goto(f"{server.url}/stations/?lat=36.456&lng=115.985&area=test")
    page.locator("#areas > summary").click()
    page.locator("details:has(input[name=amenity]) > summary").click()
    assert small_tap_targets(page) == []
    page.goto(f"{server.url}/stations/shiyiyuan/")
    assert page.locator("a.back-link").bounding_box()["height"] >= 48
    assert small_tap_targets(page) == []


@pytest.mark.parametrize(("language", "width"), [("zh-hans", 390), ("en", 390), ("zh-hans", 320)])
def test_finder_does_not_shift_when_the_position_is_refused(chromium, server, stations_city, language, width):
    context = chromium.new_context(**{**PHONE, "viewport": {"width": width, "height": 844}})
    context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    # Lighthouse's CLS: the sum of layout shifts not caused by the user.
    context.add_init_script(
        """window.layoutShift = 0;
        new PerformanceObserver(list => { for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value; })
          .observe({ type: "layout-shift", buffered: true });"""
    )
    try:
        page = context.new_page()  # no permission: the position is refused
        page.goto(f"{server.url}/stations/", wait_until="domcontentloaded")
        list_top = page.evaluate("document.getElementById('station-list').getBoundingClientRect().top")
        page.wait_for_function("() => document.querySelector('#locate-status').classList.contains('is-error')")
        page.wait_for_timeout(300)  # let a late shift be reported
        assert page.evaluate("document.getElementById('station-list').getBoundingClientRect().top") == list_top
        assert page.evaluate("window.layoutShift") < 0.05
    finally:
        context.close()


def test_station_page_at_phone_and_desktop(chromium, server, stations_city):
    for name, options in (("phone", PHONE), ("desktop", DESKTOP)):
        context = chromium.new_context(**options)
        try:
            page = context.new_page()
            page.goto(f"{server.url}/stations/shiyiyuan/")
            assert page.locator("a[href^='tel:']").count() == 1
            assert page.locator(".week tr").count() == 7
            screenshot(page, f"stations-detail-{name}")
        finally:
            context.close()


def test_manager_page_at_phone_size(phone, server, screen_station, station_manager):
    page = phone.new_page()
    login(page, server, "station_manager")
    page.goto(f"{server.url}/stations/manage/shiyiyuan/")
    # The station is open 24/7, which the week editor shows; the expression is folded away.
    page.click("#hours details.expert summary")
    page.fill("#id_hours-opening_hours", "Mo-Fr 25:99")
    page.click("#hours button[type=submit]:not([name])")
    assert page.locator("#hours .field-error").count() == 1
    screenshot(page, "stations-manage-phone")


def test_screen_plays_its_playlist_and_shows_a_slogan_pushed_from_admin(
    chromium, live_server_factory, media_root, screen_station, admin
):
    # A server of its own: a shared one keeps the content types it read before other tests'
    # flushes renumbered them (SQLite), and admin's log entry of the save then fails its foreign key.
    server = live_server_factory(env={"MEDIA_ROOT": str(media_root)}, fresh=True)
    screen = chromium.new_context(**PHONE)
    office = chromium.new_context(**DESKTOP)
    try:
        page = screen.new_page()
        page.goto(f"{server.url}/stations/shiyiyuan/screen/")
        page.evaluate("window.stayedOnThisPage = true")
        # Both videos play to their end, with the slogan between them.
        page.wait_for_function(
            """() => {
                const kinds = window.luchangScreen.history.map(entry => entry.kind + ':' + (entry.title || entry.text || ''));
                return kinds.includes('ended:安全头盔') && kinds.includes('ended:礼让行人') && kinds.includes('slogan:一盔一带 安全常在');
            }""",
            timeout=30000,
        )
        page.wait_for_function("() => document.body.dataset.socket === 'open'")
        screenshot(page, "stations-screen-phone")

        admin_page = office.new_page()
        login(admin_page, server, "admin")
        # Slogans are edited inline on the station's admin page; the form has one empty row.
        admin_page.goto(f"{server.url}/admin/stations/station/{screen_station.pk}/change/")
        admin_page.fill("input[name='slogans-1-text']", "礼让斑马线 文明出行")
        admin_page.fill("input[name='slogans-1-position']", "1")
        admin_page.click("input[name=_save]")
        admin_page.wait_for_load_state("networkidle")
        assert admin_page.locator(".errornote").count() == 0, admin_page.content()

        page.wait_for_function(
            "() => window.luchangScreen.history.some(entry => entry.kind === 'slogan' && entry.text === '礼让斑马线 文明出行')",
            timeout=30000,
        )
        assert page.evaluate("window.stayedOnThisPage") is True  # no reload
        page.wait_for_function("() => document.body.dataset.showing === 'slogan' && document.getElementById('slogan-text').textContent.includes('礼让斑马线')", timeout=30000)
        screenshot(page, "stations-screen-slogan-phone")
        # Station screens are mostly landscape TVs.
        page.set_viewport_size(DESKTOP["viewport"])
        screenshot(page, "stations-screen-slogan-desktop")
    finally:
        screen.close()
        office.close()


def wait_on_screen(page, condition: str, timeout: int = 60000) -> None:
    """Wait for a condition on the screen; on time-out, show what the screen did."""
    try:
        page.wait_for_function(f"() => ({condition})", timeout=timeout)
    except Exception:
        print("screen history:", page.evaluate("JSON.stringify(window.luchangScreen.history)"))
        print("media cache:", page.evaluate("caches.open('luchang-screen-media-v1').then(cache => cache.keys()).then(keys => keys.map(key => key.url))"))
        print("playlist:", page.evaluate("window.luchangScreen.payload.playlist.map(item => item.src)"))
        raise


def test_screen_keeps_looping_from_the_device_cache_when_the_network_drops(chromium, server, screen_station):
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/stations/shiyiyuan/screen/")
        # Wait until both videos are stored whole in the Cache API.
        wait_on_screen(page, "window.luchangScreen.cachedMedia.size === 2")
        context.set_offline(True)
        page.evaluate("window.offlineFrom = window.luchangScreen.history.length")
        wait_on_screen(
            page,
            """() => {
                const since = window.luchangScreen.history.slice(window.offlineFrom);
                const ended = since.filter(entry => entry.kind === 'ended').map(entry => entry.title);
                const cached = since.filter(entry => entry.kind === 'video').every(entry => entry.cached);
                return cached && ended.includes('安全头盔') && ended.includes('礼让行人');
            }""",
        )
        assert page.evaluate("window.luchangScreen.history.slice(window.offlineFrom).some(entry => entry.kind === 'error')") is False
    finally:
        context.close()


def test_screen_without_websocket_picks_up_changes_by_polling(chromium, server, screen_station):
    import re

    from stations import services

    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        # A proxy that refuses WebSockets: every attempt is closed at once.
        page.route_web_socket(re.compile(r".*/ws/stations/.*"), lambda socket: socket.close())
        page.goto(f"{server.url}/stations/shiyiyuan/screen/")
        page.evaluate("window.stayedOnThisPage = true")
        services.slogan_create(station_id=screen_station.pk, text="雨天路滑 减速慢行")
        wait_on_screen(page, "window.luchangScreen.history.some(entry => entry.kind === 'slogan' && entry.text === '雨天路滑 减速慢行')")
        assert page.evaluate("document.body.dataset.socket") != "open"
        assert page.evaluate("window.stayedOnThisPage") is True
    finally:
        context.close()


def test_screen_with_broken_videos_and_no_slogans_rests_on_the_standby_slide(chromium, server, screen_station, media_root):
    from stations.models import PlaylistItem

    screen_station.slogans.all().delete()
    for item in PlaylistItem.objects.filter(station=screen_station).select_related("video"):
        (media_root / item.video.file.name).unlink()  # every file now answers 404
    context = chromium.new_context(**PHONE)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/stations/shiyiyuan/screen/")
        wait_on_screen(page, "window.luchangScreen.history.filter(entry => entry.kind === 'error').length >= 2 && document.body.dataset.showing === 'standby'")
        assert page.locator("#standby").is_visible()
        assert page.locator("#status").is_visible()
    finally:
        context.close()


def test_a_slow_answer_to_an_earlier_choice_never_replaces_the_newer_one(phone, server, stations_city):
    page = phone.new_page()
    page.goto(f"{server.url}/stations/?lat=36.4945&lng=115.9852&area=北顺中队")
    page.wait_for_load_state("networkidle")
    held = []
    # Hold every list request; the test answers them itself, the newer one first.
    page.route("**/api/v1/stations/?*", lambda route: held.append(route))
    page.check("input[name=open_now]")
    page.locator("details:has(input[name=amenity]) > summary").click()
    page.check("input[name=amenity][value=wifi]")
    page.wait_for_function("() => location.search.includes('amenity=wifi')")
    deadline = time.monotonic() + 10
    while len(held) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(held) == 2
    older, newer = held
    newer.continue_()
    page.wait_for_function("() => document.querySelectorAll('#station-list .station-card').length === 1")
    try:
        older.continue_()  # the page gave up on it; its answer, if any, must not be drawn
    except Exception:  # noqa: BLE001 - an aborted request cannot be continued
        pass
    page.wait_for_timeout(500)
    assert card_slugs(page) == ["shiyiyuan"]

"""The dispatch pages in a real browser against a real Daphne: the dispatcher's
desk and the officer's phone, side by side, updating live."""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from common.roles import OFFICER
from fieldapp import services
from fieldapp.models import Assignment, Job, NotificationAttempt, Officer
from tests.helpers import make_user
from tests.live import DESKTOP, PHONE, LiveServer, api_post, in_thread, login
from tests.live import screenshot as full_page_screenshot

pytestmark = pytest.mark.browser

# A crossroads in Liaocheng, where the demo city is; the phone stands 300 m away.
JOB_LAT, JOB_LNG = 36.4561, 115.9855
PHONE_FIX = {"latitude": 36.4588, "longitude": 115.9855, "accuracy": 10}
STEPS = ["accepted", "en_route", "on_scene", "cleared"]
TIMEOUT = 15_000


def screenshot(page: Any, name: str) -> None:
    # From the top, so the sticky bars sit where a person would see them.
    page.evaluate("window.scrollTo(0, 0)")
    full_page_screenshot(page, name)


def open_phone(context: Any, server: LiveServer, username: str = "officer") -> Any:
    context.grant_permissions(["geolocation", "notifications"], origin=server.url)
    context.set_geolocation(PHONE_FIX)
    page = context.new_page()
    login(page, server, username)
    assert page.url == f"{server.url}/field/"
    wait_online(page)
    return page


def open_desk(context: Any, server: LiveServer) -> Any:
    page = context.new_page()
    # Map tiles are an outside service; the test never depends on them.
    page.route("**/*.png", lambda route: route.fulfill(status=204) if "127.0.0.1" not in route.request.url else route.continue_())
    login(page, server, "dispatcher")
    assert page.url == f"{server.url}/dispatch/"
    wait_online(page)
    return page


def wait_online(page: Any) -> None:
    page.wait_for_selector("#connection[data-state=online]", timeout=TIMEOUT)


def go_on_duty(page: Any) -> None:
    # The one-time question about alerts comes first; answering it is the
    # user gesture that unlocks sound.
    if page.is_visible("#alerts-enable"):
        page.click("#alerts-enable")
    page.click("#duty")
    page.wait_for_selector("#duty[aria-checked=true]", timeout=TIMEOUT)
    page.wait_for_selector("#position-status[data-state=sent]", timeout=TIMEOUT)


def create_job_on_desk(page: Any, summary: str) -> int:
    page.select_option("#job-kind", "accident")
    page.select_option("#job-priority", "2")
    page.fill("#job-summary", summary)
    page.fill("#job-address", "东昌路与柳园路口")
    # Place the job by clicking the middle of the placement map.
    box = page.locator("#place-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#job-lat") != ""
    # Then type the exact spot, as a dispatcher reading it off a video feed would.
    page.fill("#job-lat", str(JOB_LAT))
    page.fill("#job-lng", str(JOB_LNG))
    page.click("#job-form button[type=submit]")
    card = page.wait_for_selector(f".job:has(.job-summary:text-is('{summary}'))", timeout=TIMEOUT)
    return int(card.get_attribute("data-job"))


def dispatch_from_desk(page: Any, job_id: int, officer: Officer) -> None:
    card = f".job[data-job='{job_id}']"
    # Creating a job opens its candidates at once.
    checkbox = f"{card} [data-list=candidates] input[data-officer='{officer.id}']"
    page.wait_for_selector(checkbox, timeout=TIMEOUT)
    # The phone stands 300 m north of the job; its fix is seconds old.
    assert "300 米" in page.inner_text(f"{card} [data-list=candidates]")
    page.check(checkbox)
    page.click(f"{card} [data-action=dispatch]")
    page.wait_for_selector(f"{card} li[data-officer='{officer.id}'][data-status=dispatched]", timeout=TIMEOUT)


def test_dispatch_reaches_the_phone_and_each_step_shows_on_the_desk(daphne, officer, dispatcher, phone, desktop):
    field = open_phone(phone, daphne)
    screenshot(field, "dispatch-ui-field-idle-phone")
    go_on_duty(field)

    desk = open_desk(desktop, daphne)
    job_id = create_job_on_desk(desk, "两车追尾，占用一条车道")
    screenshot(desk, "dispatch-ui-desk-candidates")
    dispatch_from_desk(desk, job_id, officer)

    # The phone shows it without a reload: banner, then the card with one big button.
    job = Job.objects.get(pk=job_id)
    field.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT)
    assert job.number in field.inner_text("#banner")
    screenshot(field, "dispatch-ui-field-banner-phone")
    field.click("#banner-show")
    card = ".assignment[data-status=dispatched]"
    field.wait_for_selector(card)
    assert "两车追尾" in field.inner_text(card)
    # The links come from the server (common.maps) and point at the job in WGS-84.
    amap = urlsplit(field.get_attribute(f"{card} a[data-map=amap]", "href"))
    assert amap.netloc == "uri.amap.com"
    assert parse_qs(amap.query)["position"] == [f"{JOB_LNG:.6f},{JOB_LAT:.6f}"]
    assert parse_qs(amap.query)["coordinate"] == ["wgs84"]
    assert "coord_type=wgs84" in field.get_attribute(f"{card} a[data-map=baidu]", "href")
    assert field.get_attribute(f"{card} a[data-map=geo]", "href").startswith(f"geo:{JOB_LAT:.6f},{JOB_LNG:.6f}")
    screenshot(field, "dispatch-ui-field-assignment-phone")

    # The phone acknowledged the push: the desk shows "received".
    row = f".job[data-job='{job_id}'] li[data-officer='{officer.id}']"
    desk.wait_for_selector(f"{row} [data-receipt=ok]", timeout=TIMEOUT)
    screenshot(desk, "dispatch-ui-desk-dispatched")

    for step in STEPS:
        button = field.locator(".assignment .step-btn")
        assert button.get_attribute("data-step") == step
        if step == "accepted":
            # A gloved double tap records one step, not two.
            button.dblclick()
        else:
            button.click()
        if step == "cleared":
            # A crash is cleared through its quick-clearance record; here it is left to finish later.
            field.click(".assignment .qc-form .qc-later")
        if step != "cleared":
            field.wait_for_selector(f".assignment[data-status={step}]", timeout=TIMEOUT)
            desk.wait_for_selector(f"{row}[data-status={step}]", timeout=TIMEOUT)
        if step == "accepted":
            field.wait_for_selector(".assignment .step-btn[data-step=en_route]:enabled", timeout=TIMEOUT)
            assert Assignment.objects.get(job_id=job_id).status == "accepted"
        if step == "en_route":
            # Riding to the scene: the desk's map follows the phone.
            field.context.set_geolocation({"latitude": JOB_LAT, "longitude": JOB_LNG, "accuracy": 8})
            desk.wait_for_function(
                f"() => window.luchangDispatch.state.officers.get({officer.id}).fix.lat === {JOB_LAT}", timeout=TIMEOUT
            )
        if step == "on_scene":
            screenshot(desk, "dispatch-ui-desk-on-scene")
            screenshot(field, "dispatch-ui-field-on-scene-phone")

    # Cleared by the only officer: the job closes by itself and leaves the board.
    desk.wait_for_selector(f"#closed li[data-job='{job_id}'][data-status=closed]", timeout=TIMEOUT)
    assert desk.locator(f".job[data-job='{job_id}']").count() == 0
    field.wait_for_selector("#today li[data-status=cleared]", timeout=TIMEOUT)
    assert field.locator(".assignment").count() == 0
    # The figures picked up the finished job (the server's figures, asked again at most every 5 s).
    desk.wait_for_function("() => document.getElementById('fig-clear').textContent !== '–'", timeout=TIMEOUT)
    assert desk.inner_text("#fig-jobs") == "1"
    screenshot(desk, "dispatch-ui-desk-closed")
    screenshot(field, "dispatch-ui-field-cleared-phone")

    assignment = Assignment.objects.get(job_id=job_id, officer=officer)
    assert assignment.status == "cleared"
    assert assignment.received_at is not None
    assert None not in (assignment.accepted_at, assignment.en_route_at, assignment.on_scene_at, assignment.cleared_at)
    # Each step carried the phone's position: 300 m away on accepting, at the job on arrival.
    assert assignment.positions["accepted"]["lat"] == PHONE_FIX["latitude"]
    assert assignment.positions["on_scene"]["lat"] == JOB_LAT
    assert Job.objects.get(pk=job_id).status == "closed"


def test_phone_offline_recovers_and_gets_what_was_dispatched_meanwhile(daphne, officer, dispatcher, phone, desktop):
    field = open_phone(phone, daphne)
    go_on_duty(field)
    desk = open_desk(desktop, daphne)

    phone.set_offline(True)
    field.wait_for_selector("#connection[data-state=offline]", timeout=TIMEOUT)
    screenshot(field, "dispatch-ui-field-offline-phone")

    job_id = create_job_on_desk(desk, "故障车辆停在快车道")
    dispatch_from_desk(desk, job_id, officer)
    # Not received yet: the phone is offline.
    assert Assignment.objects.get(job_id=job_id).received_at is None
    assert field.locator(".assignment").count() == 0

    phone.set_offline(False)
    wait_online(field)
    field.wait_for_selector(".assignment[data-status=dispatched]", timeout=TIMEOUT)
    assert "故障车辆" in field.inner_text(".assignment")
    field.wait_for_selector("#banner:not([hidden])")
    # The replayed frame was acknowledged, so the desk sees "received".
    desk.wait_for_selector(f".job[data-job='{job_id}'] li[data-officer='{officer.id}'] [data-receipt=ok]", timeout=TIMEOUT)
    assert Assignment.objects.get(job_id=job_id).received_at is not None
    history = field.evaluate("window.luchangField.connectionHistory")
    assert "offline" in history and history[-1] == "online", history

    # The page holds up on a narrow 360 px phone: nothing sideways, big buttons.
    field.click("#banner-show")
    field.set_viewport_size({"width": 360, "height": 800})
    assert field.evaluate("document.documentElement.scrollWidth") <= 360
    heights = field.eval_on_selector_all(
        "button, a.btn, summary.btn",
        "els => els.filter(e => e.offsetParent).map(e => [e.textContent.trim(), e.getBoundingClientRect().height])",
    )
    assert heights
    assert all(height >= 48 for _text, height in heights), heights
    screenshot(field, "dispatch-ui-field-360-phone")


def on_duty_at(officer: Officer, lat: float, lng: float, *, fix_age: timedelta = timedelta(seconds=20)) -> None:
    in_thread(services.officer_set_duty, officer_id=officer.id, on_duty=True)
    in_thread(
        services.officer_record_position, officer_id=officer.id, lat=lat, lng=lng, accuracy=8, at=timezone.now() - fix_age
    )


def test_desk_flags_an_unreceived_dispatch_and_sends_someone_else(daphne, officer, other_officer, dispatcher, desktop):
    # 铁骑01 was sent 45 s ago and the phone never confirmed; 铁骑02 is busy
    # on another job nearby; 铁骑03 went off duty with a position 20 min old.
    on_duty_at(officer, JOB_LAT + 0.002, JOB_LNG)
    on_duty_at(other_officer, JOB_LAT - 0.004, JOB_LNG)
    third = Officer.objects.create(
        user=make_user("third_officer", group=OFFICER, full_name="赵敏"), badge_number="371503", call_sign="铁骑03"
    )
    on_duty_at(third, JOB_LAT + 0.01, JOB_LNG + 0.01, fix_age=timedelta(minutes=20))
    in_thread(services.officer_set_duty, officer_id=third.id, on_duty=False)
    elsewhere = in_thread(
        services.job_create, created_by=dispatcher, kind="congestion", summary="早高峰拥堵", lat=JOB_LAT - 0.01, lng=JOB_LNG
    )
    in_thread(services.job_dispatch, job_id=elsewhere.id, officer_ids=[other_officer.id], dispatcher=dispatcher)
    job = in_thread(
        services.job_create, created_by=dispatcher, kind="breakdown", priority=3, summary="货车抛锚", address="东昌路高架",
        lat=JOB_LAT, lng=JOB_LNG,
    )
    in_thread(services.job_dispatch, job_id=job.id, officer_ids=[officer.id], dispatcher=dispatcher)
    Assignment.objects.filter(job=job).update(dispatched_at=timezone.now() - timedelta(seconds=45))

    desk = open_desk(desktop, daphne)
    # A job created while the desk is offline shows up once it reconnects.
    desktop.set_offline(True)
    desk.wait_for_selector("#connection[data-state=offline]", timeout=TIMEOUT)
    late = in_thread(services.job_create, created_by=dispatcher, kind="hazard", summary="路面散落货物", lat=JOB_LAT, lng=JOB_LNG + 0.01)
    desktop.set_offline(False)
    wait_online(desk)
    desk.wait_for_selector(f".job[data-job='{late.id}']", timeout=TIMEOUT)
    desk.click(f".job[data-job='{late.id}'] [data-action=close]")

    card = f".job[data-job='{job.id}']"
    row = f"{card} li[data-officer='{officer.id}']"
    desk.wait_for_selector(f"{row} [data-receipt=alarm]", timeout=TIMEOUT)
    assert desk.get_attribute(f"{row} a[href^='tel:']", "href") == "tel:13800000001"
    desk.wait_for_selector(f"#closed li[data-job='{late.id}']", timeout=TIMEOUT)
    assert desk.inner_text("#fig-unreceived") == "1"
    # The map tells the three officers apart by shape and label, and greys the old fix.
    desk.wait_for_selector(".officer-marker.busy:has-text('铁骑02')", state="attached")
    stale = desk.inner_text(".officer-marker.stale")
    assert "铁骑03" in stale and "20" in stale
    assert desk.get_attribute(f"#officer-rows tr[data-officer='{third.id}']", "data-state") == "off_duty"
    screenshot(desk, "dispatch-ui-desk-unreceived")

    # Send someone else: the busy officer needs "force", and the 409 says why.
    desk.click(f"{row} .receipt button:has-text('改派他人')")
    busy_box = f"{card} [data-list=busy] input[data-officer='{other_officer.id}']"
    desk.wait_for_selector(busy_box, timeout=TIMEOUT)
    desk.check(busy_box)
    desk.click(f"{card} [data-action=dispatch]")
    error = desk.wait_for_selector(f"{card} .candidates .inline-error:visible", timeout=TIMEOUT)
    assert "铁骑02" in error.inner_text()
    assert not Assignment.objects.filter(job=job, officer=other_officer).exists()
    desk.check(f"{card} [data-role=force]")
    desk.click(f"{card} [data-action=dispatch]")
    desk.wait_for_selector(f"{card} li[data-officer='{other_officer.id}'][data-status=dispatched]", timeout=TIMEOUT)
    assert Assignment.objects.get(job=job, officer=other_officer).forced

    # Withdraw the officer whose phone never answered: the reason is filled in for the dispatcher.
    desk.click(f"{row} .receipt button:has-text('撤回')")
    assert desk.input_value(f"{row} .withdraw-form input[name=reason]") == "手机未收到"
    desk.click(f"{row} .withdraw-form [data-action=confirm-withdraw]")
    desk.wait_for_selector(f"{row}[data-status=withdrawn]", timeout=TIMEOUT)
    assert Assignment.objects.get(job=job, officer=officer).status == "withdrawn"

    # Cancelling needs a reason.
    desk.click(f"{card} [data-action=cancel]")
    desk.click(f"{card} .cancel-form button[type=submit]")
    assert desk.is_visible(f"{card} .cancel-form .inline-error")
    desk.fill(f"{card} .cancel-form input[name=reason]", "重复报警")
    desk.click(f"{card} .cancel-form button[type=submit]")
    desk.wait_for_selector(f"#closed li[data-job='{job.id}'][data-status=cancelled]", timeout=TIMEOUT)
    job.refresh_from_db()
    assert (job.status, job.cancel_reason) == ("cancelled", "重复报警")

    # Close the other job by hand.
    desk.click(f".job[data-job='{elsewhere.id}'] [data-action=close]")
    desk.wait_for_selector(f"#closed li[data-job='{elsewhere.id}'][data-status=closed]", timeout=TIMEOUT)
    assert Job.objects.get(pk=elsewhere.id).status == "closed"
    assert desk.inner_text("#board").strip() == "没有进行中的警情。"
    screenshot(desk, "dispatch-ui-desk-ended")


def test_desk_map_labels_at_one_spot_do_not_cover_each_other(daphne, officer, other_officer, dispatcher, desktop):
    # One officer on the job's spot, the other 90 m north, right where the job's
    # label stands above its stem (铁骑02 used to hide under ▲0002).
    on_duty_at(officer, JOB_LAT, JOB_LNG)
    on_duty_at(other_officer, JOB_LAT + 0.0008, JOB_LNG)
    job = in_thread(services.job_create, created_by=dispatcher, kind="hazard", summary="路面散落货物", lat=JOB_LAT, lng=JOB_LNG)

    desk = open_desk(desktop, daphne)
    pins = [
        f".job-marker[data-job='{job.id}'] .pin",
        f".officer-marker[data-officer='{officer.id}'] .pin",
        f".officer-marker[data-officer='{other_officer.id}'] .pin",
    ]
    for pin in pins:
        desk.wait_for_selector(pin, timeout=TIMEOUT)

    def boxes() -> list[dict[str, float]]:
        return [desk.locator(pin).bounding_box() for pin in pins]

    def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
        return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]

    # Labels are sorted out again after a zoom, when markers come closer together on screen.
    zoom = "window.luchangDispatch.maps.officers.getZoom()"
    for button, step in (("out", -1), ("out", -1)):
        placed = boxes()
        assert [(i, j) for i in range(3) for j in range(i + 1, 3) if overlap(placed[i], placed[j])] == []
        wanted = desk.evaluate(zoom) + step
        desk.click(f".leaflet-control-zoom-{button}")
        # The labels are sorted out again once the zoom animation has ended.
        desk.wait_for_selector(f"#officers-map[data-labels-zoom='{wanted}']", state="attached", timeout=TIMEOUT)
    placed = boxes()
    assert [(i, j) for i in range(3) for j in range(i + 1, 3) if overlap(placed[i], placed[j])] == []
    assert "铁骑02" in desk.inner_text(pins[2])
    screenshot(desk, "dispatch-ui-desk-labels-apart")


def test_position_sharing_rule_drops_bad_fixes_and_throttles(daphne, officer, phone):
    field = open_phone(phone, daphne)
    # The rule itself, run in the page's own module: at most every 15 s, or
    # sooner after 25 m of movement, never faster than every 3 s; >100 m dropped.
    verdicts = field.evaluate(
        """async () => {
          const { shouldSend } = await import("/static/fieldapp/js/position.js");
          const here = { lat: 36.4561, lng: 115.9855, accuracy: 10 };
          const sent = { ...here, sentAt: 0 };
          const north = (metres) => ({ ...here, lat: here.lat + metres / 111195 });
          return {
            first: shouldSend(here, null, 0),
            inaccurate: shouldSend({ ...here, accuracy: 150 }, null, 0),
            stillAfter10s: shouldSend(here, sent, 10000),
            stillAfter15s: shouldSend(here, sent, 15000),
            moved30mAfter5s: shouldSend(north(30), sent, 5000),
            moved10mAfter5s: shouldSend(north(10), sent, 5000),
            moved30mAfter1s: shouldSend(north(30), sent, 1000),
          };
        }"""
    )
    assert verdicts == {
        "first": True, "inaccurate": False, "stillAfter10s": False, "stillAfter15s": True,
        "moved30mAfter5s": True, "moved10mAfter5s": False, "moved30mAfter1s": False,
    }
    delays = field.evaluate(
        """async () => {
          const { backoffDelay } = await import("/static/common/js/ws.js");
          const low = [0, 1, 2, 3, 8].map((n) => backoffDelay(n, { random: () => 0 }));
          const high = [0, 1, 2, 3, 8].map((n) => backoffDelay(n, { random: () => 1 }));
          return { low, high };
        }"""
    )
    # Jitter spreads retries between 0.5 s and an exponential ceiling capped at 30 s.
    assert delays == {"low": [500] * 5, "high": [1000, 2000, 4000, 8000, 30000]}


def test_officer_declines_one_job_and_sees_another_cancelled(daphne, officer, dispatcher, phone, desktop):
    on_duty_at(officer, JOB_LAT, JOB_LNG)
    first = in_thread(services.job_create, created_by=dispatcher, kind="help", summary="老人迷路", lat=JOB_LAT, lng=JOB_LNG)
    in_thread(services.job_dispatch, job_id=first.id, officer_ids=[officer.id], dispatcher=dispatcher)
    field = open_phone(phone, daphne)
    desk = open_desk(desktop, daphne)

    # The dispatch waiting on the phone is announced when the page opens.
    field.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT)
    field.click("#banner-show")
    field.click(".assignment .decline-form summary")
    field.fill(".assignment .decline-form input[name=reason]", "正在处理另一起事故")
    field.click(".assignment .decline-form button[data-step=declined]")
    field.wait_for_selector(".assignment", state="detached", timeout=TIMEOUT)
    desk.wait_for_selector(f".job[data-job='{first.id}'] li[data-officer='{officer.id}'][data-status=declined]", timeout=TIMEOUT)
    assignment = Assignment.objects.get(job=first, officer=officer)
    assert (assignment.status, assignment.reason) == ("declined", "正在处理另一起事故")

    # Sent again through the desk, then the desk cancels: the phone is told at once.
    second = create_job_on_desk(desk, "行人受伤")
    dispatch_from_desk(desk, second, officer)
    field.wait_for_selector(".assignment[data-status=dispatched]:has-text('行人受伤')", timeout=TIMEOUT)
    field.click("#banner-show")
    desk.click(f".job[data-job='{second}'] [data-action=cancel]")
    desk.fill(f".job[data-job='{second}'] .cancel-form input[name=reason]", "已由其他单位处置")
    desk.click(f".job[data-job='{second}'] .cancel-form button[type=submit]")
    field.wait_for_selector("#banner:not([hidden]):has-text('任务已撤销')", timeout=TIMEOUT)
    field.wait_for_selector(".assignment", state="detached", timeout=TIMEOUT)
    assert field.inner_text("#banner-show") == "知道了"
    screenshot(field, "dispatch-ui-field-cancelled-phone")
    assert Assignment.objects.get(job_id=second, officer=officer).status == "withdrawn"


def test_desk_withdraws_one_of_two_officers_whose_phones_have_the_job(daphne, officer, other_officer, dispatcher, chromium, phone, desktop):
    field = open_phone(phone, daphne)
    go_on_duty(field)
    other_phone = chromium.new_context(**PHONE)
    try:
        other_field = open_phone(other_phone, daphne, "other_officer")
        go_on_duty(other_field)
        job = in_thread(services.job_create, created_by=dispatcher, kind="accident", summary="三车相撞", lat=JOB_LAT, lng=JOB_LNG)
        # Through the server, as the desk dispatches: its pushes reach the phones on any channel layer.
        api_post(daphne, dispatcher, f"/api/v1/jobs/{job.id}/dispatch/", {"officers": [officer.id, other_officer.id]})
        for page in (field, other_field):
            page.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT)
            page.click("#banner-show")
            page.wait_for_selector(".assignment[data-status=dispatched]:has-text('三车相撞')", timeout=TIMEOUT)
        # 铁骑01 has accepted; 铁骑02 has only received it.
        field.click(".assignment .step-btn[data-step=accepted]")

        desk = open_desk(desktop, daphne)
        card = f".job[data-job='{job.id}']"
        row = f"{card} li[data-officer='{officer.id}']"
        other_row = f"{card} li[data-officer='{other_officer.id}']"
        desk.wait_for_selector(f"{row}[data-status=accepted] [data-receipt=ok]", timeout=TIMEOUT)
        desk.wait_for_selector(f"{other_row}[data-status=dispatched] [data-receipt=ok]", timeout=TIMEOUT)
        # Every officer still on the job has a withdraw button of their own, big enough to hit.
        for each in (row, other_row):
            button = desk.locator(f"{each} > [data-action=withdraw]")
            assert button.inner_text() == "撤回"
            assert button.bounding_box()["height"] >= 24
        assert desk.get_attribute(f"{row} > [data-action=withdraw]", "aria-label") == "撤回 铁骑01 王军"

        # A received job opens the form with no reason filled in; the dispatcher gives one.
        desk.click(f"{row} > [data-action=withdraw]")
        assert desk.input_value(f"{row} .withdraw-form input[name=reason]") == ""
        desk.fill(f"{row} .withdraw-form input[name=reason]", "多派了一人")
        assert desk.inner_text(f"{row} .withdraw-form [data-action=confirm-withdraw]") == "撤回 铁骑01 王军"
        screenshot(desk, "dispatch-ui-desk-withdraw-form")
        desk.click(f"{row} .withdraw-form [data-action=confirm-withdraw]")

        desk.wait_for_selector(f"{row}[data-status=withdrawn]", timeout=TIMEOUT)
        assert "已撤回" in desk.inner_text(f"{row} .step")
        # An ended officer cannot be withdrawn again; the other stays on the job with their button.
        assert desk.locator(f"{row} [data-action=withdraw]").count() == 0
        assert desk.get_attribute(other_row, "data-status") == "dispatched"
        assert desk.locator(f"{other_row} > [data-action=withdraw]").count() == 1
        assert desk.locator(card).count() == 1
        screenshot(desk, "dispatch-ui-desk-withdrawn")

        # The withdrawn phone is told and drops the job; the other phone keeps it.
        field.wait_for_selector("#banner:not([hidden]):has-text('您已被撤出此任务')", timeout=TIMEOUT)
        field.wait_for_selector(".assignment", state="detached", timeout=TIMEOUT)
        screenshot(field, "dispatch-ui-field-withdrawn-phone")
        assert other_field.locator(".assignment[data-status=dispatched]:has-text('三车相撞')").count() == 1

        withdrawn = Assignment.objects.get(job=job, officer=officer)
        assert (withdrawn.status, withdrawn.reason) == ("withdrawn", "多派了一人")
        assert Assignment.objects.get(job=job, officer=other_officer).status == "dispatched"
        assert Job.objects.get(pk=job.id).status == "open"
    finally:
        other_phone.close()


def test_desk_in_a_utc_browser_shows_shanghai_clock_times(daphne, officer, dispatcher, chromium):
    on_duty_at(officer, JOB_LAT, JOB_LNG)
    job = in_thread(services.job_create, created_by=dispatcher, kind="breakdown", summary="货车抛锚", lat=JOB_LAT, lng=JOB_LNG)
    in_thread(services.job_dispatch, job_id=job.id, officer_ids=[officer.id], dispatcher=dispatcher)
    assignment = Assignment.objects.get(job=job)
    sms_at = assignment.dispatched_at + timedelta(seconds=20)
    voice_at = assignment.dispatched_at + timedelta(seconds=60)

    def record_attempts() -> None:
        NotificationAttempt.objects.create(assignment=assignment, step="sms", channel="log", at=sms_at, result="sent")
        NotificationAttempt.objects.create(assignment=assignment, step="voice", channel="log", at=voice_at, result="sent")

    in_thread(record_attempts)
    job.refresh_from_db()
    shanghai, utc = ZoneInfo("Asia/Shanghai"), ZoneInfo("UTC")
    created = job.reported_at or job.created_at

    context = chromium.new_context(**DESKTOP, timezone_id="UTC")
    try:
        desk = open_desk(context, daphne)
        card = f".job[data-job='{job.id}']"
        desk.wait_for_selector(card, timeout=TIMEOUT)
        # The browser's zone is UTC, and the desk still reads the brigade's clock.
        assert desk.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
        assert desk.inner_text(f"{card} .job-age") == created.astimezone(shanghai).strftime("%H:%M")
        assert desk.inner_text(f"{card} .job-age") != created.astimezone(utc).strftime("%H:%M")
        assert desk.inner_text(f"{card} .step small") == assignment.dispatched_at.astimezone(shanghai).strftime("%H:%M")
        desk.click(f"{card} [data-detail=timeline] summary")
        reported = desk.locator(f"{card} .timeline-list li[data-step=reported] time")
        assert reported.inner_text() == created.astimezone(shanghai).strftime("%H:%M")
        assert reported.get_attribute("title") == created.astimezone(shanghai).strftime("%H:%M:%S")

        # Each alert in words, step · channel · result and the time, and none breaks inside a word.
        attempts = desk.locator(f"{card} .notified .attempt")
        assert attempts.all_inner_texts() == [
            f"短信 · 日志 · 已发送 {sms_at.astimezone(shanghai):%H:%M}",
            f"电话 · 日志 · 已发送 {voice_at.astimezone(shanghai):%H:%M}",
        ]
        lines = desk.eval_on_selector_all(f"{card} .notified .attempt", "els => els.map(e => e.getClientRects().length)")
        assert lines == [1, 1]
        screenshot(desk, "dispatch-ui-desk-utc-browser")
    finally:
        context.close()


def test_phone_in_a_utc_browser_shows_shanghai_clock_times(daphne, officer, dispatcher, chromium):
    """The phone's clock times come from the same city clock as the desk's (static/common/js/ui.js),
    whatever zone the phone is set to: a job dispatched at 16:17 is not listed at 08:17."""
    on_duty_at(officer, JOB_LAT, JOB_LNG)
    job = in_thread(services.job_create, created_by=dispatcher, kind="hazard", summary="路面遗撒", lat=JOB_LAT, lng=JOB_LNG)
    in_thread(services.job_dispatch, job_id=job.id, officer_ids=[officer.id], dispatcher=dispatcher)
    dispatched = Assignment.objects.get(job=job).dispatched_at
    context = chromium.new_context(**PHONE, timezone_id="UTC")
    try:
        phone = open_phone(context, daphne)
        assert phone.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
        phone.wait_for_selector("#today .time", timeout=TIMEOUT)
        assert phone.inner_text("#today .time") == dispatched.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    finally:
        context.close()


def test_a_withdraw_or_cancel_the_server_refuses_keeps_its_form_and_says_why(daphne, officer, dispatcher, desktop):
    in_thread(services.officer_set_duty, officer_id=officer.id, on_duty=True)
    job = in_thread(services.job_create, created_by=dispatcher, kind="accident", summary="两车刮擦", lat=JOB_LAT, lng=JOB_LNG)
    in_thread(services.job_dispatch, job_id=job.id, officer_ids=[officer.id], dispatcher=dispatcher)
    desk = open_desk(desktop, daphne)
    card = f".job[data-job='{job.id}']"
    row = f"{card} li[data-officer='{officer.id}']"
    desk.wait_for_selector(f"{row}[data-status=dispatched]", timeout=TIMEOUT)
    # A reason longer than the server takes (set by a script, so maxlength does not hold it back).
    too_long = "理" * 201

    desk.click(f"{row} > [data-action=withdraw]")
    desk.locator(f"{row} .withdraw-form input[name=reason]").evaluate("(node, text) => { node.value = text; }", too_long)
    desk.click(f"{row} .withdraw-form [data-action=confirm-withdraw]")
    error = desk.wait_for_selector(f"{row} .withdraw-form .inline-error:visible", timeout=TIMEOUT)
    # The server's words, naming the field as the desk does.
    assert error.inner_text() == "出错了：原因：请确保这个字段不能超过 200 个字符。"
    assert desk.is_enabled(f"{row} .withdraw-form [data-action=confirm-withdraw]")

    desk.click(f"{card} [data-action=cancel]")
    desk.fill(f"{card} .cancel-form input[name=reason]", "x")
    desk.locator(f"{card} .cancel-form input[name=reason]").evaluate("(node, text) => { node.value = text; }", too_long)
    desk.click(f"{card} .cancel-form button[type=submit]")
    error = desk.wait_for_selector(f"{card} .cancel-form .inline-error:visible", timeout=TIMEOUT)
    assert error.inner_text() == "出错了：撤销原因：请确保这个字段不能超过 200 个字符。"

    assert Assignment.objects.get(job=job, officer=officer).status == "dispatched"
    assert Job.objects.get(pk=job.pk).status == "open"

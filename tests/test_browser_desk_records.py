"""The dispatcher's desk shows the field records live: jobs found on patrol,
quick clearances with their photos, rescues and each job's step timeline.

Everything the officer does goes through the real API (and the phone's
receipt through the real field socket), in a browser context logged in as
the officer; the desk only listens on /ws/dispatch/ and never reloads.
"""
from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from fieldapp import labels, records
from fieldapp.models import Assignment, Job
from tests.helpers import new_job
from tests.live import ARTIFACTS, DESKTOP, LiveServer, login
from tests.live import screenshot as full_page_screenshot

TIMEOUT = 15_000
# A crossroads in Liaocheng, where the demo city is.
LAT, LNG = 36.4561, 115.9855
# The desk's clock reads local time; the brigade works in China.
DESK_TIMEZONE = "Asia/Shanghai"


def test_every_timeline_step_has_a_name_on_the_desk() -> None:
    assert set(labels.timeline_labels()["steps"]) == set(records.TIMELINE_STEPS)


# --- helpers --------------------------------------------------------------

class Api:
    """The real API through a browser context's session (cookies and CSRF token), as the page would call it."""

    def __init__(self, context: Any, server: LiveServer) -> None:
        self.context = context
        self.server = server

    def _headers(self) -> dict[str, str]:
        token = next(cookie["value"] for cookie in self.context.cookies() if cookie["name"] == "csrftoken")
        return {"X-CSRFToken": token, "Referer": f"{self.server.url}/"}

    def _answer(self, response: Any, expected: int) -> Any:
        body = response.json() if response.body() else None
        assert response.status == expected, (response.status, body)
        return body

    def post(self, path: str, body: dict[str, Any] | None = None, *, expected: int = 200) -> Any:
        response = self.context.request.post(
            f"{self.server.url}/api/v1{path}", data=json.dumps(body or {}),
            headers={**self._headers(), "Content-Type": "application/json"},
        )
        return self._answer(response, expected)

    def patch(self, path: str, body: dict[str, Any], *, expected: int = 200) -> Any:
        response = self.context.request.patch(
            f"{self.server.url}/api/v1{path}", data=json.dumps(body),
            headers={**self._headers(), "Content-Type": "application/json"},
        )
        return self._answer(response, expected)

    def upload(self, path: str, fields: dict[str, Any], *, expected: int = 201) -> Any:
        response = self.context.request.post(f"{self.server.url}/api/v1{path}", multipart=fields, headers=self._headers())
        return self._answer(response, expected)


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (480, 360)) -> dict[str, Any]:
    """A small JPEG made with Pillow, as a multipart file."""
    image = Image.new("RGB", size, color)
    # A white band, so the thumbnail is visibly a picture and not a blank box.
    for x in range(size[0]):
        for y in range(size[1] // 3, size[1] // 3 + 24):
            image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def local_clock(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime("%H:%M")


@pytest.fixture
def desk_context(chromium):
    context = chromium.new_context(**DESKTOP, timezone_id=DESK_TIMEZONE)
    yield context
    context.close()


@pytest.fixture
def officer_context(chromium):
    context = chromium.new_context(timezone_id=DESK_TIMEZONE)
    yield context
    context.close()


@pytest.fixture
def other_officer_context(chromium):
    context = chromium.new_context(timezone_id=DESK_TIMEZONE)
    yield context
    context.close()


def open_desk(context: Any, server: LiveServer) -> Any:
    page = context.new_page()
    # Map tiles are an outside service; the test never depends on them.
    page.route("**/*.png", lambda route: route.fulfill(status=204) if "127.0.0.1" not in route.request.url else route.continue_())
    login(page, server, "dispatcher")
    assert page.url == f"{server.url}/dispatch/"
    page.wait_for_selector("#connection[data-state=online]", timeout=TIMEOUT)
    # Set once: if the page reloaded, it would be gone.
    page.evaluate("window.notReloaded = true")
    return page


def officer_api(context: Any, server: LiveServer, username: str = "officer") -> Api:
    page = context.new_page()
    login(page, server, username)
    # The login lands on /field/, whose socket would acknowledge frames: leave it, so the
    # test says when the phone receives (phone_socket).
    page.goto(f"{server.url}/healthz")
    api = Api(context, server)
    api.post("/me/duty/", {"on_duty": True})
    return api


def found_on_patrol(api: Api, kind: str, note: str) -> int:
    """The officer reports a job found on patrol at the test's spot; returns its id."""
    return api.post("/jobs/found/", {"kind": kind, "lat": LAT, "lng": LNG, "note": note}, expected=201)["job_id"]


def phone_socket(api: Api) -> Any:
    """The officer's phone on the field socket, acknowledging every frame as /field/ does (the receipt)."""
    page = api.context.new_page()
    page.goto(f"{api.server.url}/healthz")
    page.evaluate(
        """(url) => new Promise((resolve) => {
          const socket = new WebSocket(url);
          socket.onmessage = (event) => {
            const frame = JSON.parse(event.data);
            if (frame.type === "hello") socket.send(JSON.stringify({ type: "resume", after: frame.feed_seq }));
            if (frame.type === "resumed") resolve();
            if (typeof frame.seq === "number") socket.send(JSON.stringify({ type: "ack", seq: frame.seq }));
          };
          window.phoneSocket = socket;
        })""",
        f"{api.server.ws_url}/ws/field/",
    )
    return page


def card(job_id: int) -> str:
    return f".job[data-job='{job_id}']"


def open_detail(page: Any, scope: str, name: str) -> str:
    selector = f"{scope} details[data-detail={name}]"
    page.wait_for_selector(selector, timeout=TIMEOUT)
    if page.get_attribute(selector, "open") is None:
        page.click(f"{selector} > summary")
    page.wait_for_selector(f"{selector}[open]", timeout=TIMEOUT)
    return selector


def screenshot(page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    full_page_screenshot(page, name)


def assert_not_reloaded(page: Any) -> None:
    assert page.evaluate("window.notReloaded === true")


# --- tests ----------------------------------------------------------------

@pytest.mark.browser
def test_job_found_on_patrol_appears_on_the_desk_marked_without_a_reload(
    daphne, officer, other_officer, dispatcher, desk_context, officer_context, other_officer_context,
):
    desk = open_desk(desk_context, daphne)
    api = officer_api(officer_context, daphne)

    created = api.upload("/jobs/found/", {
        "kind": "accident", "lat": str(LAT), "lng": str(LNG), "accuracy": "12",
        "note": "两车剐蹭，占用内侧车道", "photo": jpeg((40, 90, 160)),
    })
    job_id = created["job_id"]

    badge = desk.wait_for_selector(f"{card(job_id)} [data-found-on-patrol]", timeout=TIMEOUT)
    # Said in words, for everyone (not a colour only).
    assert badge.inner_text().strip().endswith("巡逻发现")
    assert "两车剐蹭" in desk.inner_text(f"{card(job_id)} .job-summary")
    desk.wait_for_selector(f"{card(job_id)} li[data-officer='{officer.id}'][data-status=on_scene]", timeout=TIMEOUT)
    # The photo the officer took is on the card, from the private photo URL.
    detail = open_detail(desk, card(job_id), "records")
    thumb = desk.wait_for_selector(f"{detail} [data-record=job_photos] a.thumb img", timeout=TIMEOUT)
    desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb, timeout=TIMEOUT)
    # The dispatcher sends one more officer to it; the timeline names each officer's steps.
    second = officer_api(other_officer_context, daphne, "other_officer")
    second.post("/me/position/", {"lat": LAT + 0.002, "lng": LNG, "accuracy": 8})
    desk.click(f"{card(job_id)} [data-action=candidates]")
    desk.check(f"{card(job_id)} [data-list=candidates] input[data-officer='{other_officer.id}']", timeout=TIMEOUT)
    desk.click(f"{card(job_id)} [data-action=dispatch]")
    desk.wait_for_selector(f"{card(job_id)} .crew li[data-officer='{other_officer.id}'][data-status=dispatched]", timeout=TIMEOUT)
    timeline = open_detail(desk, card(job_id), "timeline")
    desk.wait_for_selector(f"{timeline} li[data-step=dispatched][data-step-officer='{other_officer.id}']", timeout=TIMEOUT)
    who = [(step.get_attribute("data-step"), step.locator(".tl-who").inner_text().strip())
           for step in desk.locator(f"{timeline} .timeline-list li").all()]
    assert who[0] == ("reported", "")
    assert ("on_scene", "铁骑01") in who and who[-1] == ("dispatched", "铁骑02")
    screenshot(desk, "desk-records-found-on-patrol")
    # A job the dispatcher created is not marked.
    other = Api(desk.context, daphne).post(
        "/jobs/", {"kind": "hazard", "summary": "路面散落货物", "lat": LAT, "lng": LNG + 0.01}, expected=201
    )
    desk.wait_for_selector(card(other["id"]), timeout=TIMEOUT)
    assert desk.locator(f"{card(other['id'])} [data-found-on-patrol]").count() == 0
    assert_not_reloaded(desk)
    assert Job.objects.get(pk=job_id).source == "officer"


@pytest.mark.browser
def test_quick_clearance_shows_outcome_photos_parties_times_and_the_timeline_live(daphne, officer, dispatcher, desk_context, officer_context):
    desk = open_desk(desk_context, daphne)
    dispatcher_api = Api(desk.context, daphne)
    api = officer_api(officer_context, daphne)
    phone_socket(api)

    job = dispatcher_api.post("/jobs/", {
        "kind": "accident", "priority": 2, "summary": "两车追尾，占用一条车道", "address": "东昌路与柳园路口",
        "lat": LAT, "lng": LNG,
    }, expected=201)
    job_id = job["id"]
    scope = card(job_id)
    sent = dispatcher_api.post(f"/jobs/{job_id}/dispatch/", {"officers": [officer.id]})
    (assignment,) = sent["created"]
    # The phone's receipt reaches the desk.
    desk.wait_for_selector(f"{scope} li[data-officer='{officer.id}'] [data-receipt=ok]", timeout=TIMEOUT)
    for step in ("accepted", "en_route", "on_scene"):
        api.post(f"/assignments/{assignment['id']}/advance/", {"to": step})
        # Each step shows in the timeline as it happens, not only in the crew line.
        desk.wait_for_selector(f"{scope} .timeline-list li[data-step={step}]", state="attached", timeout=TIMEOUT)

    # Three named photos first, then the rest of the record.
    photos_path = f"/jobs/{job_id}/quick-clearance/photos/"
    for slot, color in (("front_side", (180, 40, 40)), ("rear_side", (40, 140, 60)), ("impact", (200, 150, 20))):
        api.upload(photos_path, {"slot": slot, "image": jpeg(color)})
    desk.wait_for_selector(f"{scope} [data-record=quick_clearance] a.thumb[data-slot=impact]", state="attached", timeout=TIMEOUT)
    # Both at the tap, after arriving and before clearing (the timeline keeps vehicles before lanes on a tie).
    moved = lanes_open = timezone.now()
    api.patch(f"/jobs/{job_id}/quick-clearance/", {
        "vehicle_vs_vehicle": True, "property_damage_only": True, "vehicles_movable": True,
        "drivers_licensed_sober": True, "plates_and_insurance": True, "no_dangerous_goods": True,
        "agreement": "finding",
        "parties": [
            {"plate": "鲁P12345", "vehicle_type": "小型轿车", "insurer": "人保财险", "responsibility": "full"},
            {"plate": "鲁PA8765", "vehicle_type": "SUV", "insurer": "", "responsibility": "none"},
        ],
        "vehicles_moved_at": iso(moved), "lanes_open_at": iso(lanes_open), "tow_called": False,
        "notes": "后车未保持安全距离", "status": "complete",
    })

    record = f"{scope} [data-record=quick_clearance]"
    desk.wait_for_selector(f"{record}[data-outcome=quick]", state="attached", timeout=TIMEOUT)
    detail = open_detail(desk, scope, "records")
    assert "快处快撤" in desk.inner_text(f"{detail} > summary")
    assert desk.inner_text(f"{record} [data-outcome=quick]").strip() == "快处快撤"
    # The photos: three thumbnails, each named and loaded from the private URL.
    thumbs = desk.locator(f"{record} a.thumb:not([data-slot=extra])")
    assert [thumbs.nth(i).get_attribute("data-slot") for i in range(thumbs.count())] == ["front_side", "rear_side", "impact"]
    assert [text.strip() for text in thumbs.locator(".thumb-label").all_inner_texts()] == ["侧前方", "侧后方", "碰撞部位"]
    for index in range(3):
        desk.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbs.nth(index).locator("img").element_handle())
    # The parties, with their responsibility.
    rows = desk.locator(f"{record} table.parties tbody tr")
    assert rows.count() == 2
    assert [cell.strip() for cell in rows.nth(0).locator("td").all_inner_texts()] == ["鲁P12345", "小型轿车", "人保财险", "全部责任"]
    assert [cell.strip() for cell in rows.nth(1).locator("td").all_inner_texts()] == ["鲁PA8765", "SUV", "–", "无责任"]
    # The times, in local time.
    assert desk.inner_text(f"{record} [data-fact=vehicles_moved] dd").strip() == local_clock(moved)
    assert desk.inner_text(f"{record} [data-fact=lanes_open] dd").strip() == local_clock(lanes_open)
    assert desk.inner_text(f"{record} [data-fact=tow] dd").strip() == "未叫"
    assert "后车未保持安全距离" in desk.inner_text(f"{record} [data-fact=notes]")
    assert "已完成" in desk.inner_text(f"{record} .rec-by")

    # The record's detail stays open while the card is redrawn by live frames.
    api.upload(photos_path, {"slot": "extra", "image": jpeg((90, 90, 90))})
    desk.wait_for_selector(f"{record} a.thumb[data-slot=extra]", timeout=TIMEOUT)
    assert desk.get_attribute(detail, "open") is not None
    assert desk.inner_text(f"{record} a.thumb[data-slot=extra] .thumb-label").strip() == "照片 1"

    # The step timeline, in order, with the officer and local times.
    timeline = open_detail(desk, scope, "timeline")
    steps = desk.locator(f"{timeline} .timeline-list li")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == [
        "reported", "dispatched", "received", "accepted", "en_route", "on_scene", "vehicles_moved", "lanes_open",
    ]
    on_scene = desk.locator(f"{timeline} li[data-step=on_scene]")
    assert on_scene.locator(".tl-who").inner_text().strip() == "铁骑01"
    stored = Assignment.objects.get(pk=assignment["id"])
    assert on_scene.locator("time").inner_text().strip() == local_clock(stored.on_scene_at)
    assert desk.locator(f"{timeline} li[data-step=on_scene] .tl-step").inner_text().strip() == "到达现场"
    screenshot(desk, "desk-records-quick-clearance")

    # A click on a thumbnail opens the full image.
    thumbs.nth(2).click()
    viewer = desk.wait_for_selector("#photo-viewer[open]", timeout=TIMEOUT)
    assert "碰撞部位" in viewer.inner_text()
    full = desk.locator("#photo-viewer img")
    desk.wait_for_function("img => img.complete && img.naturalWidth === 480", arg=full.element_handle(), timeout=TIMEOUT)
    assert full.get_attribute("src").endswith("/image/")
    desk.screenshot(path=str(ARTIFACTS / "desk-records-photo-viewer.png"))
    desk.keyboard.press("Escape")
    desk.wait_for_selector("#photo-viewer", state="hidden", timeout=TIMEOUT)

    # Cleared by the only officer: the job closes, and its record and timeline stay readable under "ended today".
    api.post(f"/assignments/{assignment['id']}/advance/", {"to": "cleared"})
    ended = f"#closed li[data-job='{job_id}']"
    desk.wait_for_selector(f"{ended}[data-status=closed]", timeout=TIMEOUT)
    assert desk.locator(scope).count() == 0
    # Opened on the board, still open under "ended today".
    assert desk.locator(f"{ended} details[data-detail=timeline][open]").count() == 1
    timeline = open_detail(desk, ended, "timeline")
    steps = desk.locator(f"{timeline} .timeline-list li")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())][-4:] == [
        "vehicles_moved", "lanes_open", "cleared", "closed",
    ]
    assert desk.locator(f"{ended} [data-record=quick_clearance][data-outcome=quick]").count() == 1
    assert_not_reloaded(desk)
    screenshot(desk, "desk-records-ended")


@pytest.mark.browser
def test_ordinary_procedure_shows_the_failing_items(daphne, officer, dispatcher, desk_context, officer_context):
    desk = open_desk(desk_context, daphne)
    api = officer_api(officer_context, daphne)
    job_id = found_on_patrol(api, "accident", "三车相撞，有人受伤")
    desk.wait_for_selector(card(job_id), timeout=TIMEOUT)
    api.patch(f"/jobs/{job_id}/quick-clearance/", {
        "vehicle_vs_vehicle": True, "property_damage_only": False, "vehicles_movable": False,
        "status": "complete",
    })
    record = f"{card(job_id)} [data-record=quick_clearance][data-outcome=ordinary]"
    desk.wait_for_selector(record, state="attached", timeout=TIMEOUT)
    detail = open_detail(desk, card(job_id), "records")
    assert "一般程序" in desk.inner_text(f"{detail} > summary")
    failing = desk.locator(f"{record} .rec-failing li")
    assert [failing.nth(i).get_attribute("data-item") for i in range(failing.count())] == [
        "property_damage_only", "vehicles_movable",
    ]
    assert "仅财产损失，无人员伤亡" in desk.inner_text(f"{record} .rec-failing")
    # The ordinary procedure needs no photos on the spot: nothing is said to be missing.
    assert desk.locator(f"{record} .rec-missing").count() == 0
    screenshot(desk, "desk-records-ordinary")


@pytest.mark.browser
def test_rescue_shows_its_details(daphne, officer, dispatcher, desk_context, officer_context):
    desk = open_desk(desk_context, daphne)
    api = officer_api(officer_context, daphne)
    job_id = found_on_patrol(api, "help", "老人迷路，找不到家")
    desk.wait_for_selector(f"{card(job_id)} [data-found-on-patrol]", timeout=TIMEOUT)
    started = timezone.now() - timedelta(minutes=25)
    ended = timezone.now()
    api.upload(f"/jobs/{job_id}/rescue/photos/", {"image": jpeg((90, 90, 200))})
    api.patch(f"/jobs/{job_id}/rescue/", {
        "kind": "lost_elder", "people_helped": 1, "handed_to_kind": "family", "handed_to_name": "张秀英（女儿）",
        "handed_to_phone": "13912345678", "outcome": "已交家属接回", "started_at": iso(started), "ended_at": iso(ended),
        "notes": "老人有轻度认知障碍，已提醒家属", "status": "complete",
    })
    record = f"{card(job_id)} [data-record=rescue]"
    desk.wait_for_selector(f"{record} [data-fact=outcome]", state="attached", timeout=TIMEOUT)
    detail = open_detail(desk, card(job_id), "records")
    summary = desk.inner_text(f"{detail} > summary")
    assert "救助记录" in summary and "走失老人" in summary
    fact = lambda name: desk.inner_text(f"{record} [data-fact={name}] dd").strip()
    assert fact("kind") == "走失老人"
    assert fact("people_helped") == "1"
    assert fact("handed_to") == "家属：张秀英（女儿） 13912345678"
    assert fact("outcome") == "已交家属接回"
    assert fact("started") == local_clock(started)
    assert fact("ended") == local_clock(ended)
    assert "轻度认知障碍" in fact("notes")
    assert desk.locator(f"{record} a.thumb").count() == 1
    assert "已完成" in desk.inner_text(f"{record} .rec-by")
    assert_not_reloaded(desk)
    screenshot(desk, "desk-records-rescue")


@pytest.mark.browser
def test_ended_today_draws_the_latest_twenty_and_the_rest_on_request(daphne, dispatcher, desk_context):
    now = timezone.now()
    jobs = [new_job(dispatcher, summary=f"已结束{index}") for index in range(28)]
    for index, job in enumerate(jobs[:25]):
        Job.objects.filter(pk=job.pk).update(status="closed", closed_at=now - timedelta(minutes=index))
    # Ended yesterday (entered today by a late import, say): not under "ended today".
    yesterday = now - timedelta(days=1)
    for job in jobs[25:]:
        Job.objects.filter(pk=job.pk).update(status="closed", closed_at=yesterday)

    desk = open_desk(desk_context, daphne)
    desk.wait_for_selector(f"#closed li[data-job='{jobs[0].pk}']", timeout=TIMEOUT)
    drawn = desk.locator("#closed li[data-job]")
    assert drawn.count() == 20
    assert drawn.first.get_attribute("data-job") == str(jobs[0].pk)  # the latest ended first
    button = desk.locator("#closed button.show-all")
    assert button.inner_text().strip() == "显示全部 25 条"
    button.click()
    desk.wait_for_function("() => document.querySelectorAll('#closed li[data-job]').length === 25", timeout=TIMEOUT)
    assert desk.locator("#closed button.show-all").count() == 0
    for job in jobs[25:]:
        assert desk.locator(f"#closed li[data-job='{job.pk}']").count() == 0
    assert_not_reloaded(desk)

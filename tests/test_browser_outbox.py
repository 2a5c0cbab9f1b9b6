"""The officer's outbox in a real browser at phone size: taps made offline are
kept on the phone, survive a reload, and reach the server exactly once, with
the time of the tap, when the network is back."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from fieldapp import services
from fieldapp.models import Assignment, DutyChange, Job, JobEvent, Officer, QuickClearance, RecordPhoto, Rescue
from tests.live import ARTIFACTS, LiveServer, in_thread, login
from tests.live import screenshot as full_page_screenshot

pytestmark = pytest.mark.browser

JOB_LAT, JOB_LNG = 36.4561, 115.9855
PHONE_FIX = {"latitude": 36.4570, "longitude": 115.9855, "accuracy": 10}
TIMEOUT = 15_000
# A short retry schedule, so a test never waits out the real 30 s ceiling.
FAST_RETRIES = {"FIELD_OUTBOX_RETRY_BASE_MS": "100", "FIELD_OUTBOX_RETRY_CAP_MS": "800", "FIELD_OUTBOX_POLL_MS": "1000"}


@pytest.fixture
def server(live_server_factory) -> LiveServer:
    return live_server_factory(env=FAST_RETRIES)


def screenshot(page: Any, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    full_page_screenshot(page, name)


def job_sent_to(officer: Officer, dispatcher: Any, *, kind: str = "congestion", summary: str = "东昌路拥堵") -> Assignment:
    in_thread(services.officer_set_duty, officer_id=officer.id, on_duty=True)
    in_thread(services.officer_record_position, officer_id=officer.id, lat=JOB_LAT, lng=JOB_LNG, accuracy=8, at=None)
    job = in_thread(services.job_create, created_by=dispatcher, kind=kind, summary=summary, lat=JOB_LAT, lng=JOB_LNG)
    in_thread(services.job_dispatch, job_id=job.id, officer_ids=[officer.id], dispatcher=dispatcher)
    return Assignment.objects.get(job=job, officer=officer)


def open_field(context: Any, server: LiveServer) -> Any:
    context.grant_permissions(["geolocation", "notifications"], origin=server.url)
    context.set_geolocation(PHONE_FIX)
    page = context.new_page()
    login(page, server, "officer")
    assert page.url == f"{server.url}/field/"
    # Once the service worker controls the page, a second load puts the page
    # and its modules in its cache: that is what a phone opens offline.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=TIMEOUT)
    wait_online(page)
    if page.is_visible("#alerts-later"):
        page.click("#alerts-later")
    return page


def wait_online(page: Any) -> None:
    page.wait_for_selector("#connection[data-state=online]", timeout=TIMEOUT)


def go_offline(context: Any, page: Any) -> None:
    context.set_offline(True)
    page.wait_for_selector("#connection[data-state=offline]", timeout=TIMEOUT)


def tap_step(page: Any, assignment: Assignment, step: str) -> None:
    button = page.locator(f".assignment[data-assignment='{assignment.id}'] .step-btn[data-step={step}]")
    # The button ignores taps for a moment after the step before it (gloves).
    page.wait_for_function(
        "(selector) => { const b = document.querySelector(selector); return b && !b.disabled; }",
        arg=f".assignment[data-assignment='{assignment.id}'] .step-btn[data-step={step}]",
        timeout=TIMEOUT,
    )
    button.tap()


def outbox_items(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(
        "() => window.luchangField.outbox.items.map(({ id, kind, key, device_time, status, reason, meta }) =>"
        " ({ id, kind, key, device_time, status, reason, meta }))"
    )


def open_dispatched_card(phone: Any, server: LiveServer, assignment: Assignment) -> tuple[Any, str]:
    """The officer's page, once the card of the assignment shows it dispatched; returns the page and the card's selector."""
    field = open_field(phone, server)
    card = f".assignment[data-assignment='{assignment.id}']"
    field.wait_for_selector(f"{card}[data-status=dispatched]", timeout=TIMEOUT)
    return field, card


def step_events(assignment: Assignment) -> list[JobEvent]:
    return list(JobEvent.objects.filter(assignment=assignment, kind=JobEvent.Kind.STEP).order_by("id"))


def test_steps_tapped_offline_survive_a_reload_and_reach_the_server_once(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher)
    field, card = open_dispatched_card(phone, server, assignment)

    go_offline(phone, field)
    tap_step(field, assignment, "accepted")
    # The card moves on at once and says the step is kept on the phone.
    field.wait_for_selector(f"{card}[data-status=accepted][data-pending]", timeout=TIMEOUT)
    tap_step(field, assignment, "en_route")
    field.wait_for_selector(f"{card}[data-status=en_route][data-pending]", timeout=TIMEOUT)
    assert field.inner_text("#outbox-count") == "待发送 2 项"
    assert "已记录，待发送" in field.inner_text(card)
    # The connection state stays in view beside the count.
    connection = field.locator("#connection").bounding_box()
    count = field.locator("#outbox-count").bounding_box()
    assert connection["y"] <= count["y"] and count["y"] + count["height"] <= connection["y"] + connection["height"]
    screenshot(field, "outbox-offline-two-steps-phone")
    queued = outbox_items(field)
    assert [(item["kind"], item["meta"]["to"], item["status"]) for item in queued] == [
        ("step", "accepted", "pending"), ("step", "en_route", "pending"),
    ]

    # A reload in the tunnel: the page comes back and so do its items.
    field.reload()
    field.wait_for_selector("#outbox-count:not([hidden])", timeout=TIMEOUT)
    assert field.inner_text("#outbox-count") == "待发送 2 项"
    field.wait_for_selector(f"{card}[data-status=en_route][data-pending]", timeout=TIMEOUT)
    assert [item["key"] for item in outbox_items(field)] == [item["key"] for item in queued]
    # Already accepted on this phone: the reload does not announce the job again.
    assert field.is_hidden("#banner")
    screenshot(field, "outbox-offline-after-reload-phone")
    assert Assignment.objects.get(pk=assignment.pk).status == "dispatched"

    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    field.wait_for_selector(f"{card}[data-status=en_route]:not([data-pending])", timeout=TIMEOUT)
    assert "已记录，待发送" not in field.inner_text(card)
    assert field.evaluate("window.luchangField.outbox.items.length") == 0
    screenshot(field, "outbox-sent-phone")

    assignment.refresh_from_db()
    assert assignment.status == "en_route"
    events = step_events(assignment)
    assert [(event.data["from"], event.data["to"]) for event in events] == [("dispatched", "accepted"), ("accepted", "en_route")]
    # The device time of each tap is kept beside the time the server got it.
    assert [event.device_at for event in events] == [datetime.fromisoformat(item["device_time"]) for item in queued]
    assert all(event.device_at <= event.at for event in events)


def test_a_step_refused_meanwhile_is_shown_with_its_reason_and_can_be_dismissed(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher, summary="路口信号灯故障")
    field, card = open_dispatched_card(phone, server, assignment)

    go_offline(phone, field)
    tap_step(field, assignment, "accepted")
    field.wait_for_selector(f"{card}[data-pending]", timeout=TIMEOUT)
    # While the phone is in the tunnel, the desk cancels the job.
    in_thread(services.job_cancel, job_id=assignment.job_id, by=dispatcher, reason="已由其他单位处置")

    phone.set_offline(False)
    field.wait_for_selector("#outbox-refused:not([hidden]) .refused-item", timeout=TIMEOUT)
    # Once the phone has read the job again, the refusal says why: cancelled, with the dispatcher's reason.
    field.wait_for_function(
        "() => document.querySelector('#outbox-refused .refused-reason').textContent === '任务已撤销：已由其他单位处置'",
        timeout=TIMEOUT,
    )
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    field.wait_for_selector(card, state="detached", timeout=TIMEOUT)
    screenshot(field, "outbox-refused-phone")
    box = field.locator("#outbox-refused [data-action=dismiss]").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    assert step_events(assignment) == []

    # Kept until the officer has seen it, across a reload too.
    field.reload()
    field.wait_for_selector("#outbox-refused:not([hidden]) .refused-item", timeout=TIMEOUT)
    field.locator("#outbox-refused [data-action=dismiss]").tap()
    field.wait_for_selector("#outbox-refused", state="hidden", timeout=TIMEOUT)
    assert field.evaluate("window.luchangField.outbox.items.length") == 0


def test_server_errors_are_retried_until_the_step_is_sent(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher, summary="货车抛锚")
    field, card = open_dispatched_card(phone, server, assignment)
    answers: list[int] = []

    def flaky(route: Any) -> None:
        # Eight failures in a row, more than any fixed retry count would allow.
        if len(answers) < 8:
            answers.append(503 if len(answers) % 2 else 0)
            if answers[-1]:
                route.fulfill(status=503, json={"detail": "busy", "code": "unavailable"})
            else:
                route.abort("connectionreset")
            return
        answers.append(200)
        route.continue_()

    field.route(f"**/api/v1/assignments/{assignment.id}/advance/", flaky)
    tap_step(field, assignment, "accepted")
    field.wait_for_selector(f"{card}[data-status=accepted]:not([data-pending])", timeout=TIMEOUT)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    assert answers[-1] == 200 and len(answers) == 9
    assert len(step_events(assignment)) == 1


def camera_photo(path: Path) -> Path:
    """A phone-camera-sized JPEG (4000 × 3000)."""
    from PIL import Image

    Image.new("RGB", (4000, 3000), (180, 40, 40)).save(path, "JPEG", quality=90)
    return path


def test_a_job_found_on_patrol_offline_is_created_once_with_its_photo_made_smaller(
    server, officer, dispatcher, phone, tmp_path
):
    in_thread(services.officer_set_duty, officer_id=officer.id, on_duty=True)
    field = open_field(phone, server)
    field.wait_for_selector("#found:not([hidden]) .found-open", timeout=TIMEOUT)
    field.wait_for_function("() => window.luchangField.positions.lastFix !== null", timeout=TIMEOUT)

    go_offline(phone, field)
    field.locator(".found-open").tap()
    field.locator(".found-kind[data-kind=accident]").tap()
    field.fill("#found textarea[name=note]", "两车刮擦，占用一条车道")
    field.set_input_files("#found .found-photo-input", str(camera_photo(tmp_path / "IMG_0001.jpg")))
    field.wait_for_selector("#found .found-submit:not([disabled])", timeout=TIMEOUT)
    field.locator("#found").screenshot(path=str(ARTIFACTS / "outbox-found-form-phone.png"))
    field.locator("#found .found-submit").tap()
    field.wait_for_selector(".found-pending[data-pending]:has-text('两车刮擦')", timeout=TIMEOUT)
    assert field.inner_text("#outbox-count") == "待发送 1 项"
    (queued,) = outbox_items(field)
    assert queued["kind"] == "found"
    size = field.evaluate("window.luchangField.outbox.items[0].form.files[0].blob.size")
    assert size < 1_000_000
    screenshot(field, "outbox-found-offline-phone")

    field.reload()
    field.wait_for_selector(".found-pending:has-text('两车刮擦')", timeout=TIMEOUT)
    phone.set_offline(False)
    field.wait_for_selector(".found-pending", state="detached", timeout=TIMEOUT)
    field.wait_for_selector(".assignment[data-status=on_scene]:has-text('两车刮擦')", timeout=TIMEOUT)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)

    (job,) = Job.objects.filter(source=Job.Source.OFFICER)
    assert job.kind == "accident" and job.description == "两车刮擦，占用一条车道"
    assert Assignment.objects.get(job=job).officer_id == officer.id
    created = JobEvent.objects.get(job=job, kind=JobEvent.Kind.JOB_CREATED)
    assert created.device_at == datetime.fromisoformat(queued["device_time"])
    (photo,) = RecordPhoto.objects.filter(job=job)
    # Made smaller on the phone: about 1600 px on the long side.
    assert max(photo.width, photo.height) == 1600 and min(photo.width, photo.height) == 1200


def test_the_page_reads_me_once_on_load(server, officer, phone):
    in_thread(services.officer_set_duty, officer_id=officer.id, on_duty=True)
    page = phone.new_page()
    login(page, server, "officer")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    resumed: list[str] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda frame: resumed.append(frame) if '"resumed"' in str(frame) else None
    ))
    page.reload()
    wait_online(page)
    page.wait_for_function("() => window.luchangField.state.opens >= 1 && !window.luchangField.state.replaying", timeout=TIMEOUT)
    page.wait_for_load_state("networkidle")
    assert resumed, "the feed answered resume"
    # Once for the page; a socket that had to reconnect on a busy machine reads it once more per reconnect.
    opens = page.evaluate("window.luchangField.state.opens")
    assert sum(1 for url in requests if url.endswith("/api/v1/me/")) == opens


def test_a_quick_clearance_with_three_photos_filled_in_offline_reaches_the_server_in_order(
    server, officer, dispatcher, phone, tmp_path
):
    assignment = job_sent_to(officer, dispatcher, kind="accident", summary="两车追尾")
    field, card = open_dispatched_card(phone, server, assignment)

    go_offline(phone, field)
    for step in ("accepted", "en_route", "on_scene"):
        tap_step(field, assignment, step)
        field.wait_for_selector(f"{card}[data-status={step}][data-pending]", timeout=TIMEOUT)
    # "处置完毕" on a crash opens the record instead of ending the job.
    tap_step(field, assignment, "cleared")
    form = f"{card} .qc-form"
    field.wait_for_selector(form, timeout=TIMEOUT)
    assert Assignment.objects.get(pk=assignment.pk).status == "dispatched"
    for answer in field.locator(f"{form} .qc-checklist .qc-answer[data-answer=true]").all():
        answer.tap()
    photo = camera_photo(tmp_path / "crash.jpg")
    for slot in ("front_side", "rear_side", "impact"):
        field.set_input_files(f"{form} .qc-photo-input[data-slot={slot}]", str(photo))
        field.wait_for_selector(f"{form} .qc-photo[data-slot={slot}][data-taken]", timeout=TIMEOUT)
    for index, plate in enumerate(["鲁P12345", "鲁P67890"]):
        field.fill(f"{form} .qc-party[data-party='{index}'] [name=plate]", plate)
        field.fill(f"{form} .qc-party[data-party='{index}'] [name=vehicle_type]", "小型轿车")
    field.locator(f"{form} [data-agreement=agreed]").tap()
    field.locator(f"{form} [data-time=vehicles_moved_at]").tap()
    field.locator(f"{form} [data-time=lanes_open_at]").tap()
    field.locator(f"{form} .qc-tow .qc-answer[data-answer=false]").tap()
    field.locator(f"{form} .qc-complete").screenshot(path=str(ARTIFACTS / "outbox-quick-clearance-button-phone.png"))
    screenshot(field, "outbox-quick-clearance-form-phone")
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(f"{card}[data-status=cleared][data-pending]", timeout=TIMEOUT)
    kinds = [item["kind"] for item in outbox_items(field)]
    assert kinds == ["step", "step", "step", "photo", "photo", "photo", "record", "step"]
    assert field.inner_text("#outbox-count") == "待发送 8 项"

    field.reload()
    field.wait_for_selector("#outbox-count:not([hidden])", timeout=TIMEOUT)
    assert field.inner_text("#outbox-count") == "待发送 8 项"
    queued = outbox_items(field)

    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    assert field.is_hidden("#outbox-refused")
    field.wait_for_selector(card, state="detached", timeout=TIMEOUT)

    assignment.refresh_from_db()
    assert assignment.status == "cleared"
    record = QuickClearance.objects.get(job_id=assignment.job_id)
    assert (record.status, record.outcome, record.agreement, record.tow_called) == ("complete", "quick", "agreed", False)
    assert [party.plate for party in record.parties.all()] == ["鲁P12345", "鲁P67890"]
    assert record.vehicles_moved_at <= record.lanes_open_at
    assert record.device_time == datetime.fromisoformat(queued[6]["device_time"])
    photos = RecordPhoto.objects.filter(job_id=assignment.job_id).order_by("id")
    assert [photo.slot for photo in photos] == ["front_side", "rear_side", "impact"]
    assert [photo.device_time for photo in photos] == [datetime.fromisoformat(item["device_time"]) for item in queued[3:6]]
    assert all(max(photo.width, photo.height) == 1600 for photo in photos)
    assert len(step_events(assignment)) == 4


def test_what_each_answer_means_for_an_item(server, officer, phone):
    page = open_field(phone, server)
    outcomes = page.evaluate(
        """async () => {
          const { outcomeOf, isoWithOffset } = await import("/static/fieldapp/js/outbox.js");
          const answers = [[200, {}], [201, {}], [400, {}], [403, {}], [404, {}], [409, { code: "assignment_ended" }],
            [422, {}], [409, { code: "idempotency_in_progress" }], [401, {}], [408, {}], [429, {}], [500, {}], [503, {}]];
          return {
            outcomes: answers.map(([status, data]) => outcomeOf(status, data)),
            iso: isoWithOffset(new Date(2026, 11, 1, 18, 5, 3, 7)),
            offset: -new Date(2026, 11, 1).getTimezoneOffset(),
          };
        }"""
    )
    assert outcomes["outcomes"] == [
        "sent", "sent", "refused", "refused", "refused", "refused", "refused", "retry", "retry", "retry", "retry",
        "retry", "retry",
    ]
    # The phone's own clock, with its offset: the record shows the officer's local time.
    parsed = datetime.fromisoformat(outcomes["iso"])
    assert outcomes["iso"].startswith("2026-12-01T18:05:03.007")
    assert parsed.utcoffset().total_seconds() == outcomes["offset"] * 60


def test_first_load_does_not_shift_the_job_down(server, officer, dispatcher, phone):
    job_sent_to(officer, dispatcher)
    page = phone.new_page()
    # Measure from the very first paint of /field/, with the alerts question still to be asked.
    page.add_init_script(
        """window.__shifts = [];
        window.__shiftObserver = new PerformanceObserver((list) => window.__shifts.push(...list.getEntries()));
        window.__shiftObserver.observe({ type: "layout-shift", buffered: true });"""
    )
    login(page, server, "officer")
    # Opened afresh, as from the home screen: no tap just before that would excuse a shift. On a
    # slow network /me/ answers after the first paint: hold it until the page has drawn "Loading…".
    held: list[Any] = []
    page.route("**/api/v1/me/", lambda route: held.append(route))
    page.goto(f"{server.url}/field/")
    page.wait_for_selector("#current .empty", timeout=TIMEOUT)
    page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))")
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/me/")
    page.wait_for_selector(".assignment[data-status=dispatched]", timeout=TIMEOUT)
    # The new-job banner and the alerts question both came up after the first paint.
    page.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT)
    page.wait_for_selector("#alerts-ask:not([hidden])", timeout=TIMEOUT)
    page.wait_for_load_state("networkidle")
    # Shifts are reported once the frames that show them are drawn: wait for two.
    shift = page.evaluate(
        """async () => {
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          // Every shift counts: nobody touched this page (Chromium marks the first 500 ms after a
          // navigation as "recent input", which would hide the very shifts this test is about).
          return [...window.__shifts, ...window.__shiftObserver.takeRecords()].reduce((sum, entry) => sum + entry.value, 0);
        }"""
    )
    assert shift < 0.02, shift
    screenshot(page, "outbox-first-load-banner-phone")


def test_a_minute_offline_drops_nothing(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher, summary="隧道内车辆故障")
    phone.clock.install()
    field, card = open_dispatched_card(phone, server, assignment)

    go_offline(phone, field)
    tap_step(field, assignment, "accepted")
    field.wait_for_selector(f"{card}[data-pending]", timeout=TIMEOUT)
    # Ninety seconds in the tunnel, by the page's clock: every timer of the page runs, none gives up.
    field.clock.run_for(90_000)
    assert [item["status"] for item in outbox_items(field)] == ["pending"]
    assert field.inner_text("#outbox-count") == "待发送 1 项"

    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    assert Assignment.objects.get(pk=assignment.pk).status == "accepted"
    assert len(step_events(assignment)) == 1


def test_an_ended_session_keeps_the_items_and_says_to_log_in(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher, summary="护栏损坏")
    field, card = open_dispatched_card(phone, server, assignment)
    logged_out = {"answers": 0, "over": False}

    def session_ended(route: Any) -> None:
        if logged_out["over"]:
            route.continue_()
            return
        logged_out["answers"] += 1
        route.fulfill(status=401, json={"detail": "身份认证信息未提供。", "code": "not_authenticated"})

    field.route(f"**/api/v1/assignments/{assignment.id}/advance/", session_ended)
    tap_step(field, assignment, "accepted")
    field.wait_for_selector("#outbox-count:has-text('请重新登录后发送')", timeout=TIMEOUT)
    field.wait_for_function("() => window.luchangField.outbox.items[0].attempts >= 3", timeout=TIMEOUT)
    assert [item["status"] for item in outbox_items(field)] == ["pending"]
    # Logged in again: the same item goes out, once.
    logged_out["over"] = True
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    assert len(step_events(assignment)) == 1


def test_a_rescue_record_filled_in_offline_is_saved_once(server, officer, dispatcher, phone, tmp_path):
    assignment = job_sent_to(officer, dispatcher, kind="help", summary="老人突发不适倒在路边")
    field, card = open_dispatched_card(phone, server, assignment)
    tap_step(field, assignment, "accepted")
    field.wait_for_selector(f"{card}[data-status=accepted]:not([data-pending])", timeout=TIMEOUT)

    go_offline(phone, field)
    field.locator(f"{card} .rescue-open").tap()
    form = f"{card} .rescue-form"
    field.locator(f"{form} [data-choice=kind] [data-value=escort_illness]").tap()
    field.fill(f"{form} [name=people_helped]", "1")
    field.locator(f"{form} [data-choice=handed_to_kind] [data-value=hospital]").tap()
    field.fill(f"{form} [name=handed_to_name]", "市人民医院急诊科")
    field.fill(f"{form} [name=outcome]", "已护送至医院急诊")
    field.locator(f"{form} [data-time=started_at]").tap()
    field.set_input_files(f"{form} .qc-photo-input", str(camera_photo(tmp_path / "scene.jpg")))
    field.wait_for_function("() => window.luchangField.outbox.items.some((item) => item.kind === 'photo')", timeout=TIMEOUT)
    field.locator(f"{form} [data-time=ended_at]").tap()
    screenshot(field, "outbox-rescue-form-phone")
    field.locator(f"{form} .rescue-save").tap()
    field.wait_for_selector("#outbox-count:has-text('待发送 2 项')", timeout=TIMEOUT)

    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    assert field.is_hidden("#outbox-refused")
    rescue = Rescue.objects.get(job_id=assignment.job_id)
    assert (rescue.status, rescue.kind, rescue.people_helped, rescue.handed_to_kind) == (
        "complete", "escort_illness", 1, "hospital",
    )
    assert rescue.handed_to_name == "市人民医院急诊科" and rescue.started_at <= rescue.ended_at
    assert RecordPhoto.objects.filter(job_id=assignment.job_id).count() == 1


def test_going_on_duty_offline_is_sent_with_the_time_of_the_tap(server, officer, phone):
    field = open_field(phone, server)
    field.wait_for_selector("#duty[aria-checked=false]:enabled", timeout=TIMEOUT)
    go_offline(phone, field)
    field.locator("#duty").tap()
    # The switch flips at once and says the change waits to be sent.
    field.wait_for_selector("#duty[aria-checked=true][data-pending]", timeout=TIMEOUT)
    assert field.inner_text("#duty-hint") == "已记录，待发送"
    (queued,) = outbox_items(field)

    phone.set_offline(False)
    field.wait_for_selector("#duty[aria-checked=true]:not([data-pending])", timeout=TIMEOUT)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    officer.refresh_from_db()
    assert officer.on_duty
    change = DutyChange.objects.get(officer=officer, on_duty=True)
    assert change.device_at == datetime.fromisoformat(queued["device_time"])
    # Sharing the position starts once the server has the officer on duty.
    field.wait_for_selector("#position-status[data-state=sent]", timeout=TIMEOUT)


def test_going_off_duty_with_a_job_open_is_refused_and_the_switch_comes_back(server, officer, dispatcher, phone):
    job_sent_to(officer, dispatcher, summary="信号灯故障")
    field = open_field(phone, server)
    field.wait_for_selector("#duty[aria-checked=true]:enabled", timeout=TIMEOUT)
    # The new-job banner is over the switch until it is answered.
    field.locator("#banner-show").tap()
    go_offline(phone, field)
    field.locator("#duty").tap()
    field.wait_for_selector("#duty[aria-checked=false][data-pending]", timeout=TIMEOUT)

    phone.set_offline(False)
    refused = field.wait_for_selector("#outbox-refused:not([hidden]) .refused-item[data-kind=duty]", timeout=TIMEOUT)
    assert "离岗" in refused.inner_text() and "请先完成或拒绝当前任务" in refused.inner_text()
    field.wait_for_selector("#duty[aria-checked=true]:not([data-pending])", timeout=TIMEOUT)
    officer.refresh_from_db()
    assert officer.on_duty

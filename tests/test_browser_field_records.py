"""The officer's quick-clearance record and a job cancelled meanwhile, in a real browser at phone size.

A record the server would refuse is never queued: the phone checks the
server's rules first (fieldapp/records.py, passed in the page config), keeps
the form open and marks each missing item beside it. A job the dispatcher
cancelled while the phone was offline is told as cancelled, with the reason.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from fieldapp import records, services
from fieldapp.models import Assignment, QuickClearance, RecordPhoto
from tests.live import ARTIFACTS, LiveServer, api_post, in_thread
from tests.test_browser_outbox import (
    FAST_RETRIES,
    TIMEOUT,
    camera_photo,
    go_offline,
    job_sent_to,
    open_field,
    outbox_items,
    screenshot,
    step_events,
    tap_step,
)

pytestmark = pytest.mark.browser

CANCEL_REASON = "已由其他单位处置"


@pytest.fixture
def server(live_server_factory) -> LiveServer:
    return live_server_factory(env=FAST_RETRIES)


def crash_on_scene(officer: Any, dispatcher: Any) -> Assignment:
    assignment = job_sent_to(officer, dispatcher, kind="accident", summary="两车刮擦")
    in_thread(services.assignment_advance, assignment_id=assignment.pk, officer=officer, to="on_scene")
    return assignment


def open_record(phone: Any, server: LiveServer, assignment: Assignment, *, offline: bool) -> tuple[Any, str, str]:
    """The field page with the card's quick-clearance form open; returns the page, the card and the form."""
    field = open_field(phone, server)
    card = f".assignment[data-assignment='{assignment.id}']"
    field.wait_for_selector(f"{card}[data-status=on_scene]", timeout=TIMEOUT)
    if offline:
        go_offline(phone, field)
    tap_step(field, assignment, "cleared")
    form = f"{card} .qc-form"
    field.wait_for_selector(form, timeout=TIMEOUT)
    return field, card, form


def answer_checklist(field: Any, form: str, answer: str = "true") -> None:
    for button in field.locator(f"{form} .qc-checklist .qc-answer[data-answer={answer}]").all():
        button.tap()


def take_photo(field: Any, form: str, slot: str, photo: Any) -> None:
    field.set_input_files(f"{form} .qc-photo-input[data-slot={slot}]", str(photo))
    field.wait_for_selector(f"{form} .qc-photo[data-slot={slot}][data-taken]", timeout=TIMEOUT)


def marks(field: Any, form: str) -> dict[str, str]:
    return field.evaluate(
        "(form) => Object.fromEntries([...document.querySelectorAll(`${form} .qc-problem`)]"
        ".map((mark) => [mark.dataset.problem, mark.textContent]))",
        form,
    )


def test_an_incomplete_record_is_not_queued_offline_and_each_missing_item_is_marked(
    server, officer, dispatcher, phone, tmp_path
):
    assignment = crash_on_scene(officer, dispatcher)
    field, card, form = open_record(phone, server, assignment, offline=True)
    photo = camera_photo(tmp_path / "crash.jpg")

    # The QA case: every checklist answer, only the front-side photo, then "save and clear".
    answer_checklist(field, form)
    take_photo(field, form, "front_side", photo)
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(f"{form} .qc-problem", timeout=TIMEOUT)

    assert marks(field, form) == {
        "photos.rear_side": "缺少照片：侧后方。",
        "photos.impact": "缺少照片：碰撞部位。",
        "parties": "请列出每辆车：至少两辆。",
        "agreement": "请说明当事人是否协商一致，或填写各方责任。",
        "vehicles_moved_at": "请填写车辆撤离的时间。",
        "lanes_open_at": "请填写车道全部恢复通行的时间。",
        "tow_called": "请说明是否叫了拖车。",
    }
    # Each mark sits beside its item: a photo's inside its slot, the others right after their control.
    assert field.locator(f"{form} .qc-photo[data-slot=rear_side] .qc-problem").count() == 1
    assert field.locator(f"{form} .qc-photo[data-slot=front_side] .qc-problem").count() == 0
    assert field.evaluate(
        "(form) => document.querySelector(`${form} .qc-agreement`).nextElementSibling.dataset.problem", form,
    ) == "agreement"
    assert field.is_visible(f"{form} .qc-not-saved")
    assert field.inner_text(f"{form} .qc-not-saved") == "尚未保存：请补全标出的项目，或选择稍后补录。"
    # Nothing but the photo was queued: no record, no clear, and the card still says on scene.
    assert [item["kind"] for item in outbox_items(field)] == ["photo"]
    assert field.is_visible(form)
    assert field.get_attribute(card, "data-status") == "on_scene"
    assert "已处置完毕" not in field.inner_text(f"{card} .assignment-status")

    field.locator(f"{form} .qc-photo[data-slot=rear_side] .qc-problem").scroll_into_view_if_needed()
    field.evaluate("window.scrollBy(0, -120)")
    field.screenshot(path=str(ARTIFACTS / "field-record-missing-items-phone.png"))
    # The lower half: the vehicles, the agreement, the times and "not saved yet" above the buttons.
    field.locator(f"{form} .qc-complete").scroll_into_view_if_needed()
    field.screenshot(path=str(ARTIFACTS / "field-record-missing-items-buttons-phone.png"))

    # The marks follow what the officer fixes.
    take_photo(field, form, "rear_side", photo)
    field.wait_for_selector(f"{form} .qc-problem[data-problem='photos.rear_side']", state="detached", timeout=TIMEOUT)
    take_photo(field, form, "impact", photo)
    field.fill(f"{form} .qc-party[data-party='0'] [name=plate]", "鲁P12345")
    field.fill(f"{form} .qc-party[data-party='0'] [name=vehicle_type]", "小型轿车")
    # A vehicle without its plate is refused too.
    field.fill(f"{form} .qc-party[data-party='1'] [name=vehicle_type]", "小型货车")
    field.locator(f"{form} [data-agreement=agreed]").tap()
    field.locator(f"{form} [data-time=vehicles_moved_at]").tap()
    field.locator(f"{form} [data-time=lanes_open_at]").tap()
    field.locator(f"{form} .qc-tow .qc-answer[data-answer=false]").tap()
    assert marks(field, form) == {"parties[1].plate": "请填写号牌号码。"}
    field.locator(f"{form} .qc-complete").tap()
    assert [item["kind"] for item in outbox_items(field)] == ["photo", "photo", "photo"]

    field.fill(f"{form} .qc-party[data-party='1'] [name=plate]", "鲁P67890")
    assert marks(field, form) == {}
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(f"{card}[data-status=cleared][data-pending]", timeout=TIMEOUT)
    assert [item["kind"] for item in outbox_items(field)] == ["photo", "photo", "photo", "record", "step"]
    assert field.is_hidden(f"{form} .qc-not-saved") or field.locator(form).count() == 0

    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    field.wait_for_selector(card, state="detached", timeout=TIMEOUT)
    assert field.is_hidden("#outbox-refused")
    assignment.refresh_from_db()
    assert assignment.status == "cleared"
    record = QuickClearance.objects.get(job_id=assignment.job_id)
    assert (record.status, record.outcome, record.agreement) == ("complete", "quick", "agreed")
    assert [party.plate for party in record.parties.order_by("position")] == ["鲁P12345", "鲁P67890"]
    assert sorted(RecordPhoto.objects.filter(job_id=assignment.job_id).values_list("slot", flat=True)) == [
        "front_side", "impact", "rear_side",
    ]


def test_finish_later_still_clears_without_the_photos(server, officer, dispatcher, phone, tmp_path):
    assignment = crash_on_scene(officer, dispatcher)
    field, card, form = open_record(phone, server, assignment, offline=True)

    answer_checklist(field, form)
    take_photo(field, form, "front_side", camera_photo(tmp_path / "crash.jpg"))
    # What the server refuses at every save still stops "finish later": a vehicle without its plate.
    field.fill(f"{form} .qc-party[data-party='0'] [name=vehicle_type]", "小型轿车")
    field.locator(f"{form} .qc-later").tap()
    field.wait_for_selector(f"{form} .qc-problem", timeout=TIMEOUT)
    assert marks(field, form) == {"parties[0].plate": "请填写号牌号码。"}
    assert field.inner_text(f"{form} .qc-not-saved") == "尚未保存：请补全标出的项目。"
    assert [item["kind"] for item in outbox_items(field)] == ["photo"]

    field.fill(f"{form} .qc-party[data-party='0'] [name=plate]", "鲁P12345")
    field.locator(f"{form} .qc-later").tap()
    field.wait_for_selector(f"{card}[data-status=cleared][data-pending]", timeout=TIMEOUT)
    assert [item["kind"] for item in outbox_items(field)] == ["photo", "record", "step"]

    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    assert field.is_hidden("#outbox-refused")
    assignment.refresh_from_db()
    assert assignment.status == "cleared"
    assert QuickClearance.objects.get(job_id=assignment.job_id).status == "later"


def test_a_stamped_time_can_be_set_by_hand_or_cleared(server, officer, dispatcher, phone, tmp_path):
    assignment = crash_on_scene(officer, dispatcher)
    field, card, form = open_record(phone, server, assignment, offline=False)
    answer_checklist(field, form)
    photo = camera_photo(tmp_path / "crash.jpg")
    for slot in ("front_side", "rear_side", "impact"):
        take_photo(field, form, slot, photo)
    field.fill(f"{form} .qc-party[data-party='0'] [name=plate]", "鲁P12345")
    field.fill(f"{form} .qc-party[data-party='1'] [name=plate]", "鲁P67890")
    field.locator(f"{form} [data-agreement=agreed]").tap()
    field.locator(f"{form} .qc-tow .qc-answer[data-answer=false]").tap()

    # Nothing to change or clear before a time is stamped.
    moved = f"{form} [data-stamp=vehicles_moved_at]"
    lanes = f"{form} [data-stamp=lanes_open_at]"
    assert field.is_hidden(f"{moved} .qc-stamp-edit")
    field.locator(f"{form} [data-time=vehicles_moved_at]").tap()
    field.wait_for_selector(f"{moved} .qc-stamp-edit", timeout=TIMEOUT)
    stamped = field.input_value(f"{moved} .qc-stamp-time")
    assert field.inner_text(f"{moved} .qc-time").strip() == f"· {stamped}"
    # The officer records it twenty minutes after the vehicles moved: the time is set by hand.
    earlier, earlier_ms = field.evaluate(
        "() => { const at = new Date(Date.now() - 20 * 60000); at.setSeconds(0, 0);"
        " return [`${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`, at.getTime()]; }"
    )
    field.fill(f"{moved} .qc-stamp-time", earlier)
    assert field.inner_text(f"{moved} .qc-time").strip() == f"· {earlier}"
    # Lanes open tapped by mistake, then cleared: the record is missing that time again.
    field.locator(f"{form} [data-time=lanes_open_at]").tap()
    field.wait_for_selector(f"{lanes} .qc-stamp-edit", timeout=TIMEOUT)
    for target in (f"{lanes} .qc-stamp-time", f"{lanes} .qc-stamp-clear"):
        assert field.locator(target).bounding_box()["height"] >= 44
    field.screenshot(path=str(ARTIFACTS / "field-record-stamp-edit-phone.png"))
    field.locator(f"{lanes} .qc-stamp-clear").tap()
    assert field.is_hidden(f"{lanes} .qc-stamp-edit")
    assert field.inner_text(f"{lanes} .qc-time") == ""
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(f"{form} .qc-problem", timeout=TIMEOUT)
    assert marks(field, form) == {"lanes_open_at": "请填写车道全部恢复通行的时间。"}

    field.locator(f"{form} [data-time=lanes_open_at]").tap()
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(card, state="detached", timeout=TIMEOUT)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    record = QuickClearance.objects.get(job_id=assignment.job_id)
    assert record.status == "complete"
    # The minute set by hand, in the phone's own zone: twenty minutes ago, to the minute.
    assert record.vehicles_moved_at.timestamp() * 1000 == earlier_ms
    # Lanes open: stamped again, now.
    assert record.vehicles_moved_at + timedelta(minutes=19) < record.lanes_open_at <= timezone.now()


def test_a_time_set_by_hand_is_never_in_the_future(server, officer, phone):
    field = open_field(phone, server)
    found = field.evaluate(
        """async () => {
          const { stampAt } = await import("/static/fieldapp/js/field/forms.js");
          const now = new Date(2026, 11, 7, 0, 10, 30);
          const iso = (at) => [at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds()];
          return [iso(stampAt("00:05", now)), iso(stampAt("23:50", now)), iso(stampAt("00:10", now))];
        }"""
    )
    # Five to midnight, entered ten past: yesterday. Earlier today and this very minute: today.
    assert found == [[7, 0, 5, 0], [6, 23, 50, 0], [7, 0, 10, 0]]


def test_online_an_incomplete_record_sends_nothing(server, officer, dispatcher, phone):
    assignment = crash_on_scene(officer, dispatcher)
    field, card, form = open_record(phone, server, assignment, offline=False)
    sent: list[str] = []
    field.on("request", lambda request: sent.append(request.url) if request.method != "GET" and (
        "/jobs/" in request.url or "/assignments/" in request.url) else None)

    answer_checklist(field, form)
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(f"{form} .qc-problem", timeout=TIMEOUT)
    assert "photos.front_side" in marks(field, form)
    assert field.is_visible(form)
    assert field.is_hidden("#outbox-refused")
    assert sent == [] and outbox_items(field) == []
    assert not QuickClearance.objects.filter(job_id=assignment.job_id).exists()
    assert Assignment.objects.get(pk=assignment.pk).status == "on_scene"


# The phone's copy of the rules, against the server's, on records that break each one.
RULE_CASES: list[dict[str, Any]] = [
    {"status": "complete"},
    {"status": "complete", "answers": "yes", "slots": ["front_side"]},
    {"status": "complete", "answers": "one_no"},
    {"status": "later", "answers": "one_no", "moved": 0},
    {"status": "later", "moved": 0, "slots": ["front_side", "rear_side"]},
    {"status": "later", "moved": 0, "lanes": -5, "slots": ["front_side", "rear_side", "impact"]},
    {"status": "later", "agreement": "agreed", "parties": [("鲁P1", "full"), ("鲁P2", None)]},
    {"status": "later", "parties": [("", None)]},
    {"status": "complete", "answers": "yes", "slots": ["front_side", "rear_side", "impact"], "agreement": "finding",
     "parties": [("鲁P1", "full"), ("", None)], "moved": -10, "lanes": -5, "tow": False},
    {"status": "complete", "answers": "yes", "slots": ["front_side", "rear_side", "impact"], "agreement": "agreed",
     "parties": [("鲁P1", None)], "moved": -10, "lanes": -5, "tow": True},
    {"status": "complete", "answers": "yes", "slots": ["front_side", "rear_side", "impact"], "agreement": "agreed",
     "parties": [("鲁P1", None), ("鲁P2", None)], "moved": -10, "lanes": -5, "tow": True},
]


def answers_of(case: dict[str, Any]) -> dict[str, bool]:
    if case.get("answers") == "yes":
        return {name: True for name in records.CHECKLIST}
    if case.get("answers") == "one_no":
        return {records.CHECKLIST[1]: False}
    return {}


def test_the_phone_refuses_what_the_server_refuses(server, officer, phone):
    now = timezone.now().replace(microsecond=0)
    expected = []
    phone_cases = []
    for case in RULE_CASES:
        at = {name: now + timedelta(minutes=case[key]) if key in case else None
              for name, key in (("vehicles_moved_at", "moved"), ("lanes_open_at", "lanes"))}
        parties = [records.PartyValues(plate=plate, vehicle_type="轿车", responsibility=responsibility)
                   for plate, responsibility in case.get("parties", [])]
        with translation.override("zh-hans"):
            problems = records.quick_clearance_problems(
                answers=answers_of(case), parties=parties, agreement=case.get("agreement", ""),
                tow_called=case.get("tow"), slots_filled=case.get("slots", []), status=case["status"],
                now=now, skew=timedelta(seconds=60), **at,
            ).fields
        expected.append(problems)
        phone_cases.append({
            "record": {
                "answers": answers_of(case),
                "parties": [{"plate": party.plate, "vehicle_type": party.vehicle_type, "insurer": "",
                             "responsibility": party.responsibility} for party in parties],
                "agreement": case.get("agreement", ""),
                "tow_called": case.get("tow"),
                "status": case["status"],
                **{name: value.isoformat() if value else None for name, value in at.items()},
            },
            "slots": case.get("slots", []),
        })
    field = open_field(phone, server)
    found = field.evaluate(
        """async (cases) => {
          const { quickClearanceProblems } = await import("/static/fieldapp/js/field/clearance_rules.js");
          const form = JSON.parse(document.getElementById("page-config").textContent).quickClearance;
          return cases.map(({ record, slots }) => {
            const fields = {};
            for (const [where, messages] of quickClearanceProblems(record, new Set(slots), form)) {
              // The server lists the missing photos under one name.
              const name = where.startsWith("photos.") ? "photos" : where;
              fields[name] = [...(fields[name] || []), ...messages];
            }
            return fields;
          });
        }""",
        phone_cases,
    )
    assert found == expected
    assert any(expected) and not all(expected)


def test_a_job_cancelled_while_offline_is_told_as_cancelled_with_the_reason(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher, summary="路口信号灯故障")
    field = open_field(phone, server)
    card = f".assignment[data-assignment='{assignment.id}']"
    field.wait_for_selector(f"{card}[data-status=dispatched]", timeout=TIMEOUT)

    go_offline(phone, field)
    tap_step(field, assignment, "accepted")
    field.wait_for_selector(f"{card}[data-pending]", timeout=TIMEOUT)
    in_thread(services.job_cancel, job_id=assignment.job_id, by=dispatcher, reason=CANCEL_REASON)

    phone.set_offline(False)
    field.wait_for_selector("#outbox-refused:not([hidden]) .refused-item", timeout=TIMEOUT)
    field.wait_for_function(
        "(reason) => document.querySelector('#outbox-refused .refused-reason').textContent.includes(reason)",
        arg=CANCEL_REASON, timeout=TIMEOUT,
    )
    assert field.inner_text("#outbox-refused .refused-reason") == f"任务已撤销：{CANCEL_REASON}"
    assert "已撤回" not in field.inner_text("#outbox-refused-list")
    field.wait_for_selector(card, state="detached", timeout=TIMEOUT)
    row = f"#today li[data-assignment='{assignment.id}'] .state"
    field.wait_for_function(
        "(row) => (document.querySelector(row) || {}).textContent?.includes('已撤销')", arg=row, timeout=TIMEOUT,
    )
    assert field.inner_text(row) == f"任务已撤销：{CANCEL_REASON}"
    # The replayed cancel redraws the list at once; the banner follows the
    # end of the replay ("resumed"), a frame later.
    field.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT)
    assert field.inner_text("#banner-title") == f"任务已撤销：{CANCEL_REASON}"
    screenshot(field, "field-cancelled-while-offline-phone")
    assert step_events(assignment) == []


def test_a_job_cancelled_while_online_shows_the_reason(server, officer, dispatcher, phone):
    assignment = job_sent_to(officer, dispatcher, summary="路口信号灯故障")
    field = open_field(phone, server)
    card = f".assignment[data-assignment='{assignment.id}']"
    field.wait_for_selector(f"{card}[data-status=dispatched]", timeout=TIMEOUT)

    # Through the server, as the desk cancels: its push reaches the phone on any channel layer.
    api_post(server, dispatcher, f"/api/v1/jobs/{assignment.job_id}/cancel/", {"reason": CANCEL_REASON})
    field.wait_for_selector(card, state="detached", timeout=TIMEOUT)
    field.wait_for_selector("#banner:not([hidden])", timeout=TIMEOUT)
    assert field.inner_text("#banner-title") == f"任务已撤销：{CANCEL_REASON}"
    assert field.inner_text(f"#today li[data-assignment='{assignment.id}'] .state") == f"任务已撤销：{CANCEL_REASON}"


def test_a_failed_checklist_needs_nothing_more(server, officer, dispatcher, phone):
    """One "no" sends the case to the ordinary procedure: the phone queues it without photos or vehicles."""
    assignment = crash_on_scene(officer, dispatcher)
    field, card, form = open_record(phone, server, assignment, offline=True)
    answer_checklist(field, form, "false")
    field.locator(f"{form} .qc-complete").tap()
    field.wait_for_selector(f"{card}[data-status=cleared][data-pending]", timeout=TIMEOUT)
    (record_item,) = [item for item in outbox_items(field) if item["kind"] == "record"]
    phone.set_offline(False)
    field.wait_for_selector("#outbox-count", state="hidden", timeout=TIMEOUT)
    record = QuickClearance.objects.get(job_id=assignment.job_id)
    assert (record.status, record.outcome) == ("complete", "ordinary")
    assert record.device_time == datetime.fromisoformat(record_item["device_time"])

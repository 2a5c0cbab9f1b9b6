"""Escalation: the plan's steps in order, stopped by a receipt, a withdrawal, and never off duty.

The worker is driven one pass at a time with the `now` it would see later, so
no test waits for a timer.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from fieldapp import services
from fieldapp.models import NotificationAttempt, NotificationTimer, Officer, OfficerMessage
from fieldapp.notify import base
from fieldapp.notify import services as notify
from tests import notify_support
from tests.helpers import dispatch

PLAN = [
    {"step": "push", "after_s": 0, "min_priority": 0, "channels": ["websocket", "webpush"]},
    {"step": "sms", "after_s": 20, "min_priority": 0, "channels": ["sms", "wecom"]},
    {"step": "voice", "after_s": 60, "min_priority": 2, "channels": ["voice"]},
    {"step": "desk", "after_s": 90, "min_priority": 0, "channels": ["desk"]},
]


@pytest.fixture(autouse=True)
def recording_channels(settings):
    settings.NOTIFY_PLAN = PLAN
    settings.NOTIFY_CHANNELS = ["tests.notify_support.RecordingSms", "tests.notify_support.RecordingVoice"]
    base._load.cache_clear()
    notify_support.SENT.clear()
    yield
    base._load.cache_clear()


def run_at(assignment, seconds: float) -> int:
    return notify.run_due(worker="test", now=assignment.dispatched_at + timedelta(seconds=seconds))


def steps_of(assignment) -> list[tuple[str, str, str]]:
    return list(
        NotificationAttempt.objects.filter(assignment=assignment).order_by("at", "id").values_list("step", "channel", "result")
    )


def high_priority_assignment(dispatcher, officer):
    from tests.helpers import new_job

    job = new_job(dispatcher, priority=2)
    (assignment,) = dispatch(job, dispatcher, officer)
    return assignment


def test_steps_run_in_order_of_the_plan(dispatcher, duty_officer):
    assignment = high_priority_assignment(dispatcher, duty_officer)
    assert run_at(assignment, 0) == 1
    assert run_at(assignment, 19) == 0
    assert run_at(assignment, 20) == 1
    assert run_at(assignment, 59) == 0
    assert run_at(assignment, 60) == 1
    assert run_at(assignment, 90) == 1
    seq = OfficerMessage.objects.get(officer=duty_officer, type="assignment.new").seq
    assert steps_of(assignment) == [
        ("push", "websocket", "sent"), ("sms", "sms", "sent"), ("voice", "voice", "sent"), ("desk", "desk", "sent"),
    ]
    assert NotificationAttempt.objects.get(assignment=assignment, channel="websocket").provider_message_id == f"feed#{seq}"
    timer = NotificationTimer.objects.get(assignment=assignment)
    assert timer.due_at is None and timer.stop_reason == "plan_done"


def test_normal_priority_gets_no_voice_call(assignment):
    for seconds in (0, 20, 60, 90):
        run_at(assignment, seconds)
    assert [step for step, _c, _r in steps_of(assignment)] == ["push", "sms", "desk"]
    assert [name for name, _context in notify_support.SENT] == ["sms"]


def test_an_ack_stops_every_later_step(assignment, duty_officer):
    run_at(assignment, 0)
    seq = OfficerMessage.objects.get(officer=duty_officer, type="assignment.new").seq
    services.feed_ack(officer_id=duty_officer.pk, seq=seq)
    assert run_at(assignment, 300) == 0
    assert steps_of(assignment) == [("push", "websocket", "sent")]
    assert notify_support.SENT == []
    timer = NotificationTimer.objects.get(assignment=assignment)
    assert timer.due_at is None and timer.stop_reason == "received"


def test_a_step_on_the_phone_counts_as_a_receipt(assignment, duty_officer):
    run_at(assignment, 0)
    services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="accepted")
    assert run_at(assignment, 300) == 0
    assert notify_support.SENT == []


def test_withdrawal_stops_every_later_step(assignment, dispatcher):
    run_at(assignment, 0)
    services.assignment_withdraw(assignment_id=assignment.pk, by=dispatcher, reason="另派")
    assert run_at(assignment, 300) == 0
    assert notify_support.SENT == []
    assert NotificationTimer.objects.get(assignment=assignment).stop_reason == "ended"


def test_cancelling_the_job_stops_every_later_step(assignment, dispatcher):
    services.job_cancel(job_id=assignment.job_id, by=dispatcher, reason="误报")
    assert run_at(assignment, 300) == 0
    assert notify_support.SENT == []


def test_an_off_duty_officer_gets_nothing(assignment, duty_officer):
    # The app refuses to go off duty with an active job; the row is changed behind its back.
    Officer.objects.filter(pk=duty_officer.pk).update(on_duty=False)
    for seconds in (0, 20, 60, 90):
        run_at(assignment, seconds)
    assert notify_support.SENT == []
    assert {result for _s, _c, result in steps_of(assignment)} == {"skipped"}
    assert NotificationTimer.objects.get(assignment=assignment).stop_reason == "off_duty"


def test_at_most_one_sms_per_assignment_even_if_the_plan_asks_twice(settings, assignment):
    settings.NOTIFY_PLAN = [
        *PLAN[:2], {"step": "sms_again", "after_s": 30, "min_priority": 0, "channels": ["sms"]},
    ]
    for seconds in (0, 20, 30, 31):
        run_at(assignment, seconds)
    assert [name for name, _context in notify_support.SENT] == ["sms"]
    assert ("sms_again", "sms", "skipped") in steps_of(assignment)


def test_a_second_sms_provider_is_tried_when_the_first_fails(settings, assignment):
    settings.NOTIFY_CHANNELS = ["tests.notify_support.FailingSms", "tests.notify_support.RecordingSms"]
    base._load.cache_clear()
    run_at(assignment, 0)
    run_at(assignment, 20)
    assert [name for name, _context in notify_support.SENT] == ["sms-failing", "sms"]
    assert [(c, r) for s, c, r in steps_of(assignment) if s == "sms"] == [("sms", "failed"), ("sms", "sent")]


def test_a_step_claimed_by_a_worker_that_died_is_written_off_and_the_next_step_follows(settings, assignment):
    run_at(assignment, 0)
    (claim,) = notify.claim_due(worker="dead", now=assignment.dispatched_at + timedelta(seconds=20))
    assert claim.step.name == "sms"
    # The worker dies here. After its lease the next pass writes the SMS off, never sending it twice.
    lease = settings.NOTIFY_CLAIM_LEASE_S
    run_at(assignment, 20 + lease + 1)
    assert notify_support.SENT == []
    run_at(assignment, 90 + lease + 1)
    assert [(s, r) for s, _c, r in steps_of(assignment)] == [("push", "sent"), ("sms", "failed"), ("desk", "sent")]


def test_the_sms_names_the_job_and_links_to_it(assignment):
    run_at(assignment, 0)
    run_at(assignment, 20)
    ((_name, context),) = notify_support.SENT
    job = assignment.job
    assert context.short_text() == f"{job.number} 交通事故 {job.summary} http://127.0.0.1:8000/field/?job={job.pk}" or (
        job.number in context.short_text() and f"/field/?job={job.pk}" in context.short_text()
    )
    assert context.phone == assignment.officer.phone

"""Dispatch services: jobs, assignments, duty, positions and the officer's feed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import DomainError, InvalidInput
from fieldapp import selectors, services
from fieldapp.models import Assignment, DutyChange, Job, JobEvent, OfficerMessage
from tests.helpers import LIAOCHENG, dispatch, finish_later, new_job, on_duty


def test_job_numbers_are_per_day_in_shanghai_and_increase(dispatcher):
    first, second = new_job(dispatcher), new_job(dispatcher)
    day = timezone.localdate().strftime("%Y%m%d")
    assert first.number == f"{day}-0001"
    assert second.number == f"{day}-0002"
    assert JobEvent.objects.filter(job=first, kind="job.created", actor=dispatcher).count() == 1


def test_job_with_latitude_out_of_range_is_refused(dispatcher):
    with pytest.raises(InvalidInput):
        new_job(dispatcher, lat=91.0)
    assert Job.objects.count() == 0


def test_job_reported_in_the_future_is_refused(dispatcher):
    with pytest.raises(InvalidInput):
        new_job(dispatcher, reported_at=timezone.now() + timedelta(hours=1))


def test_dispatch_creates_assignment_event_and_feed_frame(job, dispatcher, duty_officer):
    (assignment,) = dispatch(job, dispatcher, duty_officer)
    assert assignment.status == "dispatched" and assignment.dispatched_by == dispatcher
    assert JobEvent.objects.filter(assignment=assignment, kind="assignment.dispatched").count() == 1
    message = OfficerMessage.objects.get(officer=duty_officer)
    assert message.seq == 1 and message.type == "assignment.new"
    assert message.frame["assignment"]["id"] == assignment.pk
    assert message.frame["assignment"]["job"]["number"] == job.number


def test_officer_already_on_the_job_is_not_assigned_twice(job, dispatcher, duty_officer):
    dispatch(job, dispatcher, duty_officer)
    result = services.job_dispatch(job_id=job.pk, officer_ids=[duty_officer.pk], dispatcher=dispatcher)
    assert result.created == []
    assert result.skipped == [{"officer_id": duty_officer.pk, "code": "already_assigned"}]
    assert Assignment.objects.filter(job=job).count() == 1


def test_dispatch_to_off_duty_officer_is_refused_and_creates_nothing(job, dispatcher, duty_officer, other_officer):
    with pytest.raises(DomainError) as error:
        dispatch(job, dispatcher, duty_officer, other_officer)
    assert error.value.code == "officer_off_duty"
    assert "铁骑02" in error.value.message
    assert Assignment.objects.count() == 0
    assert OfficerMessage.objects.count() == 0


def test_busy_officer_needs_force(dispatcher, duty_officer):
    first, second = new_job(dispatcher), new_job(dispatcher)
    dispatch(first, dispatcher, duty_officer)
    with pytest.raises(DomainError) as error:
        dispatch(second, dispatcher, duty_officer)
    assert error.value.code == "officer_busy"
    (forced,) = dispatch(second, dispatcher, duty_officer, force=True)
    assert forced.forced is True


def test_dispatch_to_a_closed_job_is_refused(job, dispatcher, duty_officer):
    services.job_close(job_id=job.pk, by=dispatcher)
    with pytest.raises(DomainError) as error:
        dispatch(job, dispatcher, duty_officer)
    assert error.value.code == "job_not_open"


def test_steps_go_forward_and_record_time_position_and_receipt(assignment, duty_officer):
    advanced = services.assignment_advance(
        assignment_id=assignment.pk, officer=duty_officer, to="en_route", lat=36.46, lng=115.99, accuracy=8.0
    )
    assert advanced.status == "en_route" and advanced.en_route_at is not None
    assert advanced.received_at is not None  # a step proves the phone has it
    assert advanced.positions == {"en_route": {"lat": 36.46, "lng": 115.99, "accuracy_m": 8.0}}
    assert advanced.next_steps() == ["on_scene", "cleared"]
    event = JobEvent.objects.get(assignment=assignment, kind="assignment.step")
    assert event.data == {"from": "dispatched", "to": "en_route", "reason": ""}
    assert (event.lat, event.lng) == (36.46, 115.99)


def test_skipping_straight_to_on_scene_is_allowed(assignment, duty_officer):
    advanced = services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="on_scene")
    assert advanced.status == "on_scene" and advanced.accepted_at is None


def test_going_back_is_refused_and_changes_nothing(assignment, duty_officer):
    services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="on_scene")
    with pytest.raises(DomainError) as error:
        services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="accepted")
    assert error.value.code == "illegal_step"
    assignment.refresh_from_db()
    assert assignment.status == "on_scene" and assignment.accepted_at is None


def test_declining_after_en_route_is_refused(assignment, duty_officer):
    services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="en_route")
    with pytest.raises(DomainError) as error:
        services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="declined")
    assert error.value.code == "illegal_step"


def test_repeating_the_current_step_records_it_once(assignment, duty_officer):
    first = services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="accepted")
    again = services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="accepted")
    assert again.accepted_at == first.accepted_at
    assert JobEvent.objects.filter(assignment=assignment, kind="assignment.step").count() == 1


def test_step_after_withdrawal_is_refused(assignment, duty_officer, dispatcher):
    services.assignment_withdraw(assignment_id=assignment.pk, by=dispatcher, reason="换人")
    with pytest.raises(DomainError) as error:
        services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="accepted")
    assert error.value.code == "assignment_ended"
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn" and assignment.accepted_at is None


def test_another_officer_cannot_advance(assignment, other_officer):
    with pytest.raises(services.NotFound):
        services.assignment_advance(assignment_id=assignment.pk, officer=other_officer, to="accepted")


def test_job_closes_itself_when_all_ended_and_one_cleared(job, dispatcher, duty_officer, other_officer):
    on_duty(other_officer)
    mine, theirs = dispatch(job, dispatcher, duty_officer, other_officer)
    finish_later(job, duty_officer)
    services.assignment_advance(assignment_id=mine.pk, officer=duty_officer, to="cleared")
    job.refresh_from_db()
    assert job.status == "open"
    services.assignment_advance(assignment_id=theirs.pk, officer=other_officer, to="declined", reason="车坏了")
    job.refresh_from_db()
    assert job.status == "closed" and job.closed_at is not None
    assert JobEvent.objects.get(job=job, kind="job.closed").data == {"auto": True}
    # Both officers are told the job changed, after their own assignment frames.
    assert list(OfficerMessage.objects.filter(officer=duty_officer).values_list("type", flat=True)) == [
        "assignment.new", "assignment.changed", "job.changed",
    ]


def test_job_with_only_declines_stays_open(assignment, duty_officer, job):
    services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="declined")
    job.refresh_from_db()
    assert job.status == "open"


def test_cancel_withdraws_active_assignments_and_tells_the_officer(job, assignment, dispatcher, duty_officer):
    cancelled = services.job_cancel(job_id=job.pk, by=dispatcher, reason="重复报警")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "重复报警"
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn" and assignment.reason == "重复报警"
    last = OfficerMessage.objects.filter(officer=duty_officer).last()
    assert last.type == "job.cancelled" and last.frame["job"]["assignments"][0]["status"] == "withdrawn"


def test_cancel_needs_a_reason(job, dispatcher):
    with pytest.raises(InvalidInput):
        services.job_cancel(job_id=job.pk, by=dispatcher, reason="  ")


def test_feed_seq_is_strictly_increasing_without_gaps(dispatcher, duty_officer):
    for _ in range(3):
        job = new_job(dispatcher, kind="hazard", summary="路面散落货物")
        (assignment,) = dispatch(job, dispatcher, duty_officer, force=True)
        services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="cleared")
    seqs = list(OfficerMessage.objects.filter(officer=duty_officer).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    # The frame the phone gets says the seq it is stored under (a step that closes the job takes two at once).
    assert [m.frame["seq"] for m in OfficerMessage.objects.filter(officer=duty_officer).order_by("seq")] == seqs
    duty_officer.refresh_from_db()
    assert duty_officer.feed_seq == seqs[-1]


def test_ack_of_a_new_assignment_sets_received_at_once(assignment, duty_officer):
    services.feed_ack(officer_id=duty_officer.pk, seq=1)
    assignment.refresh_from_db()
    received = assignment.received_at
    assert received is not None
    services.feed_ack(officer_id=duty_officer.pk, seq=1)
    assignment.refresh_from_db()
    assert assignment.received_at == received
    assert JobEvent.objects.filter(assignment=assignment, kind="assignment.received").count() == 1


def test_ack_of_an_unknown_seq_is_invalid(duty_officer):
    with pytest.raises(InvalidInput):
        services.feed_ack(officer_id=duty_officer.pk, seq=99)


def test_duty_changes_are_kept_as_attendance(officer):
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)  # no change, no record
    services.officer_set_duty(officer_id=officer.pk, on_duty=False)
    assert list(DutyChange.objects.filter(officer=officer).order_by("at", "id").values_list("on_duty", flat=True)) == [
        True, False,
    ]
    officer.refresh_from_db()
    assert officer.on_duty is False and officer.duty_changed_at is not None


def test_going_off_duty_with_an_active_assignment_is_refused(assignment, duty_officer):
    with pytest.raises(DomainError) as error:
        services.officer_set_duty(officer_id=duty_officer.pk, on_duty=False)
    assert error.value.code == "has_active_assignments"


def test_position_off_duty_is_refused(officer):
    with pytest.raises(DomainError) as error:
        services.officer_record_position(officer_id=officer.pk, lat=36.4, lng=115.9)
    assert error.value.code == "off_duty"


def test_an_older_fix_does_not_replace_a_newer_one(duty_officer):
    newest = duty_officer.fix_at
    services.officer_record_position(
        officer_id=duty_officer.pk, lat=1.0, lng=1.0, at=timezone.now() - timedelta(minutes=5)
    )
    duty_officer.refresh_from_db()
    assert duty_officer.fix_at == newest and duty_officer.fix_lat == LIAOCHENG[0]


def test_candidates_are_nearest_first_and_leave_out_stale_busy_and_off_duty(
    dispatcher, officer, other_officer, third_officer, squad
):
    job = new_job(dispatcher, lat=36.45, lng=115.98)
    on_duty(officer, lat=36.47, lng=115.98)  # about 2.2 km
    on_duty(other_officer, lat=36.451, lng=115.98)  # about 110 m
    on_duty(third_officer, lat=36.45, lng=115.98, age_s=11 * 60)  # stale
    result = selectors.officers_nearest(job=job, limit=5)
    assert [c.officer.pk for c in result.candidates] == [other_officer.pk, officer.pk]
    assert 100 <= result.candidates[0].distance_m <= 120
    assert result.shortfall["found"] == 2 and result.shortfall["wanted"] == 5
    assert [r["code"] for r in result.shortfall["reasons"]] == ["positions_too_old"]


def test_candidates_shortfall_when_no_one_is_on_duty(job, officer):
    result = selectors.officers_nearest(job=job, limit=3)
    assert result.candidates == []
    assert result.shortfall["reasons"][0]["code"] == "no_one_on_duty"


def test_candidates_shortfall_counts_busy_and_positionless(dispatcher, officer, other_officer):
    busy_job, job = new_job(dispatcher), new_job(dispatcher)
    on_duty(officer)
    dispatch(busy_job, dispatcher, officer)
    services.officer_set_duty(officer_id=other_officer.pk, on_duty=True)
    result = selectors.officers_nearest(job=job, limit=2)
    assert {r["code"]: r["count"] for r in result.shortfall["reasons"]} == {"busy": 1, "no_positions": 1}


def test_job_event_cannot_be_rewritten(job):
    event = JobEvent.objects.get(job=job)
    event.data = {"forged": True}
    with pytest.raises(ValueError):
        event.save()


@pytest.mark.django_db
def test_one_assignment_per_officer_per_job_is_a_database_constraint(assignment):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(job=assignment.job, officer=assignment.officer, dispatched_at=timezone.now())


@pytest.mark.parametrize("linked", [False, True], ids=["alone", "linked"])
def test_a_created_job_is_shaped_as_reading_it_back_would_shape_it(db, dispatcher, django_assert_num_queries, linked):
    """job_create hands back the job without reading it again; nothing it shows may differ from a read."""
    from fieldapp.events import desk_job_body
    from fieldapp.records_serializers import JobDeskDetailOut

    earlier = new_job(dispatcher) if linked else None
    job = services.job_create(
        created_by=dispatcher, kind="accident", summary="两车追尾", lat=LIAOCHENG[0], lng=LIAOCHENG[1], priority=3,
        address="东昌路", linked_job_id=earlier.pk if earlier else None,
    )
    now = timezone.now()
    with django_assert_num_queries(0):
        shown = JobDeskDetailOut(job, context={"now": now}).data
        pushed = desk_job_body(job)
    read = selectors.job_for_user(job_id=job.pk, dispatcher=True, officer=None, with_events=True)
    assert shown == JobDeskDetailOut(read, context={"now": now}).data
    assert pushed == desk_job_body(selectors.job_full(job.pk))
    assert [event["kind"] for event in shown["events"]] == ["job.created"]
    assert (shown["linked_job"] is not None) is linked


def test_a_dispatch_shows_and_pushes_what_reading_it_back_would(db, dispatcher, officer, other_officer):
    """job_dispatch builds its assignments from the rows it locked, and answers with a lighter read of the job."""
    from fieldapp.events import assignment_body
    from fieldapp.serializers import AssignmentOut, JobOut

    on_duty(officer)
    on_duty(other_officer)
    earlier = new_job(dispatcher)
    job = services.job_create(created_by=dispatcher, kind="breakdown", summary="抛锚", lat=LIAOCHENG[0], lng=LIAOCHENG[1],
                              linked_job_id=earlier.pk)
    dispatch(job, dispatcher, other_officer)
    result = services.job_dispatch(job_id=job.pk, officer_ids=[officer.pk], dispatcher=dispatcher)
    (made,) = result.created
    context = {"now": timezone.now()}
    assert AssignmentOut(made, context=context).data == AssignmentOut(selectors.assignment_full(made.pk), context=context).data
    assert assignment_body(made) == assignment_body(selectors.assignment_full(made.pk))
    assert JobOut(result.job, context=context).data == JobOut(selectors.job_full(job.pk), context=context).data
    assert [a["officer"]["id"] for a in JobOut(result.job).data["assignments"]] == [other_officer.pk, officer.pk]
    stored = OfficerMessage.objects.get(officer=officer, type="assignment.new").frame
    assert stored["assignment"] == assignment_body(selectors.assignment_full(made.pk))["assignment"]


@pytest.mark.parametrize("step", ["accepted", "cleared", "withdrawn"])
def test_a_step_shows_and_pushes_what_reading_it_back_would(db, dispatcher, officer, other_officer, step):
    """A step or a withdrawal builds the assignment's payload from the rows it locked, the job's close included."""
    from fieldapp.events import assignment_body
    from fieldapp.serializers import AssignmentOut

    on_duty(officer)
    earlier = new_job(dispatcher)
    job = services.job_create(created_by=dispatcher, kind="hazard", summary="遗撒", lat=LIAOCHENG[0], lng=LIAOCHENG[1],
                              linked_job_id=earlier.pk)
    (assignment,) = dispatch(job, dispatcher, officer)
    if step == "withdrawn":
        changed = services.assignment_withdraw(assignment_id=assignment.pk, by=dispatcher, reason="改派")
    else:
        changed = services.assignment_advance(assignment_id=assignment.pk, officer=officer, to=step)
    context = {"now": timezone.now()}
    read = selectors.assignment_full(assignment.pk)
    assert changed.status == step
    assert AssignmentOut(changed, context=context).data == AssignmentOut(read, context=context).data
    stored = OfficerMessage.objects.get(officer=officer, type="assignment.changed").frame
    assert stored["assignment"] == assignment_body(read)["assignment"]
    assert stored["assignment"]["job"]["status"] == ("closed" if step == "cleared" else "open")

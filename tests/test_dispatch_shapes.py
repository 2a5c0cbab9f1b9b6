"""The shapes built by hand (fieldapp.serializers, "the same shapes, built by hand") are their serializers' output.

Compared as JSON text, so the keys, their order, the values and the JSON types
must all match, on rows in every state a dispatch goes through.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from common.roles import DISPATCHER, OFFICER
from fieldapp import events, selectors, services
from fieldapp.models import Assignment, Job, NotificationAttempt, Officer
from fieldapp.records_serializers import JobDeskDetailOut, JobDeskOut
from fieldapp.records_services import job_found_create, quick_clearance_save, rescue_save
from fieldapp.serializers import (
    AssignmentOut,
    DispatchResultOut,
    JobOut,
    OfficerOut,
    assignment_json,
    dispatch_result_json,
    job_json,
    officer_json,
)
from tests.helpers import LIAOCHENG, dispatch, make_user, new_job, on_duty


def assert_same(built: Any, drf: Any) -> None:
    # The standard encoder takes plain JSON types only: what a JSONField and msgpack take.
    assert json.dumps(built, ensure_ascii=False) == json.dumps(drf, cls=JSONEncoder, ensure_ascii=False)


@pytest.fixture
def city(db, dispatcher, officer, other_officer, third_officer) -> dict[str, Any]:
    """Jobs and officers in every state: open, closed, cancelled, found on patrol; each step of an assignment."""
    on_duty(officer)
    on_duty(other_officer)
    on_duty(third_officer, age_s=3600)
    squadless = Officer.objects.create(
        user=make_user("officer4", group=OFFICER), badge_number="371504", call_sign="铁骑04")
    on_duty(squadless)
    off_duty = Officer.objects.create(user=make_user("officer5", group=OFFICER, full_name="赵六"),
                                      badge_number="371505", call_sign="铁骑05")
    # A dispatcher without a full name: the username shows.
    nameless = make_user("desk2", group=DISPATCHER)

    earlier = new_job(dispatcher, kind="hazard", summary="遗撒")
    crash = services.job_create(
        created_by=nameless, kind="accident", summary="两车追尾", description="东向西", address="东昌路",
        lat=LIAOCHENG[0], lng=LIAOCHENG[1], priority=3, source="phone_call", linked_job_id=earlier.pk,
    )
    first, second = dispatch(crash, dispatcher, officer, other_officer)
    services.assignment_advance(assignment_id=first.pk, officer=officer, to="accepted", lat=36.45, lng=115.98,
                                accuracy=8.5)
    services.assignment_advance(assignment_id=first.pk, officer=officer, to="en_route", lat=36.46, lng=115.99)
    services.assignment_advance(assignment_id=second.pk, officer=other_officer, to="declined", reason="车坏了")
    dispatch(earlier, dispatcher, third_officer)
    (forced,) = dispatch(crash, dispatcher, third_officer, force=True)
    # Long unreceived, with an attempt to reach the officer on the desk.
    Assignment.objects.filter(pk=forced.pk).update(dispatched_at=timezone.now() - timedelta(minutes=5))
    NotificationAttempt.objects.create(assignment=forced, step="push", channel="webpush", at=timezone.now(),
                                       result="failed", reason="订阅已失效")
    services.assignment_advance(assignment_id=first.pk, officer=officer, to="on_scene")
    quick_clearance_save(
        job_id=crash.pk, officer=officer, changes={"vehicle_vs_vehicle": True, "agreement": "agreed", "notes": "已撤离"},
        parties=[{"plate": "鲁P12345", "vehicle_type": "小型轿车", "insurer": "人保", "responsibility": None}],
        status="later",
    )

    rescue = new_job(dispatcher, kind="help", summary="老人走失", address="")
    (helper,) = dispatch(rescue, dispatcher, other_officer)
    services.assignment_advance(assignment_id=helper.pk, officer=other_officer, to="on_scene")
    rescue_save(job_id=rescue.pk, officer=other_officer, changes={"notes": "已联系家属"})
    services.job_cancel(job_id=rescue.pk, by=dispatcher, reason="重复报警")

    spill = new_job(dispatcher, kind="hazard", summary="路面散落货物")
    (cleaner,) = dispatch(spill, dispatcher, squadless)
    services.assignment_advance(assignment_id=cleaner.pk, officer=squadless, to="cleared", lat=36.44, lng=115.97,
                                accuracy=None)
    found = job_found_create(officer=squadless, kind="hazard", lat=36.47, lng=115.96, note="路面坑洞")
    # Made outside the services (an import, the admin): no dispatcher.
    Assignment.objects.create(job=spill, officer=off_duty, status="withdrawn", dispatched_at=timezone.now(),
                              withdrawn_at=timezone.now())
    return {"jobs": [earlier, crash, rescue, spill, found.job]}


def test_the_city_has_every_state(city):
    assert set(Assignment.objects.values_list("status", flat=True)) == {
        "dispatched", "on_scene", "declined", "withdrawn", "cleared"}
    assert set(Job.objects.values_list("status", flat=True)) == {"open", "closed", "cancelled"}
    assert Assignment.objects.filter(forced=True, dispatched_by__isnull=False).exists()
    assert Assignment.objects.filter(dispatched_by__isnull=True).exists()


def test_an_assignment_built_by_hand_is_assignment_out(city):
    now = timezone.now()
    for assignment_id in Assignment.objects.values_list("pk", flat=True):
        read = selectors.assignment_full(assignment_id)
        assert_same(assignment_json(read, now), AssignmentOut(read, context={"now": now}).data)
    unreceived = [assignment_json(a, now)["unreceived"] for a in Assignment.objects.select_related(
        "job__linked_job", "officer__user", "officer__squad", "dispatched_by")]
    assert True in unreceived and False in unreceived


def test_an_officer_built_by_hand_is_officer_out(city):
    now = timezone.now()
    states = set()
    for officer in selectors.officers_board():
        assert_same(officer_json(officer, now), OfficerOut(officer, context={"now": now}).data)
        states.add(officer_json(officer, now)["state"])
    assert states == {"off_duty", "busy", "available"}


def test_a_job_built_by_hand_is_job_out_and_the_desks_job(city):
    now = timezone.now()
    context = {"now": now}
    for job in selectors.jobs_for_dispatcher(status="all"):
        assert_same(job_json(job, now), JobOut(job, context=context).data)
        assert_same(events.desk_job_json(job, now=now), JobDeskOut(job, context=context).data)
        detail = selectors.job_for_user(job_id=job.pk, dispatcher=True, officer=None, with_events=True)
        assert_same(events.desk_job_json(detail, now=now, with_events=True), JobDeskDetailOut(detail, context=context).data)


def test_a_dispatch_answer_built_by_hand_is_dispatch_result_out(city, dispatcher, officer, other_officer):
    crash = city["jobs"][1]
    busy = Officer.objects.get(call_sign="铁骑04")
    result = services.job_dispatch(job_id=crash.pk, officer_ids=[officer.pk, other_officer.pk, busy.pk],
                                   dispatcher=dispatcher, force=True)
    now = timezone.now()
    built = dispatch_result_json(result, now)
    assert_same(built, DispatchResultOut(result, context={"now": now}).data)
    assert [s["code"] for s in built["skipped"]] == ["already_assigned", "already_assigned"]
    assert len(built["created"]) == 1


def test_a_dispatchs_pushes_leave_together_in_order_after_the_commit(
    dispatcher, duty_officer, monkeypatch, django_capture_on_commit_callbacks
):
    job = new_job(dispatcher)
    hops: list[list[tuple[str, dict[str, Any]]]] = []
    monkeypatch.setattr(events, "send_all", hops.append)
    with django_capture_on_commit_callbacks() as callbacks:
        dispatch(job, dispatcher, duty_officer)
    assert hops == []
    for callback in callbacks:
        callback()
    (hop,) = hops
    assert [(group, message["type"]) for group, message in hop] == [
        (events.officer_group(duty_officer.pk), "feed.message"),
        (events.DISPATCH_GROUP, "desk.frame"),
        (events.DISPATCH_GROUP, "desk.frame"),
    ]
    assert [message["frame"]["type"] for _group, message in hop] == [
        "assignment.new", "assignment.changed", "officer.changed"]


def test_pushes_of_a_block_that_fails_are_not_sent(dispatcher, monkeypatch, django_capture_on_commit_callbacks):
    job = selectors.job_full(new_job(dispatcher).pk)
    hops: list[Any] = []
    monkeypatch.setattr(events, "send_all", hops.append)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with events.one_hop():
                events.desk_job_changed_on_commit(job)
                raise RuntimeError("the work failed")
    assert hops == []


def _closing_pushes(monkeypatch, django_capture_on_commit_callbacks, step) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The job.changed frames that the closing `step` pushes: the desk's and the officers' feed's."""
    hops: list[list[tuple[str, dict[str, Any]]]] = []
    monkeypatch.setattr(events, "send_all", hops.append)
    with django_capture_on_commit_callbacks(execute=True):
        step()
    jobs = [(group, message["frame"]["job"]) for hop in hops for group, message in hop
            if message["frame"]["type"] == "job.changed"]
    return {
        "desk": [job for group, job in jobs if group == events.DISPATCH_GROUP],
        "feed": [job for group, job in jobs if group != events.DISPATCH_GROUP],
    }


def test_the_job_a_step_closes_is_pushed_as_reading_it_back_shows_it(
    db, dispatcher, officer, other_officer, monkeypatch, django_capture_on_commit_callbacks
):
    """Made from the rows the step holds (selectors.job_closed_by_step), not read back: every part
    a closed job can show, compared with job_full() read after the commit."""
    import io

    from fieldapp.records_services import RECORD_QUICK_CLEARANCE, clean_upload, record_photo_add
    from tests.records_support import jpeg

    on_duty(officer)
    on_duty(other_officer)
    # Made by a dispatcher who is not the one dispatching, linked to an earlier job.
    maker = make_user("desk3", group=DISPATCHER, full_name="孙七")
    earlier = new_job(dispatcher, kind="hazard")
    crash = new_job(maker, kind="accident", linked_job_id=earlier.pk, address="东昌路")
    mine, theirs = dispatch(crash, dispatcher, officer, other_officer)
    services.assignment_advance(assignment_id=theirs.pk, officer=other_officer, to="declined", reason="车坏了")
    NotificationAttempt.objects.create(assignment=theirs, step="sms", channel="log", at=timezone.now(), result="sent")
    services.assignment_advance(assignment_id=mine.pk, officer=officer, to="on_scene", lat=36.45, lng=115.98)
    quick_clearance_save(
        job_id=crash.pk, officer=officer, changes={"vehicle_vs_vehicle": True, "agreement": "agreed"},
        parties=[{"plate": "鲁P12345", "vehicle_type": "小型轿车", "insurer": "人保", "responsibility": None}],
        status="later",
    )
    photo = jpeg()
    # Taken twice: the retake supersedes the first, which neither shape shows.
    for _take in range(2):
        record_photo_add(job_id=crash.pk, officer=officer, record=RECORD_QUICK_CLEARANCE, slot="front_side",
                         clean=clean_upload(io.BytesIO(photo), size=len(photo)))
    # A rescue, made and closed by the same dispatcher; and a plain job with no record.
    help_job = new_job(dispatcher, kind="help", summary="老人走失")
    (helper,) = dispatch(help_job, dispatcher, other_officer)
    services.assignment_advance(assignment_id=helper.pk, officer=other_officer, to="on_scene")
    rescue_save(job_id=help_job.pk, officer=other_officer, changes={"notes": "已联系家属"})
    spill = new_job(dispatcher, kind="hazard", summary="路面散落货物")
    (cleaner,) = dispatch(spill, dispatcher, officer, force=True)

    closing = [
        (crash, lambda: services.assignment_advance(assignment_id=mine.pk, officer=officer, to="cleared")),
        (help_job, lambda: services.assignment_advance(assignment_id=helper.pk, user=other_officer.user, to="cleared")),
        (spill, lambda: services.assignment_advance(assignment_id=cleaner.pk, officer=officer, to="cleared")),
    ]
    for job, step in closing:
        pushed = _closing_pushes(monkeypatch, django_capture_on_commit_callbacks, step)
        read = selectors.job_full(job.pk)
        assert read.status == "closed"
        (desk,) = pushed["desk"]
        assert_same(desk, events.desk_job_json(read))
        assert pushed["feed"], "the officers on the job are told"
        for feed in pushed["feed"]:
            assert_same(feed, job_json(read))
    crash_desk = events.desk_job_json(selectors.job_full(crash.pk))
    assert crash_desk["linked_job"]["id"] == earlier.pk and crash_desk["created_by"]["name"] == "孙七"
    assert crash_desk["records"]["quick_clearance"]["parties"][0]["plate"] == "鲁P12345"
    assert len(crash_desk["records"]["quick_clearance"]["photos"]) == 1
    assert [len(a["notifications"]) for a in crash_desk["assignments"]] == [0, 1]
    assert events.desk_job_json(selectors.job_full(help_job.pk))["records"]["rescue"] is not None

"""Concurrent requests with real threads: nothing recorded twice, nothing corrupted (PostgreSQL and SQLite)."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from fieldapp.models import Assignment, Job, JobEvent, OfficerMessage
from tests.helpers import at_once, client_for, dispatch, finish_later, new_job, on_duty, require

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_simultaneous_taps_on_the_same_step_record_it_once(assignment, duty_officer):
    user = duty_officer.user
    url = f"/api/v1/assignments/{assignment.pk}/advance/"
    responses = at_once(20, lambda i: client_for(user).post(url, {"to": "accepted"}, format="json"))
    assert [getattr(r, "status_code", r) for r in responses] == [200] * 20
    assert JobEvent.objects.filter(assignment=assignment, kind="assignment.step").count() == 1
    assert OfficerMessage.objects.filter(officer=duty_officer, type="assignment.changed").count() == 1
    assignment.refresh_from_db()
    assert assignment.status == "accepted"


def test_twenty_simultaneous_different_steps_keep_the_order(assignment, duty_officer):
    user = duty_officer.user
    url = f"/api/v1/assignments/{assignment.pk}/advance/"
    finish_later(assignment.job, duty_officer)
    steps = ["accepted", "en_route", "on_scene", "cleared"] * 5
    responses = at_once(20, lambda i: client_for(user).post(url, {"to": steps[i]}, format="json"))
    assert {getattr(r, "status_code", r) for r in responses} <= {200, 409}
    # Every "cleared" tap finds the assignment before or at that step, so all five succeed.
    assert [r.status_code for step, r in zip(steps, responses) if step == "cleared"] == [200] * 5
    recorded = list(
        JobEvent.objects.filter(assignment=assignment, kind="assignment.step").order_by("pk").values_list("data", flat=True)
    )
    order = ["dispatched", "accepted", "en_route", "on_scene", "cleared"]
    assert recorded, "no step was recorded"
    # The recorded steps form one chain from "dispatched" to "cleared", each strictly forward.
    assert [e["from"] for e in recorded] == ["dispatched"] + [e["to"] for e in recorded[:-1]]
    assert all(order.index(e["to"]) > order.index(e["from"]) for e in recorded)
    assert recorded[-1]["to"] == "cleared"
    assert OfficerMessage.objects.filter(officer=duty_officer, type="assignment.changed").count() == len(recorded)
    assignment.refresh_from_db()
    assert assignment.status == "cleared"


def test_two_simultaneous_dispatches_of_one_officer_create_one_assignment(job, dispatcher, duty_officer):
    url = f"/api/v1/jobs/{job.pk}/dispatch/"
    responses = at_once(2, lambda i: client_for(dispatcher).post(url, {"officers": [duty_officer.pk]}, format="json"))
    assert [r.status_code for r in responses] == [200, 200]
    assert sorted(len(r.json()["created"]) for r in responses) == [0, 1]
    assert Assignment.objects.filter(job=job, officer=duty_officer).count() == 1
    assert OfficerMessage.objects.filter(officer=duty_officer).count() == 1


def test_two_dispatchers_sending_one_officer_to_two_jobs_without_force(dispatcher, duty_officer):
    jobs = [new_job(dispatcher), new_job(dispatcher)]
    responses = at_once(
        2,
        lambda i: client_for(dispatcher).post(
            f"/api/v1/jobs/{jobs[i].pk}/dispatch/", {"officers": [duty_officer.pk]}, format="json"
        ),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert Assignment.objects.filter(officer=duty_officer).count() == 1


def test_simultaneous_jobs_get_distinct_consecutive_numbers(dispatcher):
    body = {"kind": "congestion", "summary": "拥堵", "lat": 36.45, "lng": 115.98}
    responses = at_once(12, lambda i: client_for(dispatcher).post("/api/v1/jobs/", body, format="json"))
    assert [getattr(r, "status_code", r) for r in responses] == [201] * 12
    suffixes = sorted(int(number.split("-")[1]) for number in Job.objects.values_list("number", flat=True))
    assert suffixes == list(range(1, 13))


def test_simultaneous_dispatches_to_many_jobs_keep_the_feed_gapless(dispatcher, duty_officer):
    jobs = [new_job(dispatcher) for _ in range(8)]
    responses = at_once(
        8,
        lambda i: client_for(dispatcher).post(
            f"/api/v1/jobs/{jobs[i].pk}/dispatch/", {"officers": [duty_officer.pk], "force": True}, format="json"
        ),
    )
    assert [r.status_code for r in responses] == [200] * 8
    seqs = sorted(OfficerMessage.objects.filter(officer=duty_officer).values_list("seq", flat=True))
    assert seqs == list(range(1, 9))


def test_concurrent_retries_with_one_idempotency_key_do_the_work_once(assignment, duty_officer):
    user = duty_officer.user
    url = f"/api/v1/assignments/{assignment.pk}/advance/"
    responses = at_once(
        10, lambda i: client_for(user).post(url, {"to": "on_scene"}, format="json", HTTP_IDEMPOTENCY_KEY="tap-77")
    )
    assert Counter(getattr(r, "status_code", r) for r in responses) == Counter({200: 10})
    assert len({r.content for r in responses}) == 1
    assert sum(1 for r in responses if r.get("Idempotent-Replayed") == "true") == 9
    assert JobEvent.objects.filter(assignment=assignment, kind="assignment.step").count() == 1


def test_clearing_by_two_officers_at_once_closes_the_job_once(job, dispatcher, duty_officer, other_officer):
    on_duty(other_officer)
    assignments = dispatch(job, dispatcher, duty_officer, other_officer)
    finish_later(job, duty_officer)
    users = [duty_officer.user, other_officer.user]
    responses = at_once(
        2,
        lambda i: client_for(users[i]).post(
            f"/api/v1/assignments/{assignments[i].pk}/advance/", {"to": "cleared"}, format="json"
        ),
    )
    assert [r.status_code for r in responses] == [200, 200]
    job.refresh_from_db()
    assert job.status == "closed"
    assert JobEvent.objects.filter(job=job, kind="job.closed").count() == 1


def test_acks_racing_steps_never_deadlock(dispatcher, duty_officer):
    from fieldapp import services

    for _ in range(6):
        job = new_job(dispatcher, kind="hazard", summary="路面散落货物")
        (assignment,) = dispatch(job, dispatcher, duty_officer, force=True)
        seq = OfficerMessage.objects.get(officer=duty_officer, type="assignment.new", frame__assignment__id=assignment.pk).seq
        calls = [
            lambda: services.feed_ack(officer_id=duty_officer.pk, seq=seq),
            lambda: services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="cleared"),
        ]
        results = at_once(2, lambda i: calls[i]())
        assert not [r for r in results if isinstance(r, Exception)], results
        job.refresh_from_db()
        assert job.status == "closed"


def test_auto_close_racing_a_dispatch_of_the_same_officers_never_deadlocks(dispatcher, duty_officer, other_officer):
    from fieldapp import services

    on_duty(other_officer)
    for _ in range(4):
        finishing, next_job = new_job(dispatcher, kind="hazard", summary="路面散落货物"), new_job(dispatcher)
        mine, theirs = dispatch(finishing, dispatcher, duty_officer, other_officer, force=True)
        services.assignment_advance(assignment_id=mine.pk, officer=duty_officer, to="cleared")
        calls = [
            lambda: services.assignment_advance(assignment_id=theirs.pk, officer=other_officer, to="cleared"),
            lambda: services.job_dispatch(
                job_id=next_job.pk, officer_ids=[other_officer.pk, duty_officer.pk], dispatcher=dispatcher, force=True
            ),
        ]
        results = at_once(2, lambda i: calls[i]())
        assert not [r for r in results if isinstance(r, Exception)], results
        finishing.refresh_from_db()
        assert finishing.status == "closed"


@pytest.mark.postgres
def test_a_step_waits_for_the_job_before_it_locks_the_assignment(assignment, duty_officer):
    """A step locks job and assignment in one statement; it must hold neither while it waits for the job,
    or a close (job, then its assignments) and the step would each hold what the other waits for."""
    import threading
    import time

    from django.db import DatabaseError, connection, transaction

    # Row locks are PostgreSQL's; SQLite serialises whole transactions.
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    url = f"/api/v1/assignments/{assignment.pk}/advance/"
    answers: list[Any] = []

    def step() -> None:
        try:
            answers.append(client_for(duty_officer.user).post(url, {"to": "accepted"}, format="json"))
        finally:
            connection.close()

    with transaction.atomic():
        Job.objects.select_for_update(no_key=True).get(pk=assignment.job_id)
        thread = threading.Thread(target=step)
        thread.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while True:
                # Inside a transaction, pg_stat_activity keeps what it first read unless told to forget it.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                assert time.monotonic() < deadline, "the step never waited for the job"
                time.sleep(0.01)
        try:
            Assignment.objects.select_for_update(no_key=True, nowait=True).get(pk=assignment.pk)
        except DatabaseError:
            pytest.fail("the step held the assignment while it waited for the job")
    thread.join(timeout=30)
    assert [r.status_code for r in answers] == [200]

"""common.plainsql reads the same rows, in the same order and as the same values, as the ORM's filter."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from common import plainsql
from fieldapp import services
from fieldapp.models import Assignment, NotificationAttempt

pytestmark = pytest.mark.django_db


def attempts_of(assignments, now):
    made = []
    for index, assignment in enumerate(assignments):
        for step, minutes in (("sms", 2), ("voice", 1), ("desk", 1)):
            made.append(NotificationAttempt.objects.create(
                assignment=assignment, step=step, channel=step, at=now - timedelta(minutes=minutes + index),
                result="sent", reason="",
            ))
    return made


def fields(rows):
    return [{f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields} for row in rows]


def test_rows_are_the_orms_rows_in_the_orms_order(job, dispatcher, duty_officer, third_officer):
    services.officer_set_duty(officer_id=third_officer.pk, on_duty=True)
    result = services.job_dispatch(job_id=job.pk, officer_ids=[duty_officer.pk, third_officer.pk], dispatcher=dispatcher)
    assignments = [created for created in result.created]
    attempts_of(assignments, timezone.now())
    wanted = [assignment.pk for assignment in assignments]

    plain = plainsql.rows(NotificationAttempt, where={"assignment": wanted}, order_by=("at", "id"))
    orm = NotificationAttempt.objects.filter(assignment_id__in=wanted).order_by("at", "id")

    assert len(plain) == 6
    assert fields(plain) == fields(orm)
    # Values come converted, as a query gives them: aware datetimes, not text (SQLite).
    assert all(timezone.is_aware(row.at) for row in plain)


def test_one_value_in_and_is_null(job, dispatcher, duty_officer):
    result = services.job_dispatch(job_id=job.pk, officer_ids=[duty_officer.pk], dispatcher=dispatcher)
    (assignment,) = result.created
    assert fields(plainsql.rows(Assignment, where={"job": job.pk}, is_null=("accepted_at",))) == fields(
        Assignment.objects.filter(job=job, accepted_at__isnull=True).order_by("pk")
    )
    services.assignment_advance(assignment_id=assignment.pk, officer=duty_officer, to="accepted")
    assert plainsql.rows(Assignment, where={"job": job.pk}, is_null=("accepted_at",)) == []
    assert plainsql.rows(NotificationAttempt, where={"assignment": []}) == []
    assert plainsql.ids(Assignment, where={"job": job.pk}) == [assignment.pk]
    assert plainsql.ids(Assignment, where={"job": job.pk + 1000}) == []

"""Dispatch in Django admin (the audit log is read-only) and the demo data command."""
from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from fieldapp.models import Assignment, Job, JobEvent, Officer


@pytest.fixture
def admin_client_(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_job_admin_shows_assignments_and_events(admin_client_, assignment):
    response = admin_client_.get(f"/admin/fieldapp/job/{assignment.job_id}/change/")
    assert response.status_code == 200
    assert "铁骑01" in response.content.decode()
    assert admin_client_.get("/admin/fieldapp/job/").status_code == 200


def test_job_events_cannot_be_added_changed_or_deleted_in_admin(admin_client_, assignment):
    event = JobEvent.objects.filter(job_id=assignment.job_id).first()
    assert admin_client_.get("/admin/fieldapp/jobevent/").status_code == 200
    assert admin_client_.get("/admin/fieldapp/jobevent/add/").status_code == 403
    admin_client_.post(f"/admin/fieldapp/jobevent/{event.pk}/change/", {"kind": "job.closed", "data": "{}"})
    assert admin_client_.post(f"/admin/fieldapp/jobevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event_after = JobEvent.objects.get(pk=event.pk)
    assert (event_after.kind, event_after.data) == (event.kind, event.data)


def test_officer_admin_shows_the_duty_history(admin_client_, duty_officer):
    response = admin_client_.get(f"/admin/fieldapp/officer/{duty_officer.pk}/change/")
    assert response.status_code == 200
    assert admin_client_.get("/admin/fieldapp/dutychange/").status_code == 200


def test_admin_speaks_chinese(admin_client_, assignment):
    body = admin_client_.get("/admin/fieldapp/job/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "警情" in body


@pytest.mark.django_db
def test_demo_field_is_idempotent():
    out = StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=out)
    assert "Demo dispatch data ready." in out.getvalue()
    assert Officer.objects.filter(on_duty=True, fix_at__isnull=False).count() == 6
    assert Officer.objects.get(user__username="officer7").on_duty is False
    assert Job.objects.filter(status="open").count() == 2
    # The 30 days of history (job numbers "H…", all ended) have assignments of their own.
    assert Assignment.objects.exclude(job__number__startswith="H").count() == 1

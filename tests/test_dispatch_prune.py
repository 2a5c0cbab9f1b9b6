"""Old feed frames and idempotency records are pruned; the feed keeps counting."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fieldapp.models import IdempotencyRecord, OfficerMessage
from tests.helpers import dispatch, new_job


def test_prune_deletes_only_old_feed_frames_and_keys_and_the_seq_keeps_rising(api, dispatcher, duty_officer):
    dispatch(new_job(dispatcher), dispatcher, duty_officer)
    api.force_authenticate(dispatcher)
    created = api.post("/api/v1/jobs/", {"kind": "accident", "summary": "追尾", "lat": 36.45, "lng": 115.98},
                       format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201
    old = timezone.now() - timedelta(days=30)
    OfficerMessage.objects.update(created_at=old)
    IdempotencyRecord.objects.update(created_at=old)
    last_seq = OfficerMessage.objects.filter(officer=duty_officer).latest("seq").seq

    out = StringIO()
    call_command("prune_dispatch", stdout=out)
    assert "Deleted 1 feed frames and 1 idempotency records." in out.getvalue()
    assert not OfficerMessage.objects.exists()
    assert not IdempotencyRecord.objects.exists()

    dispatch(new_job(dispatcher), dispatcher, duty_officer, force=True)
    assert OfficerMessage.objects.get(officer=duty_officer).seq == last_seq + 1


def test_prune_keeps_recent_records(dispatcher, duty_officer):
    dispatch(new_job(dispatcher), dispatcher, duty_officer)
    call_command("prune_dispatch", stdout=StringIO())
    assert OfficerMessage.objects.count() == 1


@pytest.mark.django_db
def test_prune_refuses_a_zero_retention():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_dispatch", "--feed-days", "0")

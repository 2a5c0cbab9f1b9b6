"""Reads of the field records: a job with its records for one user, a photo for one user, unfinished records."""
from __future__ import annotations

from typing import Any

from common.roles import ADMIN, DISPATCHER, user_has_role
from fieldapp.models import Job, Officer, QuickClearance, RecordPhoto, RecordStatus, Rescue
from fieldapp.selectors import job_for_user, officer_for_user

UNFINISHED = (RecordStatus.DRAFT, RecordStatus.LATER)


def reads_all_records(user: Any) -> bool:
    """Dispatchers and admins read every record, with the citizens' personal data."""
    return user_has_role(user, DISPATCHER) or user_has_role(user, ADMIN)


def job_with_records(*, job_id: int, user: Any, officer: Officer | None) -> Job | None:
    """The job with its records and current photos, if this user may read them (else None: a 404)."""
    return job_for_user(job_id=job_id, dispatcher=reads_all_records(user), officer=officer)


def record_photo_for_user(*, photo_id: int, user: Any) -> RecordPhoto | None:
    photos = RecordPhoto.objects.filter(pk=photo_id)
    if not reads_all_records(user):
        officer = officer_for_user(user)
        if officer is None:
            return None
        photos = photos.filter(job__assignments__officer=officer)
    return photos.first()


def records_unfinished(*, officer: Officer) -> list[dict[str, Any]]:
    """The officer's records still to finish (draft or marked to finish later), oldest first."""
    rows: list[dict[str, Any]] = []
    for record_name, model in (("quick_clearance", QuickClearance), ("rescue", Rescue)):
        for record in model.objects.filter(officer=officer, status__in=UNFINISHED).select_related("job"):
            rows.append({
                "record": record_name, "job_id": record.job_id, "job_number": record.job.number,
                "job_summary": record.job.summary, "status": record.status, "received_at": record.received_at,
            })
    rows.sort(key=lambda row: row["received_at"])
    return rows

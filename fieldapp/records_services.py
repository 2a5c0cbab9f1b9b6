"""Writes of the field records and of jobs found on patrol.

The same rules as fieldapp.services: one transaction, the job row locked
first (then assignment, then officer), the audit log (JobEvent) written in
the same transaction, and the desk told after the commit. Every officer
action takes the device time of the tap; the server keeps it beside the time
it received the action, and refuses a device time beyond CLOCK_SKEW ahead.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError, InvalidInput, NotFound
from common.images import CleanImage, photo_clean
from fieldapp import events, records
from fieldapp.models import (
    ACTIVE_STATUSES,
    Assignment,
    Job,
    JobEvent,
    Officer,
    Party,
    QuickClearance,
    RecordPhoto,
    RecordStatus,
    Rescue,
)
from fieldapp.selectors import assignment_full, job_full, officer_with_state
from fieldapp.services import (
    CLOCK_SKEW,
    _check_not_future,
    _check_point,
    _event,
    _feed_append,
    _lock_job,
    _lock_officers,
    _next_job_number,
)

# Officers who may write a job's records: on the job now, or cleared from it
# (a record marked "to finish later" is finished after clearing).
WRITER_STATUSES = (*ACTIVE_STATUSES, Assignment.Status.CLEARED)

QUICK_CLEARANCE_FIELDS = (
    *records.CHECKLIST, "agreement", "vehicles_moved_at", "lanes_open_at", "tow_called", "notes",
)
RESCUE_FIELDS = (
    "kind", "people_helped", "handed_to_kind", "handed_to_name", "handed_to_phone", "outcome",
    "started_at", "ended_at", "notes",
)
RECORD_QUICK_CLEARANCE = "quick_clearance"
RECORD_RESCUE = "rescue"


def _writer(job: Job, officer: Officer) -> Assignment:
    """The officer's assignment on the job, if it lets them write the job's records."""
    assignment = Assignment.objects.filter(job=job, officer=officer).first()
    if assignment is None:
        # For an officer not on the job, the job does not exist.
        raise NotFound(_("No such job."))
    if assignment.status not in WRITER_STATUSES:
        raise DomainError(
            _("You are no longer on this job (%(status)s).") % {"status": assignment.get_status_display()},
            code="assignment_ended",
        )
    if job.status == Job.Status.CANCELLED:
        raise DomainError(_("Job %(number)s was cancelled.") % {"number": job.number}, code="job_cancelled")
    return assignment


def _require_kind(job: Job, kinds: tuple[str, ...], code: str, message: str) -> None:
    if job.kind not in kinds:
        raise DomainError(message, code=code)


def _refuse_problems(problems: records.Problems) -> None:
    if problems:
        first = next(iter(problems.fields.values()))[0]
        raise InvalidInput(first, fields=problems.fields)


def _quick_clearance_locked(job: Job, officer: Officer, now: datetime) -> tuple[QuickClearance, bool]:
    record = QuickClearance.objects.select_for_update(no_key=True).filter(job=job).first()
    if record is not None:
        return record, False
    return QuickClearance.objects.create(job=job, officer=officer, received_at=now), True


def _rescue_locked(job: Job, officer: Officer, now: datetime) -> tuple[Rescue, bool]:
    record = Rescue.objects.select_for_update(no_key=True).filter(job=job).first()
    if record is not None:
        return record, False
    return Rescue.objects.create(job=job, officer=officer, received_at=now), True


def _lock_for_quick_clearance(job_id: int, officer: Officer) -> Job:
    job = _lock_job(job_id)
    _writer(job, officer)
    _require_kind(
        job, records.QUICK_CLEARANCE_KINDS, "not_quick_clearance_job",
        _("Only an accident or breakdown job has a quick-clearance record."),
    )
    return job


def _lock_for_rescue(job_id: int, officer: Officer) -> Job:
    job = _lock_job(job_id)
    _writer(job, officer)
    _require_kind(job, records.RESCUE_KINDS, "not_rescue_job", _("Only a citizen-help job has a rescue record."))
    return job


def _status_change(record: QuickClearance | Rescue, status: str | None, now: datetime) -> str:
    status = status or record.status
    if status not in RecordStatus.values:
        raise InvalidInput(_("Unknown record status."), fields={"status": [_("Unknown record status.")]})
    if status == RecordStatus.COMPLETE and record.completed_at is None:
        record.completed_at = now
    if status != RecordStatus.COMPLETE:
        record.completed_at = None
    return status


# --- quick clearance ------------------------------------------------------

@transaction.atomic
def quick_clearance_save(
    *, job_id: int, officer: Officer, changes: dict[str, Any], parties: list[dict[str, Any]] | None = None,
    status: str | None = None, device_time: datetime | None = None,
) -> QuickClearance:
    """Save the quick-clearance record in steps: only the given fields (and parties, when given) change.

    The checklist's outcome is derived here and stored with the failing items:
    one failed item sends the case to the ordinary procedure (一般程序), which
    is a record in itself.
    """
    now = timezone.now()
    _check_not_future(device_time, now)
    _refuse_unknown_fields(changes, QUICK_CLEARANCE_FIELDS)
    job = _lock_for_quick_clearance(job_id, officer)
    record, created = _quick_clearance_locked(job, officer, now)
    for name, value in changes.items():
        setattr(record, name, "" if value is None and name in ("agreement", "notes") else value)
    current_parties = (
        [records.PartyValues(**party) for party in parties]
        if parties is not None
        else [
            records.PartyValues(p.plate, p.vehicle_type, p.insurer, p.responsibility)
            for p in record.parties.order_by("position", "id")
        ]
    )
    record.status = _status_change(record, status, now)
    answers = {item: getattr(record, item) for item in records.CHECKLIST}
    problems = records.quick_clearance_problems(
        answers=answers, parties=current_parties, agreement=record.agreement,
        vehicles_moved_at=record.vehicles_moved_at, lanes_open_at=record.lanes_open_at, tow_called=record.tow_called,
        slots_filled=_slots_filled(record), status=record.status, now=now, skew=CLOCK_SKEW,
    )
    _refuse_problems(problems)
    verdict = records.checklist_evaluate(answers)
    record.outcome = verdict.outcome or ""
    record.failing_items = list(verdict.failing)
    record.device_time = device_time
    record.received_at = now
    record.save()
    if parties is not None:
        record.parties.all().delete()
        Party.objects.bulk_create(
            Party(
                quick_clearance=record, position=index, plate=party.plate.strip().upper(),
                vehicle_type=party.vehicle_type.strip(), insurer=party.insurer.strip(),
                responsibility=party.responsibility or None,
            )
            for index, party in enumerate(current_parties)
        )
    _event(
        job=job, kind=JobEvent.Kind.RECORD_SAVED, at=now, actor=officer.user, device_at=device_time,
        data={
            "record": RECORD_QUICK_CLEARANCE, "created": created, "status": record.status, "outcome": record.outcome,
            "failing_items": record.failing_items,
            "fields": sorted({*changes, *(["parties"] if parties is not None else [])}),
        },
    )
    events.desk_job_changed_on_commit(job_full(job.pk))
    return record


def _refuse_unknown_fields(changes: dict[str, Any], known: Iterable[str]) -> None:
    unknown = set(changes) - set(known)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})


def _slots_filled(record: QuickClearance) -> set[str]:
    return set(
        record.photos.filter(superseded_at__isnull=True).exclude(slot=RecordPhoto.Slot.EXTRA).values_list("slot", flat=True)
    )


def quick_clearance_lets_clear(job: Job) -> bool:
    """An accident or breakdown may be cleared once its record is complete or marked to finish later."""
    if job.kind not in records.QUICK_CLEARANCE_KINDS:
        return True
    return QuickClearance.objects.filter(job=job, status__in=records.CLEARING_STATUSES).exists()


# --- rescue ---------------------------------------------------------------

@transaction.atomic
def rescue_save(
    *, job_id: int, officer: Officer, changes: dict[str, Any], status: str | None = None,
    device_time: datetime | None = None,
) -> Rescue:
    """Save the rescue record in steps: only the given fields change."""
    now = timezone.now()
    _check_not_future(device_time, now)
    _refuse_unknown_fields(changes, RESCUE_FIELDS)
    job = _lock_for_rescue(job_id, officer)
    record, created = _rescue_locked(job, officer, now)
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(record, name, "" if value is None and name not in ("people_helped", "started_at", "ended_at") else value)
    record.status = _status_change(record, status, now)
    problems = records.rescue_problems(
        kind=record.kind, people_helped=record.people_helped, handed_to_kind=record.handed_to_kind,
        handed_to_name=record.handed_to_name, started_at=record.started_at, ended_at=record.ended_at,
        outcome=record.outcome, status=record.status, now=now, skew=CLOCK_SKEW,
    )
    _refuse_problems(problems)
    record.device_time = device_time
    record.received_at = now
    record.save()
    # The audit log names the fields that changed, never their values: they may be personal data.
    _event(
        job=job, kind=JobEvent.Kind.RECORD_SAVED, at=now, actor=officer.user, device_at=device_time,
        data={"record": RECORD_RESCUE, "created": created, "status": record.status, "fields": sorted(changes)},
    )
    events.desk_job_changed_on_commit(job_full(job.pk))
    return record


# --- photos ---------------------------------------------------------------

def clean_upload(upload: IO[bytes], *, size: int) -> CleanImage:
    """Check and clean a photo before any lock is taken or anything is stored."""
    return photo_clean(
        upload, size=size, max_bytes=settings.RECORD_PHOTO_MAX_BYTES, max_pixels=settings.RECORD_PHOTO_MAX_PIXELS
    )


def _store_photo(
    *, job: Job, officer: Officer, clean: CleanImage, slot: str, now: datetime, device_time: datetime | None,
    quick_clearance: QuickClearance | None = None, rescue: Rescue | None = None,
) -> RecordPhoto:
    name = uuid.uuid4().hex
    photo = RecordPhoto(
        job=job, quick_clearance=quick_clearance, rescue=rescue, slot=slot, width=clean.width, height=clean.height,
        bytes=len(clean.image), uploaded_by=officer, device_time=device_time, received_at=now,
    )
    photo.image.save(f"{name}.jpg", ContentFile(clean.image), save=False)
    try:
        photo.thumbnail.save(f"{name}-thumb.jpg", ContentFile(clean.thumbnail), save=False)
        photo.save()
    except Exception:
        # A failed save leaves no file behind.
        photo.image.delete(save=False)
        if photo.thumbnail:
            photo.thumbnail.delete(save=False)
        raise
    # Should the surrounding transaction roll back later, the files stay as orphans
    # without a row; they hold nothing that a row points at, and are never served.
    return photo


@dataclass
class PhotoAdded:
    photo: RecordPhoto
    record: QuickClearance | Rescue | None


@transaction.atomic
def record_photo_add(
    *, job_id: int, officer: Officer, record: str, slot: str, clean: CleanImage, device_time: datetime | None = None,
) -> PhotoAdded:
    """Add a cleaned photo to a job's quick clearance or rescue, starting the record as a draft if needed.

    A named slot (front side, rear side, point of impact) holds one photo: a
    new one replaces the old one, which stays in admin for the audit.
    """
    now = timezone.now()
    _check_not_future(device_time, now)
    if slot not in RecordPhoto.Slot.values:
        raise InvalidInput(_("Unknown photo slot."), fields={"slot": [_("Unknown photo slot.")]})
    quick_clearance = rescue = None
    if record == RECORD_QUICK_CLEARANCE:
        job = _lock_for_quick_clearance(job_id, officer)
        quick_clearance, created = _quick_clearance_locked(job, officer, now)
        if slot != RecordPhoto.Slot.EXTRA:
            RecordPhoto.objects.filter(quick_clearance=quick_clearance, slot=slot, superseded_at__isnull=True).update(
                superseded_at=now
            )
    elif record == RECORD_RESCUE:
        job = _lock_for_rescue(job_id, officer)
        if slot != RecordPhoto.Slot.EXTRA:
            raise InvalidInput(
                _("A rescue photo has no named slot: use extra."), fields={"slot": [_("Use the slot extra.")]}
            )
        rescue, created = _rescue_locked(job, officer, now)
    else:
        raise InvalidInput(_("Unknown record."))
    photo = _store_photo(
        job=job, officer=officer, clean=clean, slot=slot, now=now, device_time=device_time,
        quick_clearance=quick_clearance, rescue=rescue,
    )
    _event(
        job=job, kind=JobEvent.Kind.PHOTO_ADDED, at=now, actor=officer.user, device_at=device_time,
        data={"record": record, "photo_id": photo.pk, "slot": slot, "created": created},
    )
    events.desk_job_changed_on_commit(job_full(job.pk))
    return PhotoAdded(photo=photo, record=quick_clearance or rescue)


# --- jobs found on patrol -------------------------------------------------

# A found job's headline is its note's first line, as short as a dispatcher's summary: a long
# one filled the phone's job card and pushed the step button off the screen. The note is kept whole.
HEADLINE_CHARS = 40


def _headline(line: str) -> str:
    line = line.strip()
    return line if len(line) <= HEADLINE_CHARS else line[: HEADLINE_CHARS - 1].rstrip() + "…"


@transaction.atomic
def job_found_create(
    *, officer: Officer, kind: str, lat: float, lng: float, accuracy: float | None = None, note: str = "",
    device_time: datetime | None = None, clean: CleanImage | None = None,
) -> Assignment:
    """An on-duty officer starts a job they found on patrol: assigned to them and already on scene.

    The job appears on the desk at once (after the commit), where a dispatcher
    can send more officers to it.
    """
    if kind not in Job.Kind.values:
        raise InvalidInput(_("Unknown job kind."), fields={"kind": [_("Unknown job kind.")]})
    _check_point(lat, lng)
    if lat is None or lng is None:
        raise InvalidInput(_("Give the position of the job."), fields={"lat": [_("Give the position of the job.")]})
    now = timezone.now()
    _check_not_future(device_time, now)
    note = (note or "").strip()
    # The job is new, so no one else can hold it: locking the officer first keeps the lock order.
    (locked,) = _lock_officers([officer.pk])
    if not locked.on_duty:
        raise DomainError(_("Go on duty to start a job."), code="off_duty")
    tapped_at = min(device_time or now, now)
    label = str(Job.Kind(kind).label)
    summary = _headline(note.splitlines()[0]) if note.strip() else _("Found on patrol: %(kind)s") % {"kind": label}
    job = Job.objects.create(
        number=_next_job_number(now), kind=kind, summary=summary, description=note, lat=lat, lng=lng,
        source=Job.Source.OFFICER, reported_at=tapped_at, created_by=officer.user,
    )
    _event(job=job, kind=JobEvent.Kind.JOB_CREATED, at=now, actor=officer.user, device_at=device_time,
           lat=lat, lng=lng, data={"source": Job.Source.OFFICER, "found_on_patrol": True})
    assignment = Assignment.objects.create(
        job=job, officer=locked, status=Assignment.Status.ON_SCENE, dispatched_by=officer.user, dispatched_at=now,
        received_at=now, accepted_at=now, on_scene_at=now,
        positions={"on_scene": {"lat": lat, "lng": lng, "accuracy_m": accuracy}},
    )
    _event(job=job, assignment=assignment, kind=JobEvent.Kind.DISPATCHED, at=now, actor=officer.user,
           device_at=device_time, data={"officer_id": locked.pk, "forced": False, "self_assigned": True})
    _event(job=job, assignment=assignment, kind=JobEvent.Kind.STEP, at=now, actor=officer.user, device_at=device_time,
           lat=lat, lng=lng, data={"from": "dispatched", "to": "on_scene", "reason": ""})
    if clean is not None:
        photo = _store_photo(job=job, officer=locked, clean=clean, slot=RecordPhoto.Slot.EXTRA, now=now,
                             device_time=device_time)
        _event(job=job, kind=JobEvent.Kind.PHOTO_ADDED, at=now, actor=officer.user, device_at=device_time,
               data={"record": "job", "photo_id": photo.pk, "slot": photo.slot, "created": False})
    full = assignment_full(assignment.pk)
    # On the officer's feed too, so the officer's other screens and a resumed phone have it.
    body = events.assignment_body(full)
    _feed_append(officer=locked, type=events.ASSIGNMENT_NEW, body=body)
    events.desk_job_changed_on_commit(job_full(job.pk))
    events.desk_assignment_changed_on_commit(full, body)
    events.desk_officer_changed_on_commit(officer_with_state(locked.pk))
    return full

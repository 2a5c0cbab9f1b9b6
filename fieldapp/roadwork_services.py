"""Road work writes: points, traffic reports, hazards through their statuses, outreach events.

Each is one transaction; a hazard is locked while it moves and every move is
kept as a HazardEvent (who, when, from, to, note), so a reopened hazard keeps
its history. Admin and the demo write through these too.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError, InvalidInput, NotFound
from fieldapp import presence
from fieldapp import roadwork as rw
from fieldapp import roadwork_config as config
from fieldapp.models import CongestionPoint, Hazard, HazardEvent, Officer, OutreachEvent, TrafficSample
from fieldapp.roadwork_selectors import active_points_with_windows
from stations import hours

POINT_FIELDS = (
    "name", "kind", "area", "lat", "lng", "radius_m", "squad", "officer", "post_windows",
    "follows_national_calendar", "status", "resolved_on", "resolution", "notes",
)


class HazardTransitionRefused(DomainError):
    code = "transition_refused"


def _check_windows(expression: str) -> str:
    expression = " ".join((expression or "").split())
    if expression:
        try:
            hours.parse_expression(expression)
        except hours.OpeningHoursError as exc:
            raise InvalidInput(str(exc), fields={"post_windows": [str(exc)]}) from exc
    return expression


def _check_resolution(point: CongestionPoint) -> None:
    if point.status == CongestionPoint.Status.RESOLVED and (point.resolved_on is None or not point.resolution.strip()):
        message = _("A resolved point needs the date and how it was resolved.")
        raise InvalidInput(message, fields={"resolution": [message]})
    if point.status == CongestionPoint.Status.ACTIVE:
        point.resolved_on, point.resolution = None, ""


@transaction.atomic
def point_create(**values: Any) -> CongestionPoint:
    values = {name: value for name, value in values.items() if name in POINT_FIELDS}
    values["post_windows"] = _check_windows(values.get("post_windows", ""))
    point = CongestionPoint(**values)
    _check_resolution(point)
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def point_update(*, point_id: int, **values: Any) -> CongestionPoint:
    point = CongestionPoint.objects.select_for_update().filter(pk=point_id).first()
    if point is None:
        raise NotFound(_("No such point."))
    for name, value in values.items():
        if name in POINT_FIELDS:
            setattr(point, name, value)
    point.post_windows = _check_windows(point.post_windows)
    _check_resolution(point)
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def traffic_report(
    *, point_id: int, state: str, source: str = TrafficSample.Source.OFFICER, officer: Officer | None = None,
    at: datetime | None = None,
) -> TrafficSample:
    if state not in TrafficSample.State.values:
        raise InvalidInput(_("Unknown traffic state."), fields={"state": [_("Unknown traffic state.")]})
    point = CongestionPoint.objects.filter(pk=point_id, status=CongestionPoint.Status.ACTIVE).first()
    if point is None:
        raise NotFound(_("No such point."))
    return TrafficSample.objects.create(point=point, state=state, source=source, officer=officer, at=at or timezone.now())


# --- hazards ---------------------------------------------------------------------


@transaction.atomic
def hazard_report(
    *, reporter: Any, kind: str, description: str, found_by: str = Hazard.FoundBy.PATROL,
    point: CongestionPoint | None = None, address: str = "", lat: float | None = None, lng: float | None = None,
    at: datetime | None = None,
) -> Hazard:
    at = at or timezone.now()
    if not (point or address.strip() or (lat is not None and lng is not None)):
        message = _("Say where it is: a point, an address or a position.")
        raise InvalidInput(message, fields={"address": [message]})
    hazard = Hazard(
        number=f"tmp-{uuid.uuid4().hex[:16]}", kind=kind, description=description, found_by=found_by, point=point,
        address=address.strip(), lat=lat if lat is not None else (point.lat if point else None),
        lng=lng if lng is not None else (point.lng if point else None), reporter=reporter, reported_at=at,
    )
    hazard.full_clean(exclude=["number"])
    hazard.save()
    # The number is the report day and the row's id: unique without a counter to lock.
    hazard.number = f"YH{hours.to_shanghai(at):%Y%m%d}-{hazard.pk:05d}"
    hazard.save(update_fields=["number"])
    HazardEvent.objects.create(hazard=hazard, from_status="", to_status=hazard.status, actor=reporter, at=at)
    return hazard


@transaction.atomic
def hazard_move(
    *, hazard_id: int, actor: Any, to: str, note: str = "", unit: str = "", deadline: date | None = None,
    reason: str = "", at: datetime | None = None,
) -> Hazard:
    at = at or timezone.now()
    hazard = Hazard.objects.select_for_update().filter(pk=hazard_id).first()
    if hazard is None:
        raise NotFound(_("No such hazard."))
    unit = unit.strip() or (hazard.unit if to == rw.NOTIFIED else "")
    try:
        rw.hazard_check(current=hazard.status, to=to, unit=unit, deadline=deadline, reason=reason)
    except rw.HazardTransitionError as exc:
        raise HazardTransitionRefused(str(exc)) from exc
    before = hazard.status
    data: dict[str, Any] = {}
    if to == rw.NOTIFIED:
        hazard.unit, hazard.deadline = unit, deadline
        data = {"unit": unit, "deadline": deadline.isoformat() if deadline else None}
    if to == rw.REJECTED:
        hazard.reject_reason = reason.strip()
        data = {"reason": hazard.reject_reason}
    if to == rw.CLOSED:
        hazard.closed_at = at
    if before in (rw.CLOSED, rw.REJECTED):
        # Reopened: the old sign-off or rejection stays in the history, not on the hazard.
        hazard.closed_at, hazard.reject_reason = None, ""
        data["reopened"] = True
    hazard.status = to
    hazard.save()
    HazardEvent.objects.create(hazard=hazard, from_status=before, to_status=to, actor=actor, at=at, note=note.strip(), data=data)
    return hazard


# --- outreach ---------------------------------------------------------------------


@transaction.atomic
def outreach_record(*, recorded_by: Any, officers: list[Officer], **values: Any) -> OutreachEvent:
    allowed = ("day", "place", "kind", "organisation", "audience", "materials", "notes")
    event = OutreachEvent(recorded_by=recorded_by, **{k: v for k, v in values.items() if k in allowed})
    event.full_clean()
    event.save()
    event.officers.set(officers)
    return event


def presence_fill(*, first: date, last: date, now: datetime | None = None) -> int:
    """Store the presence of the active points' ended post windows of [first, last] not stored yet; returns how many.

    The rates store what they compute on first read anyway; this does it ahead of the
    reader: as windows end (the worker's housekeeping, fieldapp/housekeeping.py), and through
    `manage.py roadwork_presence` and `prune_dispatch` (before it deletes fixes).
    """
    points, windows = active_points_with_windows(first=first, last=last)
    return presence.fill(points=points, windows=windows, rules=config.rules(), now=now or timezone.now())

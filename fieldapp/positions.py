"""Position fixes: the checks on one fix and the plan for writing a batch of them.

Pure functions and small dataclasses, like stations/hours.py: no ORM, no
request and no clock of their own (the caller passes `now` and the officers'
state read under lock). fieldapp/ingest.py turns a plan into SQL.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from common.errors import DomainError, InvalidInput
from common.geo import valid_lat_lng

# A device clock this far ahead of ours is still believed (and clamped to now); further ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)

OFF_DUTY = "off_duty"


@dataclass(frozen=True, slots=True)
class Fix:
    """One accepted-for-now fix: checked, waiting for its officer's duty state under lock."""

    officer_id: int
    lat: float
    lng: float
    accuracy_m: float | None
    # The phone's time of the fix, clamped to `received_at` (None: the phone sent none).
    device_at: datetime | None
    received_at: datetime

    @property
    def at(self) -> datetime:
        """The fix's moment, for "newest wins" and for the officer's last fix."""
        return self.device_at or self.received_at


@dataclass(frozen=True, slots=True)
class OfficerState:
    on_duty: bool
    fix_at: datetime | None


@dataclass
class FlushPlan:
    """What one batch writes: the newest fix per officer that beats the stored one, every
    on-duty fix for the track, and the fixes refused."""

    last_fixes: dict[int, Fix] = field(default_factory=dict)
    track: list[Fix] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # index in the batch -> reason code


def fix_check(
    *, officer_id: int, lat: float, lng: float, accuracy: float | None, device_at: datetime | None, now: datetime,
) -> Fix:
    """A fix as a phone sent it, checked; raises InvalidInput for a bad one."""
    if not valid_lat_lng(float(lat), float(lng)):
        raise InvalidInput(_("The position is not a valid WGS-84 latitude/longitude."))
    if accuracy is not None and accuracy < 0:
        raise InvalidInput(_("Accuracy cannot be negative."))
    if device_at is not None and device_at > now + CLOCK_SKEW:
        raise InvalidInput(_("The time is in the future."))
    # A device clock running ahead must not make a fix look fresher than it is.
    clamped = min(device_at, now) if device_at is not None else None
    return Fix(officer_id=officer_id, lat=float(lat), lng=float(lng), accuracy_m=accuracy, device_at=clamped, received_at=now)


def off_duty_error() -> DomainError:
    return DomainError(_("You are off duty: your position is not recorded."), code=OFF_DUTY)


def flush_plan(fixes: Iterable[Fix], officers: Mapping[int, OfficerState]) -> FlushPlan:
    """Plan one batch, in arrival order.

    An officer missing from `officers` or off duty (read under lock, so a duty
    change between the fix and the write counts) gets nothing written. Among an
    officer's fixes the one with the latest `at` becomes the last fix, and only
    if it is not older than the stored one; every other on-duty fix still goes
    to the track.
    """
    plan = FlushPlan()
    newest: dict[int, datetime | None] = {pk: state.fix_at for pk, state in officers.items()}
    for index, fix in enumerate(fixes):
        state = officers.get(fix.officer_id)
        if state is None or not state.on_duty:
            plan.refused[index] = OFF_DUTY
            continue
        plan.track.append(fix)
        previous = newest[fix.officer_id]
        if previous is not None and fix.at < previous:
            # A late, older fix (a retry after a newer one) does not replace the newer one.
            continue
        newest[fix.officer_id] = fix.at
        plan.last_fixes[fix.officer_id] = fix
    return plan

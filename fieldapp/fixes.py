"""An officer's last position fix: its age, whether it is stale, and its JSON shape.

Plain functions over the officer row, so selectors, serializers and pages share
one rule without importing each other.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from fieldapp.models import Officer

# A fix older than this is shown greyed out and does not make a candidate.
STALE_FIX_S = 600


def fix_age_s(fix_at: datetime | None, now: datetime | None = None) -> int | None:
    if fix_at is None:
        return None
    return max(0, int(((now or timezone.now()) - fix_at).total_seconds()))


def iso_local(moment: datetime) -> str:
    """The API's time format (as DRF writes it): ISO 8601 in the local time zone."""
    text = timezone.localtime(moment).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def fix_of(officer: Officer, now: datetime | None = None) -> dict[str, Any] | None:
    if officer.fix_at is None or officer.fix_lat is None or officer.fix_lng is None:
        return None
    age = fix_age_s(officer.fix_at, now) or 0
    return {
        "lat": officer.fix_lat,
        "lng": officer.fix_lng,
        "accuracy_m": officer.fix_accuracy_m,
        "at": iso_local(officer.fix_at),
        "age_s": age,
        "stale": age > STALE_FIX_S,
    }

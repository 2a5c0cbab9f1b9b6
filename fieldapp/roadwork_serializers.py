"""Road work shapes, in and out. No queries here: the selectors fetch what these show."""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from common.maps import navigation_links
from common.serializers import CachedModelSerializer, NavigationOut
from fieldapp.models import CongestionPoint, Hazard, OutreachEvent, RoadArea, Squad, TrafficSample
from stations import hours

# --- points ---------------------------------------------------------------------


class PointIn(CachedModelSerializer):
    area = serializers.PrimaryKeyRelatedField(queryset=RoadArea.objects.all(), required=False, allow_null=True)
    squad = serializers.PrimaryKeyRelatedField(queryset=Squad.objects.all(), required=False, allow_null=True)

    class Meta:
        model = CongestionPoint
        fields = [
            "name", "kind", "area", "lat", "lng", "radius_m", "squad", "officer", "post_windows",
            "follows_national_calendar", "status", "resolved_on", "resolution", "notes",
        ]


def _end_clock(end: Any) -> str:
    # A window that runs to midnight ends at 24:00, as the hours editor writes it.
    return "24:00" if (end.hour, end.minute) == (0, 0) else f"{end:%H:%M}"


def _window(window: Any) -> dict[str, Any] | None:
    if window is None:
        return None
    return {
        "start": hours.aware(hours.to_shanghai(window.start)).isoformat(),
        "end": hours.aware(hours.to_shanghai(window.end)).isoformat(),
        "text": f"{hours.to_shanghai(window.start):%H:%M}–{_end_clock(hours.to_shanghai(window.end))}",
    }


class PointOut(serializers.Serializer):
    """A point with its state now (selectors.PointNow)."""

    def to_representation(self, row: Any) -> dict[str, Any]:
        point: CongestionPoint = row.point
        presence = row.presence
        today = [w for w in row.windows if hours.to_shanghai(w.start).date() == row.today]
        minutes = row.minutes_here
        present = [
            {"id": o.pk, "call_sign": o.call_sign,
             "minutes": minutes.get(o.pk, round(presence.minutes_by_officer.get(o.pk, 0)) if presence else 0)}
            for o in row.officers_present
        ]
        if row.flagged:
            coverage = ("flagged", _("Uncovered window soon: send someone"))
        elif row.current is None:
            coverage = ("none", _("No post window now"))
        elif presence and presence.covered:
            coverage = ("covered", _("Covered"))
        else:
            coverage = ("uncovered", _("Not covered"))
        return {
            "id": point.pk,
            "name": point.name,
            "kind": point.kind,
            "kind_label": point.get_kind_display(),
            "lat": point.lat,
            "lng": point.lng,
            "radius_m": point.radius_m,
            "area": point.area.name if point.area else "",
            "squad": point.squad.name if point.squad else "",
            "officer": point.officer.call_sign if point.officer else "",
            "post_windows": point.post_windows,
            "windows_today": [_window(w) for w in today],
            "current_window": _window(row.current),
            "upcoming_window": _window(row.upcoming),
            "covered": bool(presence and presence.covered),
            "officer_minutes": presence.officer_minutes if presence else 0,
            "coverage": coverage[0],
            "coverage_text": coverage[1],
            "present": present,
            "present_text": ", ".join(f"{who['call_sign']} {who['minutes']}′" for who in present) or _("Nobody there"),
            "here_minutes": next(iter(minutes.values()), None),
            "here_text": (_("On post for %(minutes)d min") % {"minutes": next(iter(minutes.values()))}) if minutes else "",
            "flagged": _window(row.flagged),
            "traffic": row.traffic.state if row.traffic else "unknown",
            "traffic_label": row.traffic.get_state_display() if row.traffic else TrafficSample.State.UNKNOWN.label,
            "navigation": NavigationOut(navigation_links(lat=point.lat, lng=point.lng, name=point.name, source="webapp.luchang.field")).data,
            "url": reverse("roadwork-point", args=[point.pk]),
        }


class TrafficIn(serializers.Serializer):
    state = serializers.ChoiceField(choices=[c for c in TrafficSample.State.choices if c[0] != "unknown"])


# --- hazards ----------------------------------------------------------------------


def hazard_label(name: str) -> Any:
    """The words the report page's form uses for a Hazard field, lazy, so a refusal names it the same way."""
    return capfirst(Hazard._meta.get_field(name).verbose_name)


class HazardIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Hazard.Kind.choices, label=hazard_label("kind"))
    description = serializers.CharField(max_length=2000, label=hazard_label("description"))
    found_by = serializers.ChoiceField(
        choices=Hazard.FoundBy.choices, default=Hazard.FoundBy.PATROL, label=hazard_label("found_by")
    )
    point = serializers.PrimaryKeyRelatedField(
        queryset=CongestionPoint.objects.all(), required=False, allow_null=True, label=hazard_label("point"),
        # DRF's own words quote the raw id ("无效主键 “10”"); a point removed since the page loaded is said plainly.
        error_messages={"does_not_exist": gettext_lazy(
            "This congestion point no longer exists: choose another, or give the address."
        )},
    )
    address = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", label=hazard_label("address")
    )
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, label=hazard_label("lat"))
    lng = serializers.FloatField(
        required=False, allow_null=True, min_value=-180, max_value=180, label=hazard_label("lng")
    )
    # The phone's time of the report, from the outbox; the service keeps it only when it is not in the future.
    device_time = serializers.DateTimeField(
        required=False, allow_null=True, default=None, label=gettext_lazy("Time of the report on the phone")
    )


def hazard_in_limits() -> dict[str, int]:
    """The longest text HazardIn takes, by field: the report page sets its maxlength from these."""
    fields = HazardIn().fields
    return {name: fields[name].max_length for name in ("address", "description")}


class HazardMoveIn(serializers.Serializer):
    to = serializers.ChoiceField(choices=Hazard.Status.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HazardEventOut(serializers.Serializer):
    def to_representation(self, event: Any) -> dict[str, Any]:
        return {
            "from": event.from_status, "to": event.to_status, "at": event.at.isoformat(),
            "by": (event.actor.get_full_name() or event.actor.username) if event.actor else "",
            "note": event.note, "data": event.data,
        }


class HazardOut(serializers.Serializer):
    def to_representation(self, hazard: Hazard) -> dict[str, Any]:
        body = {
            "id": hazard.pk, "number": hazard.number, "kind": hazard.kind, "kind_label": hazard.get_kind_display(),
            "status": hazard.status, "status_label": hazard.get_status_display(),
            "point": hazard.point.name if hazard.point else "", "point_id": hazard.point_id,
            "address": hazard.address, "lat": hazard.lat, "lng": hazard.lng, "description": hazard.description,
            "found_by": hazard.found_by, "unit": hazard.unit,
            "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
            "overdue": bool(getattr(hazard, "overdue", False)), "reported_at": hazard.reported_at.isoformat(),
            "closed_at": hazard.closed_at.isoformat() if hazard.closed_at else None,
            "reject_reason": hazard.reject_reason,
        }
        if self.context.get("with_events"):
            body["events"] = [HazardEventOut(event).data for event in hazard.events.all()]
        return body


# --- outreach ---------------------------------------------------------------------


class OutreachIn(CachedModelSerializer):
    class Meta:
        model = OutreachEvent
        fields = ["day", "place", "kind", "organisation", "officers", "audience", "materials", "notes"]
        extra_kwargs = {"officers": {"required": False}}


class OutreachOut(serializers.Serializer):
    def to_representation(self, event: OutreachEvent) -> dict[str, Any]:
        return {
            "id": event.pk, "day": event.day.isoformat(), "place": event.place, "kind": event.kind,
            "kind_label": event.get_kind_display(), "organisation": event.organisation,
            "officers": [officer.call_sign for officer in event.officers.all()], "audience": event.audience,
            "materials": event.materials, "notes": event.notes,
        }


# --- Open311 GeoReport v2 ----------------------------------------------------------

OPEN311_CLOSED = {Hazard.Status.CLOSED, Hazard.Status.REJECTED}


def open311_services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": code, "service_name": str(label), "description": str(label), "metadata": False,
            "type": "realtime", "keywords": "hazard", "group": "road hazards",
        }
        for code, label in Hazard.Kind.choices
    ]


def open311_request(hazard: Hazard) -> dict[str, Any]:
    """A hazard as a GeoReport v2 service request, without personal data (no reporter, no phone)."""
    latest = list(hazard.events.all())
    last = latest[-1] if latest else None
    notes = f"{hazard.get_status_display()}"
    if hazard.unit:
        notes += f" · {hazard.unit}"
    if hazard.deadline:
        notes += f" · {hazard.deadline.isoformat()}"
    if hazard.status == Hazard.Status.REJECTED and hazard.reject_reason:
        notes += f" · {hazard.reject_reason}"
    return {
        "service_request_id": hazard.number,
        "status": "closed" if hazard.status in OPEN311_CLOSED else "open",
        "status_notes": notes,
        "service_name": hazard.get_kind_display(),
        "service_code": hazard.kind,
        "description": hazard.description,
        "agency_responsible": hazard.unit,
        "service_notice": "",
        "requested_datetime": hazard.reported_at.isoformat(),
        "updated_datetime": (last.at if last else hazard.reported_at).isoformat(),
        "expected_datetime": hazard.deadline.isoformat() if hazard.deadline else None,
        "address": hazard.address or (hazard.point.name if hazard.point else ""),
        "address_id": "",
        "zipcode": "",
        "lat": hazard.lat,
        "long": hazard.lng,
        "media_url": "",
    }

"""How a care station is shown in a list: the one builder of a station card.

The finder page renders these cards, the list API sends them, and finder.js only
displays their fields. Labels, links and distance texts are made here, on the server.
"""
from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import pgettext

from common import maps
from stations import amenities, hours, selectors
from stations.models import Station


def state_labels() -> dict[str, str]:
    # A context keeps other areas' "Open"/"Closed" (of a job, say) out of these labels.
    return {
        hours.OPEN: pgettext("care station state", "Open"),
        hours.CLOSED: pgettext("care station state", "Closed"),
        hours.UNKNOWN: pgettext("care station state", "Hours unsure"),
    }


def amenity_items(codes: list[str]) -> list[dict[str, str]]:
    return [{"key": code, "label": str(amenities.BY_CODE[code].label)} for code in codes if code in amenities.BY_CODE]


def navigation_links(station: Station) -> dict[str, str]:
    return maps.navigation_links(lat=station.lat, lng=station.lng, name=station.name, detail=station.address,
                                 source="webapp.luchang.stations")


def station_card(nearby: selectors.NearbyStation) -> dict[str, Any]:
    """What a list card needs; the same facts the API gives the finder's JS."""
    station, state = nearby.station, nearby.open_state
    return {
        "slug": station.slug,
        "name": station.name,
        "address": station.address,
        "distance_m": None if nearby.distance_m is None else round(nearby.distance_m),
        "distance_text": maps.distance_text(nearby.distance_m),
        "open_state": state.state,
        "next_change": state.next_change.isoformat() if state.next_change else None,
        "state_label": state_labels()[state.state],
        "hours_text": state.text,
        "amenities": [{"code": code} for code in station.amenities],
        "amenity_items": amenity_items(station.amenities),
        "wgs84": {"lat": station.lat, "lng": station.lng},
        "amap_url": navigation_links(station)["amap"],
        "url": reverse("stations:detail", args=[station.slug]),
    }

"""Words and links shown for a care station, made once on the server.

The station card itself is serializers.StationListOut: the finder page renders it,
the list API sends it and finder.js only displays its fields.
"""
from __future__ import annotations

from django.utils.translation import pgettext

from common import maps
from stations import amenities, hours
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

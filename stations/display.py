"""Words and links shown for a care station, made once on the server.

The station card itself is serializers.station_cards (the shape StationListOut documents):
the finder page renders it, the list API sends it and finder.js only displays its fields.
"""
from __future__ import annotations

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from common import maps
from stations import amenities, hours
from stations.models import Station
from stations.selectors import FAR_NO_STATION, FarFromStations

# Names the app to Baidu's marker links.
NAVIGATION_SOURCE = "webapp.luchang.stations"
_STATE_LABELS: dict[str | None, dict[str, str]] = {}


def state_labels() -> dict[str, str]:
    """The three states' words in the active language, translated once per language (a copy: callers may add to it)."""
    language = get_language()
    found = _STATE_LABELS.get(language)
    if found is None:
        # A context keeps other areas' "Open"/"Closed" (of a job, say) out of these labels.
        found = _STATE_LABELS[language] = {
            hours.OPEN: pgettext("care station state", "Open"),
            hours.CLOSED: pgettext("care station state", "Closed"),
            hours.UNKNOWN: pgettext("care station state", "Hours unsure"),
        }
    return dict(found)


def amenity_items(codes: list[str]) -> list[dict[str, str]]:
    label = amenities.labels()
    return [{"key": code, "label": label[code]} for code in codes if code in label]


def navigation_links(station: Station) -> dict[str, str]:
    return maps.navigation_links(lat=station.lat, lng=station.lng, name=station.name, detail=station.address,
                                 source=NAVIGATION_SOURCE)


def far_text(far: FarFromStations) -> str:
    """The finder's plain words for a citizen far from every open station."""
    words = {"km": far.radius_km, "distance": maps.distance_text(far.distance_m)}
    if far.kind == FAR_NO_STATION:
        if far.filtered:
            return _("There is no care station with what you picked within %(km)s km. "
                     "The nearest one is %(distance)s away.") % words
        return _("There is no care station within %(km)s km. The nearest one is %(distance)s away.") % words
    if far.distance_m is None:
        if far.filtered:
            return _("No care station with what you picked within %(km)s km is open now.") % words
        return _("No care station within %(km)s km is open now.") % words
    if far.filtered:
        return _("No care station with what you picked within %(km)s km is open now. "
                 "The nearest open one is %(distance)s away.") % words
    return _("No care station within %(km)s km is open now. The nearest open one is %(distance)s away.") % words

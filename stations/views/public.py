"""The citizens' pages: the finder and a station's page. Reads go through selectors."""
from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.geo import valid_lat_lng
from stations import amenities, selectors
from stations.display import amenity_items, navigation_links, state_labels
from stations.jsonld import station_json_ld
from stations.serializers import far_json, station_cards

FINDER_LIMIT = 20
# Open states change at known times; the finder also refreshes at least this
# often, so a manager's "closed now" reaches a phone that keeps the page open.
FINDER_REFRESH_S = 30
# A position the phone gives with a wider margin than this may be what makes every station
# look far: the finder's far-from-stations hint then suggests checking it or picking an area.
FINDER_ROUGH_POSITION_M = 2000


# --- the citizens' finder ----------------------------------------------------

def _float(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def finder_origin(query: Any) -> dict[str, Any]:
    lat, lng = _float(query.get("lat")), _float(query.get("lng"))
    if lat is not None and lng is not None and valid_lat_lng(lat, lng):
        label = (query.get("area") or "").strip()[:60] or _("the place you picked")
        return {"lat": lat, "lng": lng, "label": label, "kind": "area"}
    return finder_centre()


def finder_centre() -> dict[str, Any]:
    centre = settings.LUCHANG_CITY["centre"]
    return {"lat": centre[0], "lng": centre[1], "label": _("the city centre"), "kind": "centre"}


def finder_query(*, origin: dict[str, Any], open_now: bool, selected: list[str]) -> str:
    """The finder's choices as a query string: what the page shows can be shared and
    comes back with Back; finder.js writes the same keys."""
    pairs: list[tuple[str, str]] = []
    if origin["kind"] == "area":
        pairs += [("lat", f"{origin['lat']:.5f}"), ("lng", f"{origin['lng']:.5f}"), ("area", origin["label"])]
    if open_now:
        pairs.append(("open_now", "1"))
    pairs += [("amenity", code) for code in selected]
    return urlencode(pairs)


def finder_areas(*, open_now: bool, selected: list[str]) -> list[dict[str, Any]]:
    areas = [{"label": str(label), "lat": lat, "lng": lng} for label, lat, lng in settings.LUCHANG_CITY["areas"]]
    # Every station is a landmark people know, so it is an anchor too.
    for name, lat, lng in selectors.stations_published().order_by("name").values_list("name", "lat", "lng")[:50]:
        areas.append({"label": name, "lat": round(lat, 5), "lng": round(lng, 5)})
    finder_url = reverse("stations:finder")
    for area in areas:
        # Without JavaScript an area is a link that keeps the filters.
        query = finder_query(origin={**area, "kind": "area"}, open_now=open_now, selected=selected)
        area["href"] = f"{finder_url}?{query}"
    return areas


def finder_config(origin: dict[str, Any], cards: list[dict[str, Any]], far: dict[str, Any] | None) -> dict[str, Any]:
    """What finder.js needs, rendered into the page (translated labels included)."""
    return {
        "origin": origin,
        "centre": finder_centre(),
        "stations": cards,
        "far": far,
        "roughPositionM": FINDER_ROUGH_POSITION_M,
        "limit": FINDER_LIMIT,
        "refreshMs": FINDER_REFRESH_S * 1000,
        "geolocationTimeoutMs": settings.STATION_FINDER_GEOLOCATION_TIMEOUT_S * 1000,
        "apiUrl": reverse("api-stations"),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        # Set MAP_TILES_GCJ02=True when MAP_TILE_URL serves AMap-style (GCJ-02) tiles.
        "tilesGcj02": settings.MAP_TILES_GCJ02,
        "leafletJs": static("leaflet/leaflet.js"),
        "leafletCss": static("leaflet/leaflet.css"),
        "labels": {
            "states": state_labels(),
            "amenities": _("Amenities"),
            "navigate": _("Navigate"),
            "details": _("Details"),
            "none": _("No station matches. Try fewer filters."),
            "from": _("From"),
            "pickArea": _("Pick your area"),
            "areaChosen": _("Area: {area}"),
            "fromPosition": _("Nearest to your position"),
            "yourPosition": _("your position"),
            "locating": _("Finding your position (10 seconds at most)…"),
            "located": _("Found your position."),
            "denied": _("Position not shared. Pick your area below."),
            "timeout": _("Could not get your position in time. Pick your area below."),
            "noGeolocation": _("This phone cannot share its position. Pick your area below."),
            "offline": _("No connection: showing the last list."),
            "mapUnavailable": _("The map could not load. The list still works."),
            "tilesFailed": _("Map pictures are not loading (offline?). The list still works."),
            "tapMap": _("Tap the map where you are."),
            "pickedOnMap": _("Using the point you tapped."),
            "pointOnMap": _("the point you tapped"),
            "farPicked": _("If you are not there, pick your area or tap “Use my position”."),
            "farRough": _("The position from your phone may be off. Turn on location (GPS) and tap "
                          "“Use my position” again, or pick your area."),
        },
    }


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    origin = finder_origin(request.GET)
    open_now = request.GET.get("open_now") in ("1", "true", "on")
    selected = [code for code in request.GET.getlist("amenity") if code in amenities.BY_CODE]
    now = timezone.now()
    nearby = selectors.stations_nearest(
        lat=origin["lat"], lng=origin["lng"], limit=FINDER_LIMIT, open_now=open_now, amenities=selected, at=now
    )
    far = selectors.stations_far(
        lat=origin["lat"], lng=origin["lng"], nearby=nearby, open_now=open_now, amenities=selected, at=now
    )
    hint = far_json(far)
    cards = station_cards(selectors.open_first(nearby))
    return render(
        request,
        "stations/finder.html",
        {
            "origin": origin,
            "stations": cards,
            "far": hint,
            "areas": finder_areas(open_now=open_now, selected=selected),
            "open_now": open_now,
            "selected_amenities": selected,
            "amenity_choices": amenity_items([item.code for item in amenities.AMENITIES]),
            "page_config": finder_config(origin, cards, hint),
            "city": settings.LUCHANG_CITY["locality"],
        },
    )


# --- the station page ----------------------------------------------------------

@require_GET
def station_detail(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.stations_detailed(stations=selectors.stations_published().filter(slug=slug))
    if not found:
        raise Http404(_("No such care station."))
    detail = found[0]
    station, state, week, photos = detail.station, detail.open_state, detail.week, detail.photos
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "state": state,
            "state_label": state_labels()[state.state],
            "week": week,
            "today": week[0].date if week else None,
            "photos": photos,
            "amenities": amenity_items(station.amenities),
            "nav": navigation_links(station),
            "json_ld": station_json_ld(
                detail=detail,
                page_url=request.build_absolute_uri(),
                image_urls=[request.build_absolute_uri(photo.image.url) for photo in photos],
            ),
            "tel": "".join(ch for ch in station.phone if ch.isdigit() or ch == "+"),
        },
    )

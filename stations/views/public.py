"""Pages of the care stations: the citizens' finder, station pages, the kiosk screen
and the station managers' pages. Reads go through selectors, writes through services."""
from __future__ import annotations

import dataclasses
import json
import math
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from common.errors import DomainError
from common import gcj02, maps
from common.maps import distance_text
from common.geo import valid_lat_lng
from common.roles import ADMIN, STATION_MANAGER, role_required
from stations import amenities, hours, selectors, services
from stations.forms import AmenitiesForm, ClosedNowForm, ClosureForm, HoursForm, PlaylistAddForm, SloganForm
from stations.models import SafetyVideo, Station

# The demo city. Without a position the finder measures from its centre.
CITY_CENTRE = (36.4560, 115.9850)
FINDER_LIMIT = 20

# Areas a citizen can pick when the phone does not give a position. The
# points are approximate centres, good enough to rank stations by distance.
AREAS: tuple[tuple[Any, float, float], ...] = (
    (gettext_lazy("City centre (Dongchangfu)"), 36.4560, 115.9850),
    (gettext_lazy("Old town / Dongchang Lake"), 36.4420, 115.9780),
    (gettext_lazy("Economic development zone"), 36.4300, 116.0400),
    (gettext_lazy("High-tech zone"), 36.4760, 116.0350),
    (gettext_lazy("Jiangbei Shuicheng resort"), 36.4050, 115.9400),
    (gettext_lazy("Railway station"), 36.4690, 115.9320),
    (gettext_lazy("North (Beishun)"), 36.4950, 115.9850),
    (gettext_lazy("Chiping district"), 36.5800, 116.2550),
)


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
        "distance_text": distance_text(nearby.distance_m),
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


# --- the citizens' finder ----------------------------------------------------

STATE_RANK = {hours.OPEN: 0, hours.UNKNOWN: 1, hours.CLOSED: 2}


def open_first(nearby: list[selectors.NearbyStation]) -> list[selectors.NearbyStation]:
    """Nearest first, but a closed station never above an open one: a rider in the
    heat needs the nearest place that will let them in. The sort is stable, so
    distance order holds within each state."""
    return sorted(nearby, key=lambda item: STATE_RANK.get(item.open_state.state, 1))


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
    return {"lat": CITY_CENTRE[0], "lng": CITY_CENTRE[1], "label": _("the city centre"), "kind": "centre"}


def finder_areas() -> list[dict[str, Any]]:
    areas = [{"label": str(label), "lat": lat, "lng": lng} for label, lat, lng in AREAS]
    # Every station is a landmark people know, so it is an anchor too.
    for name, lat, lng in selectors.stations_published().order_by("name").values_list("name", "lat", "lng")[:50]:
        areas.append({"label": name, "lat": round(lat, 5), "lng": round(lng, 5)})
    return areas


# Facts a card's script needs; the rest of a card is already in the HTML.
CARD_JSON_KEYS = ("slug", "name", "address", "distance_m", "open_state", "next_change", "hours_text", "amenities", "wgs84")


def finder_config(origin: dict[str, Any], cards: list[dict[str, Any]]) -> dict[str, Any]:
    """What finder.js needs, rendered into the page (translated labels included)."""
    return {
        "origin": origin,
        "stations": [{key: card[key] for key in CARD_JSON_KEYS} for card in cards],
        "limit": FINDER_LIMIT,
        "apiUrl": reverse("api-stations"),
        "stationUrl": reverse("stations:detail", args=["__slug__"]),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        # Set MAP_TILES_GCJ02=True when MAP_TILE_URL serves AMap-style (GCJ-02) tiles.
        "tilesGcj02": bool(getattr(settings, "MAP_TILES_GCJ02", False)),
        "leafletJs": static("leaflet/leaflet.js"),
        "leafletCss": static("leaflet/leaflet.css"),
        "amenityLabels": {code: str(item.label) for code, item in amenities.BY_CODE.items()},
        "labels": {
            "states": state_labels(),
            "m": _("m"),
            "km": _("km"),
            "amenities": _("Amenities"),
            "navigate": _("Navigate"),
            "details": _("Details"),
            "none": _("No station matches. Try fewer filters."),
            "from": _("From"),
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
        },
    }


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    origin = finder_origin(request.GET)
    open_now = request.GET.get("open_now") in ("1", "true", "on")
    selected = [code for code in request.GET.getlist("amenity") if code in amenities.BY_CODE]
    nearby = selectors.stations_nearest(
        lat=origin["lat"], lng=origin["lng"], limit=FINDER_LIMIT, open_now=open_now, amenities=selected
    )
    cards = [station_card(item) for item in open_first(nearby)]
    return render(
        request,
        "stations/finder.html",
        {
            "origin": origin,
            "stations": cards,
            "areas": finder_areas(),
            "open_now": open_now,
            "selected_amenities": selected,
            "amenity_choices": amenity_items([item.code for item in amenities.AMENITIES]),
            "finder_config": finder_config(origin, cards),
        },
    )


# --- the station page ----------------------------------------------------------

def station_json_ld(request: HttpRequest, station: Station, week: list[hours.DayHours], photos: list[Any]) -> str:
    """schema.org for search engines and assistants; the hours of each coming day are
    given with their date, so holidays and make-up workdays come out right."""
    specs: list[dict[str, Any]] = []
    for day in week:
        weekday = f"https://schema.org/{day.date.strftime('%A')}"
        open_intervals = [item for item in day.intervals if item.get("state") == hours.OPEN]
        if not open_intervals:
            specs.append({"@type": "OpeningHoursSpecification", "dayOfWeek": weekday, "opens": "00:00", "closes": "00:00",
                          "validFrom": day.date.isoformat(), "validThrough": day.date.isoformat()})
        for item in open_intervals:
            specs.append({"@type": "OpeningHoursSpecification", "dayOfWeek": weekday, "opens": item["start"],
                          "closes": item["end"], "validFrom": day.date.isoformat(), "validThrough": day.date.isoformat()})
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CivicStructure",
        "name": station.name,
        "url": request.build_absolute_uri(),
        "description": station.description or None,
        "telephone": station.phone or None,
        "isAccessibleForFree": True,
        "publicAccess": True,
        "address": {"@type": "PostalAddress", "streetAddress": station.address, "addressLocality": "聊城市", "addressRegion": "山东省", "addressCountry": "CN"},
        "geo": {"@type": "GeoCoordinates", "latitude": round(station.lat, 6), "longitude": round(station.lng, 6)},
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": item["label"], "value": True} for item in amenity_items(station.amenities)
        ],
        "openingHoursSpecification": specs,
        "image": [request.build_absolute_uri(photo.image.url) for photo in photos] or None,
    }
    data = {key: value for key, value in data.items() if value is not None}
    # Escape "<" so no text can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


@require_GET
def station_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        station = selectors.station_get_published(slug=slug)
    except Station.DoesNotExist:
        raise Http404(_("No such care station."))
    state = selectors.station_open_state(station=station)
    week = selectors.station_week_hours(station=station)
    photos = list(station.photos.all())
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
            "json_ld": station_json_ld(request, station, week, photos),
            "tel": "".join(ch for ch in station.phone if ch.isdigit() or ch == "+"),
        },
    )


# --- the kiosk screen -----------------------------------------------------------

@never_cache
@require_GET
def station_screen(request: HttpRequest, slug: str) -> HttpResponse:
    # Like the screen API, any existing station has a screen: staff can set up
    # and check the TV before the station is published.
    try:
        station = Station.objects.get(slug=slug)
    except Station.DoesNotExist:
        raise Http404(_("No such care station."))
    payload = selectors.screen_payload(station=station, request=request)
    config = {
        "slug": station.slug,
        "payload": payload,
        "apiUrl": f"/api/v1/stations/{quote(station.slug)}/screen/",
        "wsPath": f"/ws/stations/{quote(station.slug)}/screen/",
        "sloganSeconds": 8,
        "kiosk": request.GET.get("kiosk") == "1",
        "labels": {
            "states": state_labels(),
            "today": _("Today"),
            "noHours": _("closed"),
            "offline": _("offline: playing saved videos"),
        },
    }
    return render(
        request,
        "stations/screen.html",
        {
            "station": station,
            "screen": payload,
            "state_label": state_labels()[payload["open_state"]],
            "screen_config": config,
        },
    )


# --- station managers -----------------------------------------------------------

def _managed_station(request: HttpRequest, slug: str) -> Station:
    """The station if this user manages it; another manager's station is a 404."""
    try:
        return selectors.station_get_for_manager(user=request.user, slug=slug)
    except Station.DoesNotExist:
        raise Http404(_("No such care station."))


@never_cache
@role_required(STATION_MANAGER, ADMIN)
def manage_home(request: HttpRequest) -> HttpResponse:
    stations = list(selectors.stations_managed_by(user=request.user).order_by("name"))
    rows = [{"station": station, "state": selectors.station_open_state(station=station)} for station in stations]
    return render(request, "stations/manage.html", {"rows": rows, "state_labels": state_labels()})


def hours_preview(station: Station, expression: str, follows_national_calendar: bool) -> list[hours.DayHours]:
    """The next 7 days as they would be with an expression that is not saved yet."""
    start = selectors.today_shanghai()
    schedule = dataclasses.replace(
        selectors.schedule_of(station, today=start),
        expression=expression,
        follows_national_calendar=follows_national_calendar,
    )
    calendar = selectors.holiday_calendar(first=start - timedelta(days=2), last=start + timedelta(days=9))
    return hours.week_hours(schedule, calendar, start, 7)


def _forms_for(station: Station, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    forms = {
        "hours_form": HoursForm(
            initial={"opening_hours": station.opening_hours, "follows_national_calendar": station.follows_national_calendar},
            prefix="hours",
        ),
        "closure_form": ClosureForm(prefix="closure", initial={"start_date": selectors.today_shanghai()}),
        "closed_form": ClosedNowForm(initial={"closed_now": station.closed_now, "closed_reason": station.closed_reason}, prefix="closed"),
        "amenities_form": AmenitiesForm(initial={"amenities": station.amenities}, prefix="amenities"),
        "slogan_form": SloganForm(prefix="slogan"),
        "playlist_form": PlaylistAddForm(prefix="playlist", videos=SafetyVideo.objects.order_by("title")),
    }
    forms.update(bound or {})
    return forms


def _manage_page(request: HttpRequest, station: Station, *, bound: dict[str, Any] | None = None,
                 preview: list[hours.DayHours] | None = None, status: int = 200) -> HttpResponse:
    today = selectors.today_shanghai()
    context = {
        "station": station,
        "state": selectors.station_open_state(station=station),
        "state_labels": state_labels(),
        "week": preview if preview is not None else selectors.station_week_hours(station=station),
        "is_preview": preview is not None,
        "closures": list(station.closures.filter(end_date__gte=today).order_by("start_date", "id")),
        "playlist": list(station.playlist_items.select_related("video").order_by("position", "id")),
        "slogans": list(station.slogans.order_by("position", "id")),
        **_forms_for(station, bound),
    }
    return render(request, "stations/manage_station.html", context, status=status)


def _saved(request: HttpRequest, station: Station, message: str, anchor: str) -> HttpResponseRedirect:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("stations:manage-station", args=[station.slug]) + f"#{anchor}")


def _handle_hours(request: HttpRequest, station: Station) -> HttpResponse:
    form = HoursForm(request.POST, prefix="hours")
    if not form.is_valid():
        return _manage_page(request, station, bound={"hours_form": form}, status=400)
    expression = form.cleaned_data["opening_hours"]
    follows = form.cleaned_data["follows_national_calendar"]
    if "preview" in request.POST:
        return _manage_page(request, station, bound={"hours_form": form}, preview=hours_preview(station, expression, follows))
    services.station_update(station_id=station.pk, opening_hours=expression, follows_national_calendar=follows)
    return _saved(request, station, _("Opening hours saved."), "hours")


def _handle_closure(request: HttpRequest, station: Station) -> HttpResponse:
    form = ClosureForm(request.POST, prefix="closure")
    if not form.is_valid():
        return _manage_page(request, station, bound={"closure_form": form}, status=400)
    services.closure_create(station_id=station.pk, **form.cleaned_data)
    return _saved(request, station, _("Closure saved."), "closures")


def _handle_closure_delete(request: HttpRequest, station: Station) -> HttpResponse:
    services.closure_delete(station_id=station.pk, closure_id=_int(request.POST.get("closure_id")))
    return _saved(request, station, _("Closure removed."), "closures")


def _handle_closed_now(request: HttpRequest, station: Station) -> HttpResponse:
    form = ClosedNowForm(request.POST, prefix="closed")
    if not form.is_valid():
        return _manage_page(request, station, bound={"closed_form": form}, status=400)
    closed = form.cleaned_data["closed_now"]
    services.station_set_closed_now(station_id=station.pk, closed=closed, reason=form.cleaned_data["closed_reason"] if closed else "")
    return _saved(request, station, _("Marked closed now.") if closed else _("Marked open again."), "closed-now")


def _handle_amenities(request: HttpRequest, station: Station) -> HttpResponse:
    form = AmenitiesForm(request.POST, prefix="amenities")
    if not form.is_valid():
        return _manage_page(request, station, bound={"amenities_form": form}, status=400)
    services.station_update(station_id=station.pk, amenities=form.cleaned_data["amenities"])
    return _saved(request, station, _("Amenities saved."), "amenities")


def _handle_playlist_move(request: HttpRequest, station: Station) -> HttpResponse:
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise DomainError(_("Move a video up or down."))
    services.playlist_move(station_id=station.pk, item_id=_int(request.POST.get("item_id")), direction=direction)
    return _saved(request, station, _("Playlist order saved."), "playlist")


def _handle_playlist_add(request: HttpRequest, station: Station) -> HttpResponse:
    form = PlaylistAddForm(request.POST, prefix="playlist", videos=SafetyVideo.objects.order_by("title"))
    if not form.is_valid():
        return _manage_page(request, station, bound={"playlist_form": form}, status=400)
    services.playlist_item_add(station_id=station.pk, video_id=form.cleaned_data["video"].pk)
    return _saved(request, station, _("Video added to the playlist."), "playlist")


def _handle_playlist_remove(request: HttpRequest, station: Station) -> HttpResponse:
    services.playlist_item_remove(station_id=station.pk, item_id=_int(request.POST.get("item_id")))
    return _saved(request, station, _("Video removed from the playlist."), "playlist")


def _handle_slogan_add(request: HttpRequest, station: Station) -> HttpResponse:
    form = SloganForm(request.POST, prefix="slogan")
    if not form.is_valid():
        return _manage_page(request, station, bound={"slogan_form": form}, status=400)
    services.slogan_create(station_id=station.pk, text=form.cleaned_data["text"])
    return _saved(request, station, _("Slogan added."), "slogans")


def _handle_slogan_toggle(request: HttpRequest, station: Station) -> HttpResponse:
    services.slogan_update(station_id=station.pk, slogan_id=_int(request.POST.get("slogan_id")), active=request.POST.get("active") == "1")
    return _saved(request, station, _("Slogan saved."), "slogans")


def _handle_slogan_delete(request: HttpRequest, station: Station) -> HttpResponse:
    services.slogan_delete(station_id=station.pk, slogan_id=_int(request.POST.get("slogan_id")))
    return _saved(request, station, _("Slogan removed."), "slogans")


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise Http404(_("No such item.")) from None


ACTIONS = {
    "hours": _handle_hours,
    "closure": _handle_closure,
    "closure-delete": _handle_closure_delete,
    "closed-now": _handle_closed_now,
    "amenities": _handle_amenities,
    "playlist-move": _handle_playlist_move,
    "playlist-add": _handle_playlist_add,
    "playlist-remove": _handle_playlist_remove,
    "slogan-add": _handle_slogan_add,
    "slogan-toggle": _handle_slogan_toggle,
    "slogan-delete": _handle_slogan_delete,
}


@never_cache
@role_required(STATION_MANAGER, ADMIN)
@require_http_methods(["GET", "POST"])
def manage_station(request: HttpRequest, slug: str) -> HttpResponse:
    station = _managed_station(request, slug)
    if request.method == "GET":
        return _manage_page(request, station)
    handler = ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return _manage_page(request, station, status=400)
    try:
        return handler(request, station)
    except ObjectDoesNotExist as exc:
        # An id that is not this station's (services check that) is a 404, like the station itself.
        raise Http404(_("No such item.")) from exc
    except DomainError as exc:
        # The service refused (e.g. a rule the form could not know): say why, change nothing.
        messages.error(request, exc.message)
        return _manage_page(request, Station.objects.get(pk=station.pk), status=400)

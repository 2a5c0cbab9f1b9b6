"""The station managers' pages. Reads go through selectors, writes through services."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.errors import DomainError, InvalidInput
from common.roles import ADMIN, STATION_MANAGER, role_required
from stations import hours, selectors, services
from stations.display import state_labels
from stations.forms import (
    AmenitiesForm,
    ClosedNowForm,
    ClosureForm,
    HoursForm,
    PlaylistAddForm,
    SloganForm,
    VideoUploadForm,
)
from stations.models import SafetyVideo, Station
from stations.validators import video_max_bytes


def _managed_station(request: HttpRequest, slug: str) -> Station:
    """The station if this user manages it; another manager's station is a 404."""
    try:
        return selectors.station_get_for_manager(user=request.user, slug=slug)
    except Station.DoesNotExist:
        raise Http404(_("No such care station.")) from None


@never_cache
@role_required(STATION_MANAGER, ADMIN)
def manage_home(request: HttpRequest) -> HttpResponse:
    stations = list(selectors.stations_managed_by(user=request.user).order_by("name"))
    rows = [{"station": station, "state": selectors.station_open_state(station=station)} for station in stations]
    return render(request, "stations/manage.html", {"rows": rows, "state_labels": state_labels()})


def _forms_for(station: Station, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    forms = {
        "hours_form": HoursForm(
            initial=HoursForm.initial_for(station.opening_hours, station.follows_national_calendar), prefix="hours",
        ),
        "closure_form": ClosureForm(prefix="closure", initial={"start_date": selectors.today_shanghai()}),
        "closed_form": ClosedNowForm(initial={"closed_now": station.closed_now, "closed_reason": station.closed_reason}, prefix="closed"),
        "amenities_form": AmenitiesForm(initial={"amenities": station.amenities}, prefix="amenities"),
        "slogan_form": SloganForm(prefix="slogan"),
        "playlist_form": PlaylistAddForm(prefix="playlist", videos=SafetyVideo.objects.order_by("title")),
        "video_form": VideoUploadForm(prefix="video"),
    }
    forms.update(bound or {})
    return forms


def _manage_page(request: HttpRequest, station: Station, *, bound: dict[str, Any] | None = None,
                 preview: list[hours.DayHours] | None = None, preview_expression: str = "",
                 status: int = 200) -> HttpResponse:
    today = selectors.today_shanghai()
    context = {
        "station": station,
        "state": selectors.station_open_state(station=station),
        "state_labels": state_labels(),
        "week": preview if preview is not None else selectors.station_week_hours(station=station),
        "is_preview": preview is not None,
        "preview_expression": preview_expression,
        "closures": list(station.closures.filter(end_date__gte=today).order_by("start_date", "id")),
        "playlist": list(station.playlist_items.select_related("video").order_by("position", "id")),
        "slogans": list(station.slogans.order_by("position", "id")),
        "video_max_bytes": video_max_bytes(),
        "missing_holiday_years": selectors.holiday_calendar_missing_years(today=today),
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
        return _manage_page(request, station, bound={"hours_form": form}, preview_expression=expression,
                            preview=selectors.station_hours_preview(
                                station=station, opening_hours=expression, follows_national_calendar=follows))
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


def _handle_video_upload(request: HttpRequest, station: Station) -> HttpResponse:
    form = VideoUploadForm(request.POST, request.FILES, prefix="video")
    if form.is_valid():
        try:
            services.station_video_upload(station_id=station.pk, title=form.cleaned_data["title"], file=form.cleaned_data["file"])
        except InvalidInput as exc:
            # Said beside the file field, where the manager picks another file.
            form.add_error("title" if exc.code == "title_required" else "file", exc.message)
        else:
            return _saved(request, station, _("Video uploaded and added to the playlist."), "playlist")
    return _manage_page(request, station, bound={"video_form": form}, status=400)


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
    "video-upload": _handle_video_upload,
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

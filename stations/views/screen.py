"""The kiosk screen of a station: a TV in the station, no login."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from stations import selectors
from stations.display import state_labels
from stations.models import Station
from stations.routing import screen_socket_path


@never_cache
@require_GET
def station_screen(request: HttpRequest, slug: str) -> HttpResponse:
    # Like the screen API, any existing station has a screen: staff can set up
    # and check the TV before the station is published.
    try:
        station = Station.objects.get(slug=slug)
    except Station.DoesNotExist:
        raise Http404(_("No such care station.")) from None
    payload = selectors.screen_payload(station=station, request=request)
    config = {
        "slug": station.slug,
        "payload": payload,
        "apiUrl": reverse("api-station-screen", args=[station.slug]),
        "wsPath": screen_socket_path(station.slug),
        "sloganSeconds": settings.STATION_SCREEN_TIMERS_S["slogan"],
        "pollSeconds": settings.STATION_SCREEN_TIMERS_S["poll"],
        "pollSecondsLive": settings.STATION_SCREEN_TIMERS_S["pollLive"],
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
            "page_config": config,
        },
    )

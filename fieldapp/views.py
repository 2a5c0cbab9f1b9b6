from __future__ import annotations

import asyncio
import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fieldapp.models import Assignment, Job
from common.roles import DISPATCHER, HOME_URLS, OFFICER, role_of, role_required


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "fieldapp/home.html")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "registration/logged_out.html"


@never_cache
def role_home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own home after login."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    role = role_of(request.user)
    if role is None:
        return render(request, "fieldapp/no_role.html", status=403)
    return redirect(HOME_URLS[role])


@role_required(OFFICER)
def field_home(request: HttpRequest) -> HttpResponse:
    officer = getattr(request.user, "officer", None)
    config = {
        "officerId": officer.id if officer is not None else None,
        "urls": _api_urls(),
        "labels": _field_labels(),
        **_shared_labels(),
    }
    # On the road "offline" needs its consequence spelled out.
    config["connection"]["offline"] = _("Offline: new jobs arrive when the network is back")
    return render(request, "fieldapp/field.html", {"officer": officer, "config": config})


@role_required(DISPATCHER)
def dispatch_home(request: HttpRequest) -> HttpResponse:
    config = {
        "urls": _api_urls(),
        "labels": _dispatch_labels(),
        "map": {
            "tileUrl": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "center": list(settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (36.45, 115.98))),
            "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
        },
        # The board flags a dispatch the phone has not confirmed after this long.
        "receiptTimeoutS": 30,
        # Fixes older than this are shown greyed out; candidates leave them out.
        "staleFixS": 600,
        **_shared_labels(),
    }
    return render(request, "fieldapp/dispatch.html", {"config": config})


def _api_urls() -> dict[str, str]:
    # Paths of the dispatch API and sockets (docs/api-dispatch.md); "{id}" is
    # filled in by the page scripts.
    return {
        "me": "/api/v1/me/",
        "duty": "/api/v1/me/duty/",
        "position": "/api/v1/me/position/",
        "advance": "/api/v1/assignments/{id}/advance/",
        "jobs": "/api/v1/jobs/",
        "job": "/api/v1/jobs/{id}/",
        "candidates": "/api/v1/jobs/{id}/candidates/",
        "dispatch": "/api/v1/jobs/{id}/dispatch/",
        "cancel": "/api/v1/jobs/{id}/cancel/",
        "close": "/api/v1/jobs/{id}/close/",
        "withdraw": "/api/v1/assignments/{id}/withdraw/",
        "officers": "/api/v1/officers/",
        "fieldSocket": "/ws/field/",
        "dispatchSocket": "/ws/dispatch/",
    }


def _choices(choices: list[tuple[object, str]]) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def _shared_labels() -> dict[str, dict[str, str]]:
    """Display names of the job and assignment vocabularies, translated for the page.

    The labels come from the model choices (docs/api-dispatch.md: the JSON
    carries machine values only).
    """
    return {
        "kinds": _choices(Job.Kind.choices),
        "priorities": _choices(Job.Priority.choices),
        "sources": _choices(Job.Source.choices),
        "statuses": _choices(Assignment.Status.choices),
        "jobStatuses": _choices(Job.Status.choices),
        # The officer's button for moving an assignment to this step.
        "actions": {
            "accepted": _("Accept"),
            "en_route": _("On my way"),
            "on_scene": _("Arrived on scene"),
            "cleared": _("Cleared, job done"),
            "declined": _("Decline"),
        },
        "connection": {
            "online": _("Online"),
            "reconnecting": _("Reconnecting…"),
            "offline": _("Offline"),
        },
    }


def _field_labels() -> dict[str, str]:
    return {
        "onDuty": _("On duty"),
        "offDuty": _("Off duty"),
        "goOnDuty": _("Tap to go on duty"),
        "goOffDuty": _("Tap to go off duty"),
        "noAssignment": _("No assignment. Stay safe and keep your phone at hand."),
        "offDutyHint": _("You are off duty. Go on duty to receive jobs."),
        "newAssignment": _("New job"),
        "show": _("Show"),
        "ok": _("OK"),
        "jobCancelled": _("The job was cancelled"),
        "withdrawn": _("You were withdrawn from this job"),
        "navigate": _("Navigate"),
        "amap": _("AMap"),
        "baidu": _("Baidu Maps"),
        "geo": _("Map app"),
        "declineReason": _("Why do you decline? (optional)"),
        "otherSteps": _("Other steps"),
        "sending": _("Sending…"),
        "failed": _("Could not send. Check the network and try again."),
        "position": {
            "stopped": _("Position not shared (off duty)."),
            "waiting": _("Finding your position…"),
            "sent": _("Position shared {age} ago, ±{accuracy} m."),
            "unsent": _("Position not sent yet: no network."),
            "inaccurate": _("Position too inaccurate (±{accuracy} m), waiting for a better fix."),
            "denied": _("Location is blocked. Allow location for this site in the browser settings."),
            "unavailable": _("Position unavailable. Are you indoors?"),
            "timeout": _("Position unavailable. Are you indoors?"),
            "unsupported": _("This phone cannot share its position."),
        },
        "since": _("since {time}"),
        "noJobsToday": _("No jobs today yet."),
        "seconds": _("{n} s"),
        "minutes": _("{n} min"),
        "hours": _("{n} h"),
    }


def _dispatch_labels() -> dict[str, str]:
    return {
        "noOpenJobs": _("No open jobs."),
        "findOfficers": _("Find officers"),
        "dispatchSelected": _("Send selected officers"),
        "force": _("Also send busy officers"),
        "forceHint": _("Tick “Also send busy officers” to send them anyway."),
        "busyNearby": _("Busy officers nearby"),
        "selectSomeone": _("Tick at least one officer."),
        "noCandidates": _("No available officer found."),
        "distance": _("{km} km"),
        "distanceM": _("{m} m"),
        "fixAge": _("fix {age} old"),
        "noFix": _("no position"),
        "cancel": _("Cancel job"),
        "cancelReason": _("Reason for cancelling"),
        "confirmCancel": _("Cancel the job"),
        "reasonRequired": _("Give a reason."),
        "close": _("Close job"),
        "back": _("Back"),
        "nobodySent": _("Nobody sent yet."),
        "forced": _("sent while busy"),
        "notReceived": _("Not received for {age}: call the officer or send someone else"),
        "received": _("Received"),
        "waiting": _("waiting for the phone"),
        "call": _("Call {phone}"),
        "withdraw": _("Withdraw"),
        "withdrawReason": _("Not received on the phone"),
        "sendOther": _("Send someone else"),
        "available": _("Available"),
        "busy": _("Busy"),
        "offDuty": _("Off duty"),
        "stale": _("Position {age} old"),
        "created": _("Job {number} created."),
        "dispatched": _("Sent to {names}."),
        "placeOnMap": _("Click on the map to place the job."),
        "placed": _("Placed at {lat}, {lng}."),
        "newJobPin": _("New job"),
        "mustPlace": _("Place the job on the map first."),
        "summaryRequired": _("Write a summary."),
        "error": _("Something went wrong: {detail}"),
        "networkError": _("No connection to the server. Try again."),
        "noOfficers": _("No officers."),
        "none": _("–"),
        "seconds": _("{n} s"),
        "minutes": _("{n} min"),
        "hours": _("{n} h"),
    }


def _database_state() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down.
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


async def _channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("unexpected message")


def _channel_layer_state() -> dict[str, object]:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]

    async def probe() -> None:
        await asyncio.wait_for(_channel_layer_round_trip(), timeout=2)

    try:
        async_to_sync(probe)()
    except Exception as exc:  # noqa: BLE001 - any failure means the layer is down.
        return {"ok": False, "backend": backend, "error": exc.__class__.__name__}
    return {"ok": True, "backend": backend}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_state()
    channel_layer = _channel_layer_state()
    healthy = bool(database["ok"] and channel_layer["ok"])
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "channel_layer": channel_layer},
        status=200 if healthy else 503,
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": _("Luchang"),
        "short_name": _("Luchang"),
        "description": _("Traffic police field app and care-station finder"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("role-home") if request.user.is_authenticated else "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0a3a82",
        "icons": [
            {"src": static("fieldapp/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("fieldapp/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("fieldapp/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any maskable"},
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [
        "/",
        static("fieldapp/css/base.css"),
        static("fieldapp/js/app.js"),
        static("fieldapp/icons/icon.svg"),
        static("fieldapp/icons/icon-192.png"),
    ]
    response = render(request, "fieldapp/sw.js", {"shell": json.dumps(shell)}, content_type="text/javascript")
    # The worker script itself must never be stale, or shell updates never land.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response

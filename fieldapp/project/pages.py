"""Project-level pages: the welcome page, login and role routing, health, the web app manifest and worker."""
from __future__ import annotations

import json

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

from common.roles import HOME_URL_NAMES, role_of
from fieldapp import events
from fieldapp.routing import FIELD_SOCKET_PATH


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
    return redirect(HOME_URL_NAMES[role])


# --- health ------------------------------------------------------------------

def _database_state() -> dict[str, object]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down.
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__, "pool": _pool_state()}
    return {"ok": True, "vendor": connection.vendor, "pool": _pool_state()}


def _pool_state() -> dict[str, int] | None:
    """This process's PostgreSQL connection pool (None without one): its bounds, size, idle connections and waiters."""
    pool = getattr(connection, "pool", None)
    if pool is None:
        return None
    stats = pool.get_stats()
    return {"min": stats["pool_min"], "max": stats["pool_max"], "size": stats["pool_size"],
            "idle": stats["pool_available"], "waiting": stats["requests_waiting"]}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_state()
    channel_layer = events.channel_layer_state()
    healthy = bool(database["ok"] and channel_layer["ok"])
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "channel_layer": channel_layer},
        status=200 if healthy else 503,
    )


# --- installable web app ----------------------------------------------------------

@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": _("Luchang"),
        "short_name": _("Luchang"),
        "description": _("Traffic police field app and care-station finder"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("role-home") if request.user.is_authenticated else reverse("home"),
        "scope": reverse("home"),
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


def _prefix(*paths: str) -> str:
    """The first path segment the paths share, as "/api/"."""
    first = {path.strip("/").split("/")[0] for path in paths}
    assert len(first) == 1, paths
    return f"/{first.pop()}/"


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [
        reverse("home"),
        static("fieldapp/css/base.css"),
        static("fieldapp/js/app.js"),
        static("fieldapp/icons/icon.svg"),
        static("fieldapp/icons/icon-192.png"),
    ]
    # Live data and uploads are never cached: the API, the sockets, the admin and media.
    network_only = [
        _prefix(reverse("api-me"), reverse("api-token")),
        "/" + FIELD_SOCKET_PATH.split("/")[0] + "/",
        reverse("admin:index"),
        settings.MEDIA_URL,
    ]
    context = {
        "shell": json.dumps(shell),
        "network_only": json.dumps(network_only),
        "static_prefix": json.dumps(settings.STATIC_URL),
        "home": json.dumps(reverse("home")),
        "field": json.dumps(reverse("field-home")),
    }
    response = render(request, "fieldapp/sw.js", context, content_type="text/javascript")
    # The worker script itself must never be stale, or shell updates never land.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("home")
    return response

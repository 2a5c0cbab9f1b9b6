"""Error pages that answer in the API's envelope under /api/ and as HTML elsewhere.

Django answers a URL that matches no route (`/api/v1/jobs/abc/`) before DRF
sees it, so without these a client of the JSON API would get an HTML page.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Server error. Please try again shortly."), "code": "server_error"}, status=500)
    return defaults.server_error(request)

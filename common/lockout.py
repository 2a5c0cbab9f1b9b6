"""The answer to a login that django-axes has locked out (settings.AXES_LOCKOUT_CALLABLE).

The API gets 429 in its envelope with Retry-After; the login pages (ours and
the admin's) show the form again with how long the lock lasts. A failure
during the lock starts the cool-off again, so the whole cool-off is what is left.
"""
from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from common.api_pages import API_PREFIX


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed logins. Try again in %(minutes)d minute, or ask an administrator to unlock the account.",
        "Too many failed logins. Try again in %(minutes)d minutes, or ask an administrator to unlock the account.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=429)
    else:
        # Unbound: validating the form again would try the password again.
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        context = {"form": form, "next": request.POST.get("next", ""), "lockout": lockout_message()}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response

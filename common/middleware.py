from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _


class ChineseFirstLocaleMiddleware:
    """Activate the language the user chose, else Chinese.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which
    would hand an officer with an English-language phone an English app. The
    city's app is Chinese unless the user picks English with the switch, which
    sets the language cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Text answers are worth compressing; media (videos with Range requests,
# photos already compressed) and WebSocket upgrades are not.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/manifest+json",
    "application/vnd.oai.openapi",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding), for text answers only."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)


class RequestBodyLimitMiddleware:
    """Refuse an oversized request body from its Content-Length, before anything reads it.

    Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.body` or
    `request.POST` is read; DRF's parsers read the stream and never look. So a
    JSON or form body over that size is answered 413 here. Multipart bodies carry
    uploads, which have caps of their own (video, photo): they are held to
    REQUEST_UPLOAD_MAX_BYTES instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.REQUEST_UPLOAD_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return body_too_large(request, limit)
        return self.get_response(request)


def body_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "too_large"}, status=413)
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    # The unread body is not worth keeping the connection for.
    response["Connection"] = "close"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 (and Retry-After) when the database refuses or drops the connection.

    A database that is down is not a bug in the app: the phone's outbox and the
    proxy both treat a 503 as "try again later", and /healthz says what is down.
    """

    RETRY_AFTER_S = 5

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        message = _("The database is not available; try again in a moment.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_S)
        return response

from __future__ import annotations

from typing import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import translation


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

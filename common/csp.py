"""Content-Security-Policy: the app's own origin, plus the map's tile server for images.

No inline script or style runs: page data travels in json_script blocks
(type=application/json, which CSP does not treat as script), and styles come
from the static CSS files. JS may still set element.style (Leaflet does); CSP
does not cover that. The sockets are same-host ws:// or wss://.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse


def tile_origin(url: str) -> str:
    """The origin of a tile URL template, as a CSP source.

    A subdomain placeholder ({s}, as in "webrd0{s}.is.autonavi.com") becomes a
    wildcard for its label and those before it: CSP allows "*." only in front.
    """
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    templated = [index for index, label in enumerate(labels) if "{" in label]
    if templated:
        labels = ["*", *labels[templated[-1] + 1 :]]
    if len(labels) < 2 or any("{" in label for label in labels):
        return ""
    return f"{parts.scheme}://{'.'.join(labels)}"


def policy(host: str | None) -> str:
    tiles = tile_origin(settings.MAP_TILE_URL)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the small icons Leaflet and Swagger UI draw from their CSS.
        # blob: for photos the officer has just taken, shown before they are sent.
        "img-src": ["'self'", "data:", "blob:", *([tiles] if tiles else [])],
        "font-src": ["'self'", "data:"],
        # blob: for the station screen's videos, played from the device's cache.
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", *([f"ws://{host}", f"wss://{host}"] if host else [])],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sets the policy on every answer that does not carry one of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            try:
                host = request.get_host()
            except DisallowedHost:
                host = None
            response["Content-Security-Policy"] = policy(host)
        return response

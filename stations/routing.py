"""WebSocket routes of the care stations."""
from __future__ import annotations

from urllib.parse import quote

from django.urls import path

from stations.consumers import ScreenConsumer

# Channels routes cannot be reversed; the screen page gets its path from here.
SCREEN_SOCKET_PATH = "ws/stations/<slug:slug>/screen/"


def screen_socket_path(slug: str) -> str:
    return "/" + SCREEN_SOCKET_PATH.replace("<slug:slug>", quote(slug))


websocket_urlpatterns = [
    path(SCREEN_SOCKET_PATH, ScreenConsumer.as_asgi()),
]

"""WebSocket routes of the care stations."""
from __future__ import annotations

from django.urls import path

from stations.consumers import ScreenConsumer

websocket_urlpatterns = [
    path("ws/stations/<slug:slug>/screen/", ScreenConsumer.as_asgi()),
]

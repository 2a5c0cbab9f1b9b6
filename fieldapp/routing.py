"""WebSocket routes of field operations (/ws/field/, /ws/dispatch/)."""
from __future__ import annotations

from django.urls import path

from fieldapp.consumers import DispatchConsumer, FieldConsumer

websocket_urlpatterns = [
    path("ws/field/", FieldConsumer.as_asgi()),
    path("ws/dispatch/", DispatchConsumer.as_asgi()),
]

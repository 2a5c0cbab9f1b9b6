"""WebSocket routes of field operations (/ws/field/, /ws/dispatch/)."""
from __future__ import annotations

from django.urls import path

from fieldapp.consumers import DispatchConsumer, FieldConsumer

# Channels routes cannot be reversed; the pages get these paths from here.
FIELD_SOCKET_PATH = "ws/field/"
DISPATCH_SOCKET_PATH = "ws/dispatch/"

websocket_urlpatterns = [
    path(FIELD_SOCKET_PATH, FieldConsumer.as_asgi()),
    path(DISPATCH_SOCKET_PATH, DispatchConsumer.as_asgi()),
]

"""WebSocket routes of field operations (/ws/field/, /ws/dispatch/)."""
from __future__ import annotations

websocket_urlpatterns: list = []

"""WebSocket routes of the care stations."""
from __future__ import annotations

websocket_urlpatterns: list = []

"""Every WebSocket route of the project, gathered from the apps."""
from __future__ import annotations

from fieldapp.routing import websocket_urlpatterns as field_patterns
from stations.routing import websocket_urlpatterns as station_patterns

websocket_urlpatterns = [*field_patterns, *station_patterns]

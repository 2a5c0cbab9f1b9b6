"""The kiosk screen's WebSocket: public, read-only, one group per station."""
from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from common.websocket import GuardedFrames
from stations.events import station_group


@database_sync_to_async
def station_id_for(slug: str) -> int | None:
    from stations.models import Station

    # Like the screen page and its REST payload, any existing station has a
    # screen, so staff can set up the TV before the station is published.
    return Station.objects.filter(slug=slug).values_list("id", flat=True).first()


class ScreenConsumer(GuardedFrames):
    """Forwards "something changed" nudges; the screen re-fetches its payload over HTTP.

    Nothing the client sends is acted on: a kiosk in a public place must not
    be able to change anything.
    """

    group: str | None = None

    async def connect(self) -> None:
        station_id = await station_id_for(self.scope["url_route"]["kwargs"]["slug"])
        if station_id is None:
            await self.close(code=4404)
            return
        self.group = station_group(station_id)
        # Renewed, so a Redis restart does not leave the screen deaf.
        await self.keep_groups([self.group])
        await self.accept()
        await self.send_json({"type": "hello", "station_id": station_id})

    async def disconnect(self, code: int) -> None:
        await self.leave_groups()

    async def receive_frame(self, content: dict[str, Any]) -> None:
        # A ping keeps proxies from closing an idle socket; everything else is ignored.
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def station_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

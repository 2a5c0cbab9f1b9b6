"""The only place the stations app talks to the channel layer.

Services call the *_on_commit senders; the push leaves after the transaction
commits, and a screen or finder that missed it recovers by polling.
"""
from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# The message is only a nudge: the screen re-fetches its payload, because the
# database is the truth and a nudge may arrive out of order or twice.
STATION_CHANGED = "station.changed"


def station_group(station_id: int) -> str:
    return f"station.{station_id}"


def station_changed_message(station_id: int) -> dict[str, Any]:
    return {"type": STATION_CHANGED, "station_id": station_id}


def send(group: str, message: dict[str, Any]) -> None:
    """Send to a group; a broken channel layer must never undo a saved write."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - the screens fall back to polling.
        logger.exception("could not push %s to %s", message.get("type"), group)


def station_changed_on_commit(station_id: int) -> None:
    """Nudge the station's screen (and any open page) that hours, closure or playlist changed."""
    transaction.on_commit(lambda: send(station_group(station_id), station_changed_message(station_id)))

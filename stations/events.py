"""The only place the stations app talks to the channel layer.

Services call the *_on_commit senders; the push leaves after the transaction
commits, and a screen or finder that missed it recovers by polling.
"""
from __future__ import annotations


def station_group(station_id: int) -> str:
    return f"station.{station_id}"


def station_changed_on_commit(station_id: int) -> None:
    """Nudge the station's screen (and any open page) that hours, closure or playlist changed."""
    # Filled in with the screen's WebSocket consumer.
    return None

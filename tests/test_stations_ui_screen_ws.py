"""The kiosk screen's WebSocket, driven through the real fieldapp.project.asgi.application."""
from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from fieldapp.project.asgi import application
from stations import services
from stations.models import Station
from tests.helpers import make_city_station

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


@database_sync_to_async
def create_station(slug: str, *, published: bool = True) -> Station:
    return make_city_station(slug, "市医院中队", 36.4561, 115.9854, published=published)


async def connect(slug: str) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, f"/ws/stations/{slug}/screen/", headers=ORIGIN)
    connected, _code = await communicator.connect()
    return communicator, connected


async def test_a_slogan_added_through_the_service_reaches_the_screen():
    station = await create_station("shiyiyuan")
    communicator, connected = await connect("shiyiyuan")
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "hello", "station_id": station.pk}

    await database_sync_to_async(services.slogan_create)(station_id=station.pk, text="礼让斑马线")

    assert await communicator.receive_json_from(timeout=5) == {"type": "station.changed", "station_id": station.pk}
    await communicator.disconnect()


async def test_closing_the_station_reaches_the_screen():
    station = await create_station("shiyiyuan")
    communicator, _ = await connect("shiyiyuan")
    await communicator.receive_json_from(timeout=5)

    await database_sync_to_async(services.station_set_closed_now)(station_id=station.pk, closed=True, reason="外出执勤")

    assert await communicator.receive_json_from(timeout=5) == {"type": "station.changed", "station_id": station.pk}
    await communicator.disconnect()


async def test_another_stations_change_does_not_reach_the_screen():
    await create_station("shiyiyuan")
    other = await database_sync_to_async(make_city_station)("dengta", "灯塔中队", 36.47, 115.97)
    communicator, _ = await connect("shiyiyuan")
    await communicator.receive_json_from(timeout=5)

    await database_sync_to_async(services.slogan_create)(station_id=other.pk, text="礼让斑马线")

    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_the_screen_socket_ignores_what_the_client_sends():
    await create_station("shiyiyuan")
    communicator, _ = await connect("shiyiyuan")
    await communicator.receive_json_from(timeout=5)
    await communicator.send_json_to({"type": "station.changed", "published": False})
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    assert (await database_sync_to_async(Station.objects.get)(slug="shiyiyuan")).published is True
    await communicator.disconnect()


async def test_unknown_station_is_refused():
    communicator, connected = await connect("no-such-station")
    assert not connected
    await communicator.disconnect()

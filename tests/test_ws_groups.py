"""Sockets outlive their group memberships: Redis can forget them (a restart, group_expiry), and every socket renews its own.

The in-memory layer stands in for Redis here: the test empties its groups, as
a Redis restart without persistence would, and shortens WS_GROUP_RENEW_S.
"""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator

from fieldapp import events
from fieldapp.models import Officer
from fieldapp.project.asgi import application
from tests.helpers import dispatch, new_job, ws_headers

pytestmark = [pytest.mark.django_db(transaction=True)]

TIMEOUT = 10


@pytest.fixture(autouse=True)
def _short_renewal(settings) -> Iterator[None]:
    # These tests empty the layer's groups by hand, so they run on the in-memory
    # layer in both configurations. On Redis the same renewals are proven by
    # tests/test_faults.py, against a redis-server it may restart.
    settings.WS_GROUP_RENEW_S = 0.2
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    saved = channel_layers.backends
    channel_layers.backends = {}
    yield
    channel_layers.backends = saved


def forget_every_group() -> None:
    """What a Redis restart without persistence does to the layer's groups."""
    get_channel_layer().groups.clear()


async def joined_again(group: str) -> None:
    """Poll, with a deadline, until some socket is a member of the group again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not get_channel_layer().groups.get(group):
        assert loop.time() < deadline, f"no socket joined {group} again"
        await asyncio.sleep(0.05)


async def connect(user: Any, path: str) -> WebsocketCommunicator:
    if isinstance(user, Officer):
        user = await sync_to_async(lambda: Officer.objects.select_related("user").get(pk=user.pk).user)()
    communicator = WebsocketCommunicator(application, path, headers=await sync_to_async(ws_headers)(user))
    connected, _code = await communicator.connect(timeout=TIMEOUT)
    assert connected
    assert (await communicator.receive_json_from(TIMEOUT))["type"] == "hello"
    return communicator


async def test_an_officer_socket_whose_group_was_forgotten_gets_the_next_dispatch(dispatcher, duty_officer):
    phone = await connect(duty_officer, "/ws/field/")
    await phone.send_json_to({"type": "resume", "after": 0})
    assert (await phone.receive_json_from(TIMEOUT))["type"] == "resumed"
    forget_every_group()
    job = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(job, dispatcher, duty_officer)  # its push finds no one
    frame = await phone.receive_json_from(TIMEOUT)  # the renewal reads it from the database
    assert (frame["type"], frame["seq"]) == ("assignment.new", 1)
    second = await sync_to_async(new_job)(dispatcher)
    await sync_to_async(dispatch)(second, dispatcher, duty_officer, force=True)  # and the group is back for live pushes
    frame = await phone.receive_json_from(TIMEOUT)
    assert (frame["type"], frame["seq"]) == ("assignment.new", 2)
    assert await phone.receive_nothing(timeout=0.5)
    await phone.disconnect()


async def test_a_desk_socket_whose_group_was_forgotten_hears_pushes_again(dispatcher):
    desk = await connect(dispatcher, "/ws/dispatch/")
    forget_every_group()
    await joined_again(events.DISPATCH_GROUP)
    frame = {"type": "officer.changed", "officer": {"id": 1}}
    await get_channel_layer().group_send(events.DISPATCH_GROUP, {"type": "desk.frame", "frame": frame})
    assert await desk.receive_json_from(TIMEOUT) == frame
    await desk.disconnect()


async def test_a_station_screen_whose_group_was_forgotten_hears_pushes_again(station):
    from stations.events import station_group

    screen = await connect(None, f"/ws/stations/{station.slug}/screen/")
    forget_every_group()
    await joined_again(station_group(station.pk))
    await get_channel_layer().group_send(station_group(station.pk), {"type": "station.changed", "station_id": station.pk})
    assert (await screen.receive_json_from(TIMEOUT))["type"] == "station.changed"
    await screen.disconnect()



async def test_sockets_opened_together_do_not_renew_together(dispatcher, monkeypatch):
    """A reconnect storm must not become a storm of renewals every period: each socket's first comes at its own time."""
    from common.websocket import GuardedFrames

    joined: dict[str, float] = {}
    renewed: dict[str, float] = {}
    loop = asyncio.get_running_loop()
    keep, renew = GuardedFrames.keep_groups, GuardedFrames.groups_renew

    async def noted_keep(self, groups):  # type: ignore[no-untyped-def]
        await keep(self, groups)
        joined[self.channel_name] = loop.time()

    async def noted_renew(self, event):  # type: ignore[no-untyped-def]
        renewed.setdefault(self.channel_name, loop.time())
        await renew(self, event)

    monkeypatch.setattr(GuardedFrames, "keep_groups", noted_keep)
    monkeypatch.setattr(GuardedFrames, "groups_renew", noted_renew)
    desks = [await connect(dispatcher, "/ws/dispatch/") for _ in range(12)]
    deadline = loop.time() + TIMEOUT
    while len(renewed) < len(desks):
        assert loop.time() < deadline, "not every socket renewed its groups"
        await asyncio.sleep(0.01)
    # WS_GROUP_RENEW_S is 0.2 here: a first renewal comes 0.1-0.2 s after the join, each socket at its own point.
    waits = sorted(renewed[name] - joined[name] for name in renewed)
    assert 0.09 <= waits[0] and waits[-1] <= 0.5, waits
    assert waits[-1] - waits[0] > 0.03 and waits[0] < 0.17, waits
    for desk in desks:
        await desk.disconnect()

"""The desk hears every escalation step on /ws/dispatch/ as `assignment.notified`, with all attempts so far."""
from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from fieldapp.notify import base
from fieldapp.notify import services as notify
from fieldapp.project.asgi import application
from tests.helpers import dispatch, new_job, on_duty, ws_headers

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 10


@pytest.fixture(autouse=True)
def log_channel(settings):
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    settings.NOTIFY_CHANNELS = ["fieldapp.notify.channels.LogChannel"]
    base._load.cache_clear()
    yield
    base._load.cache_clear()


async def frame_of_type(desk: WebsocketCommunicator, frame_type: str) -> dict:
    while (frame := await desk.receive_json_from(TIMEOUT))["type"] != frame_type:
        pass
    return frame


async def test_the_desk_hears_each_step_with_every_attempt_so_far(dispatcher, officer):
    headers = await sync_to_async(ws_headers)(dispatcher)
    desk = WebsocketCommunicator(application, "/ws/dispatch/", headers=headers)
    connected, _detail = await desk.connect(timeout=TIMEOUT)
    assert connected
    await sync_to_async(on_duty)(officer)
    job = await sync_to_async(new_job)(dispatcher)
    (assignment,) = await sync_to_async(dispatch)(job, dispatcher, officer)
    run = sync_to_async(notify.run_due)
    await run(worker="test", now=assignment.dispatched_at)
    first = await frame_of_type(desk, "assignment.notified")
    assert (first["assignment_id"], first["job_id"]) == (assignment.pk, job.pk)
    assert [(n["step"], n["channel"], n["result"]) for n in first["notifications"]] == [("push", "websocket", "sent")]
    await run(worker="test", now=assignment.dispatched_at + timedelta(seconds=20))
    second = await frame_of_type(desk, "assignment.notified")
    assert [(n["step"], n["channel"]) for n in second["notifications"]] == [("push", "websocket"), ("sms", "log")]
    await desk.disconnect()

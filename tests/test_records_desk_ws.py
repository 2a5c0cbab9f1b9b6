"""An officer-started job and a saved record reach the dispatch desk's socket at once (the real ASGI app)."""
from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from fieldapp.models import Officer
from fieldapp.project.asgi import application
from tests.records_support import job_on, on_duty, ws_headers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_channel_layer")]

TIMEOUT = 10


async def open_desk(dispatcher: Any) -> WebsocketCommunicator:
    headers = await sync_to_async(ws_headers)(dispatcher)
    desk = WebsocketCommunicator(application, "/ws/dispatch/", headers=headers)
    connected, _detail = await desk.connect(timeout=TIMEOUT)
    assert connected
    assert await desk.receive_json_from(TIMEOUT) == {"type": "hello"}
    return desk


async def frame_of_type(desk: WebsocketCommunicator, frame_type: str) -> dict[str, Any]:
    while (frame := await desk.receive_json_from(TIMEOUT))["type"] != frame_type:
        pass
    return frame


def post_as(officer: Any, path: str, body: dict[str, Any], method: str = "post") -> Any:
    client = APIClient()
    client.force_authenticate(Officer.objects.select_related("user").get(pk=officer.pk).user)
    return getattr(client, method)(path, body, format="json")


async def test_an_officer_started_job_appears_on_the_desk(dispatcher, officer):
    await sync_to_async(on_duty)(officer)
    desk = await open_desk(dispatcher)

    r = await sync_to_async(post_as)(
        officer, "/api/v1/jobs/found/", {"kind": "accident", "lat": 36.4512, "lng": 115.9861, "note": "两车剐蹭"}
    )
    assert r.status_code == 201

    frame = await frame_of_type(desk, "job.changed")
    job = frame["job"]
    assert job["id"] == r.json()["job"]["id"]
    assert job["source"] == "officer" and job["found_on_patrol"] is True
    assert job["summary"] == "两车剐蹭" and job["status"] == "open"
    assert [(a["officer"]["id"], a["status"]) for a in job["assignments"]] == [(officer.pk, "on_scene")]
    assert [step["step"] for step in job["timeline"]] == ["reported", "dispatched", "received", "accepted", "on_scene"]
    assert job["records"] == {"quick_clearance": None, "rescue": None, "job_photos": []}
    assignment = await frame_of_type(desk, "assignment.changed")
    assert assignment["assignment"]["status"] == "on_scene"
    officer_frame = await frame_of_type(desk, "officer.changed")
    assert officer_frame["officer"]["state"] == "busy"
    await desk.disconnect()


async def test_a_saved_record_reaches_the_desk_with_its_outcome(dispatcher, officer):
    job, _assignment = await sync_to_async(job_on)(officer, dispatcher)
    desk = await open_desk(dispatcher)

    r = await sync_to_async(post_as)(
        officer, f"/api/v1/jobs/{job.pk}/quick-clearance/", {"vehicles_movable": False, "status": "later"},
        "patch",
    )
    assert r.status_code == 200

    frame = await frame_of_type(desk, "job.changed")
    record = frame["job"]["records"]["quick_clearance"]
    assert record["outcome"] == "ordinary" and record["failing_items"] == ["vehicles_movable"]
    assert record["status"] == "later"
    await desk.disconnect()

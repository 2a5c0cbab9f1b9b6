"""Escalation across processes (PostgreSQL + Redis): each step once, with two Daphne servers, and after a kill -9.

Every server runs the worker inside it (NOTIFY_WORKER_IN_PROCESS); the steps
come seconds apart (from the environment) and the SMS goes to a local server
that answers like Alibaba Cloud.
"""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.db import connection

from fieldapp.models import NotificationAttempt
from tests.helpers import dispatch, new_job, require
from tests.notify_support import FakeProvider, Seen, acs3_signature_ok, json_answer

pytestmark = [pytest.mark.multiprocess, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AK, SECRET = "LTAI-process-key", "process-secret"


@pytest.fixture
def postgres() -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture
def sms_server():
    def answer(seen: Seen):
        if not acs3_signature_ok(seen, SECRET):
            return json_answer({"Code": "SignatureDoesNotMatch", "Message": "bad", "RequestId": "x"}, status=400)
        return json_answer({"Code": "OK", "Message": "OK", "BizId": f"biz-{len(server.requests)}", "RequestId": "r"})

    server = FakeProvider(answer).start()
    yield server
    server.stop()


def worker_env(sms_server: FakeProvider) -> dict[str, str]:
    return {
        "NOTIFY_WORKER_IN_PROCESS": "true",
        "NOTIFY_CHANNELS": "fieldapp.notify.sms.AliyunSmsChannel",
        "NOTIFY_SMS_AFTER_S": "2", "NOTIFY_VOICE_AFTER_S": "3", "NOTIFY_DESK_AFTER_S": "4",
        # The provider answers at once; the time-out only has to outlast a loaded CI machine.
        "NOTIFY_POLL_S": "0.2", "NOTIFY_TIMEOUT_S": "8", "NOTIFY_CLAIM_LEASE_S": "10",
        "ALIYUN_ACCESS_KEY_ID": AK, "ALIYUN_ACCESS_KEY_SECRET": SECRET, "ALIYUN_PROTOCOL": "http",
        "ALIYUN_SMS_ENDPOINT": sms_server.host, "ALIYUN_SMS_SIGN_NAME": "路畅", "ALIYUN_SMS_TEMPLATE_CODE": "SMS_1",
    }


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def sms_per_assignment(sms_server: FakeProvider) -> Counter:
    return Counter(seen.query["OutId"][0] for seen in sms_server.requests)


def test_two_servers_make_each_attempt_exactly_once(postgres, live_server_factory, sms_server, dispatcher, duty_officer):
    env = worker_env(sms_server)
    redis_url = os.environ.get("REDIS_URL") or None
    first = live_server_factory(env=env, fresh=True, redis_url=redis_url)
    second = live_server_factory(env=env, fresh=True, redis_url=redis_url)
    assignments = [dispatch(new_job(dispatcher), dispatcher, duty_officer, force=True)[0] for _ in range(10)]
    ids = [a.pk for a in assignments]
    wait_for(lambda: NotificationAttempt.objects.filter(assignment_id__in=ids, step="desk").count() == 10, 60, "the desk steps")
    rows = Counter(NotificationAttempt.objects.filter(assignment_id__in=ids).values_list("assignment_id", "step", "channel"))
    assert set(rows.values()) == {1}
    assert {step for _a, step, _c in rows} == {"push", "sms", "desk"}
    assert sms_per_assignment(sms_server) == Counter({f"assignment-{pk}": 1 for pk in ids})
    assert first.alive() and second.alive()
    # Each SMS step was claimed once, by one of the two servers (each logs the steps it claims).
    logs = [server.log_path.read_text() for server in (first, second)]
    assert sum(log.count("notify sms ") for log in logs) == 10


def test_after_a_kill_9_between_two_steps_the_next_step_happens_once(
    postgres, live_server_factory, sms_server, dispatcher, duty_officer
):
    env = {**worker_env(sms_server), "NOTIFY_SMS_AFTER_S": "3"}
    doomed = live_server_factory(env=env, fresh=True)
    assignments = [dispatch(new_job(dispatcher), dispatcher, duty_officer, force=True)[0] for _ in range(5)]
    ids = [a.pk for a in assignments]
    wait_for(lambda: NotificationAttempt.objects.filter(assignment_id__in=ids, step="push").count() == 5, 20, "the push steps")
    assert NotificationAttempt.objects.filter(assignment_id__in=ids, step="sms").count() == 0
    doomed.process.kill()
    doomed.process.wait()
    live_server_factory(env=env, fresh=True)
    wait_for(lambda: NotificationAttempt.objects.filter(assignment_id__in=ids, step="desk").count() == 5, 60, "the desk steps")
    sms = NotificationAttempt.objects.filter(assignment_id__in=ids, step="sms")
    assert sorted(sms.values_list("assignment_id", "result")) == [(pk, "sent") for pk in sorted(ids)]
    assert sms_per_assignment(sms_server) == Counter({f"assignment-{pk}": 1 for pk in ids})

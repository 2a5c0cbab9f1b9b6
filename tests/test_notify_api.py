"""The officer's Web Push subscription API, and the attempts on the desk's assignments."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldapp.models import PushSubscription
from fieldapp.notify import base
from fieldapp.notify import services as notify
from tests.helpers import dispatch, make_user, new_job, on_duty

URL = "/api/v1/me/push-subscriptions/"
SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc123",
    "keys": {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
             "auth": "tBHItJI5svbpez7KI4CCXg"},
}


@pytest.fixture(autouse=True)
def log_channels(settings):
    settings.NOTIFY_VAPID_PUBLIC_KEY = "BPublicKeyForTheTest"
    settings.NOTIFY_CHANNELS = ["fieldapp.notify.channels.LogChannel"]
    base._load.cache_clear()
    yield
    base._load.cache_clear()


def test_an_officer_stores_their_browsers_subscription(api, officer):
    api.force_authenticate(officer.user)
    r = api.post(URL, SUBSCRIPTION, format="json")
    assert r.status_code == 201
    subscription = PushSubscription.objects.get()
    assert (subscription.officer, subscription.endpoint, subscription.auth) == (
        officer, SUBSCRIPTION["endpoint"], SUBSCRIPTION["keys"]["auth"])
    r = api.get(URL)
    assert r.json()["vapid_public_key"] == "BPublicKeyForTheTest"
    assert [s["endpoint"] for s in r.json()["subscriptions"]] == [SUBSCRIPTION["endpoint"]]


def test_subscribing_twice_keeps_one_row(api, officer):
    api.force_authenticate(officer.user)
    api.post(URL, SUBSCRIPTION, format="json")
    assert api.post(URL, SUBSCRIPTION, format="json").status_code == 201
    assert PushSubscription.objects.count() == 1


def test_a_plain_http_endpoint_is_refused(api, officer):
    api.force_authenticate(officer.user)
    r = api.post(URL, {**SUBSCRIPTION, "endpoint": "http://10.0.0.1/internal"}, format="json")
    assert r.status_code == 400
    assert PushSubscription.objects.count() == 0


def test_an_officer_forgets_their_subscription(api, officer):
    api.force_authenticate(officer.user)
    api.post(URL, SUBSCRIPTION, format="json")
    assert api.delete(URL, {"endpoint": SUBSCRIPTION["endpoint"]}, format="json").status_code == 204
    assert PushSubscription.objects.count() == 0


def test_an_officer_cannot_delete_someone_elses_subscription(api, officer, other_officer):
    notify.push_subscription_save(officer=other_officer, endpoint=SUBSCRIPTION["endpoint"], p256dh="x", auth="y")
    api.force_authenticate(officer.user)
    api.delete(URL, {"endpoint": SUBSCRIPTION["endpoint"]}, format="json")
    assert PushSubscription.objects.filter(officer=other_officer).count() == 1


def test_a_dispatcher_has_no_subscription_api(api, dispatcher):
    api.force_authenticate(dispatcher)
    assert api.post(URL, SUBSCRIPTION, format="json").status_code == 403


def test_anonymous_gets_401(api):
    assert api.post(URL, SUBSCRIPTION, format="json").status_code == 401


def test_the_desk_sees_each_attempt_on_the_assignment(api, dispatcher, assignment):
    for seconds in (0, 20):
        notify.run_due(worker="test", now=assignment.dispatched_at + timedelta(seconds=seconds))
    api.force_authenticate(dispatcher)
    (job,) = api.get("/api/v1/jobs/").json()
    (desk_assignment,) = job["assignments"]
    assert [(n["step"], n["channel"], n["result"]) for n in desk_assignment["notifications"]] == [
        ("push", "websocket", "sent"), ("sms", "log", "sent"),
    ]
    assert set(desk_assignment["notifications"][0]) == {
        "id", "step", "channel", "at", "result", "reason", "provider_message_id", "text"}
    assert desk_assignment["notifications"][1]["text"] == "日志 已发送"


def test_an_officer_does_not_see_the_attempts(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    (job,) = api.get("/api/v1/jobs/").json()
    assert "notifications" not in job["assignments"][0]


def test_the_attempts_cost_one_query_for_the_whole_list(api, dispatcher, squad):
    from common.roles import OFFICER
    from fieldapp.models import Officer

    def add_job(n: int) -> None:
        user = make_user(f"o{n}", group=OFFICER)
        officer = on_duty(Officer.objects.create(user=user, badge_number=f"B{n}", call_sign=f"C{n}", squad=squad))
        (assignment,) = dispatch(new_job(dispatcher), dispatcher, officer)
        notify.run_due(worker="test", now=assignment.dispatched_at + timedelta(seconds=21))

    api.force_authenticate(dispatcher)
    add_job(1)
    api.get("/api/v1/jobs/")
    with CaptureQueriesContext(connection) as one:
        api.get("/api/v1/jobs/")
    for n in range(2, 5):
        add_job(n)
    with CaptureQueriesContext(connection) as four:
        r = api.get("/api/v1/jobs/")
    assert len(r.json()) == 4
    assert len(four) == len(one)

"""The officer's phone in Chromium: Web Push asked for on the duty tap (never on load), the service
worker's notification for a push, and the line that says which alert paths work."""
from __future__ import annotations

import json
import time
from typing import Any

import pytest

from fieldapp.models import PushSubscription
from tests.live import LiveServer, login

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
VAPID_PUBLIC = "BEYKVoXtPvQHvzu7BdHy1mfcjIiA6GGOd4Dj1kfdk-C1MKDEouKtX7P2FjnwwZCPYqABY1UW1rZbiR2WKQI6eJE"
ENDPOINT = "https://push.example.invalid/send/officer-phone"

# Chromium's own pushManager.subscribe() needs Google's push service, which a
# test must not reach; the page gets a subscription of the shape the browser
# returns instead, and everything after it (the POST, the server row) is real.
STUB_SUBSCRIBE = """
window.__subscribeCalls = 0;
if (window.PushManager) {
  PushManager.prototype.getSubscription = async function () { return window.__subscription || null; };
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribeCalls += 1;
    window.__subscribeKeyLength = options.applicationServerKey.length;
    window.__subscription = { endpoint: "%s", toJSON() {
      return { endpoint: "%s", expirationTime: null, keys: { p256dh: "BKey", auth: "QXV0aA" } }; } };
    return window.__subscription;
  };
}
""" % (ENDPOINT, ENDPOINT)


@pytest.fixture
def server(live_server_factory) -> LiveServer:
    return live_server_factory(env={"NOTIFY_VAPID_PUBLIC_KEY": VAPID_PUBLIC})


def open_field(context: Any, server: LiveServer) -> Any:
    context.grant_permissions(["geolocation", "notifications"], origin=server.url)
    context.set_geolocation({"latitude": 36.457, "longitude": 115.9855, "accuracy": 10})
    context.add_init_script(STUB_SUBSCRIBE)
    page = context.new_page()
    login(page, server, "officer")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_selector("#alert-paths:not(:empty)", timeout=TIMEOUT)
    if page.is_visible("#alerts-later"):
        page.click("#alerts-later")
    return page


def test_web_push_is_asked_for_on_the_duty_tap_never_on_load(server, officer, phone):
    page = open_field(phone, server)
    assert page.evaluate("() => window.__subscribeCalls") == 0
    assert not PushSubscription.objects.exists()
    page.click("#duty")
    page.wait_for_function("() => document.querySelector('#alert-paths').dataset.push === 'works'", timeout=TIMEOUT)
    assert page.evaluate("() => window.__subscribeCalls") == 1
    assert page.evaluate("() => window.__subscribeKeyLength") == 65
    subscription = PushSubscription.objects.get()
    assert (subscription.officer_id, subscription.endpoint) == (officer.pk, ENDPOINT)
    assert "网页推送可用" in page.text_content("#alert-paths")


def test_the_service_worker_shows_a_notification_for_a_push_and_its_tap_opens_the_job(server, officer, phone):
    page = open_field(phone, server)
    # A push delivered while the worker is still installing is lost: wait until it is active
    # (on a loaded machine installing, which caches the shell, takes longer than a moment).
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cdp = phone.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + TIMEOUT / 1000
    while not [r for r in registrations if not r.get("isDeleted")] and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    (registration,) = [r for r in registrations if not r.get("isDeleted")][:1]
    payload = {
        "type": "assignment.new", "assignment_id": 7, "job_id": 5, "number": "20261201-0005", "kind": "accident",
        "kind_label": "交通事故", "summary": "两车追尾", "distance_text": "350 米", "title": "新警情 20261201-0005",
        "body": "交通事故 · 两车追尾 · 350 米", "url": "http://elsewhere.example/field/?job=5",
    }
    # An async predicate would count as met at once (a promise is truthy), so poll here. DevTools'
    # delivery to a worker it is starting is sometimes lost (about one run in six on this machine,
    # with the worker as it was before): the push goes again after 3 s; its tag keeps one notification.
    shown = None
    deadline = time.monotonic() + TIMEOUT / 1000
    while shown is None and time.monotonic() < deadline:
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": server.url, "registrationId": registration["registrationId"], "data": json.dumps(payload),
        })
        again = time.monotonic() + 3
        while shown is None and time.monotonic() < min(again, deadline):
            shown = page.evaluate(
                """async () => {
                  const registration = await navigator.serviceWorker.ready;
                  const [notification] = await registration.getNotifications();
                  return notification ? { title: notification.title, body: notification.body, url: notification.data.url } : null;
                }"""
            )
            if shown is None:
                page.wait_for_timeout(100)
    # The tap opens the job on this server, whatever host the server put in the payload.
    assert shown == {"title": payload["title"], "body": payload["body"], "url": "/field/?job=5"}


def test_the_desk_shows_each_attempt_on_the_assignment(live_server_factory, officer, dispatcher, desktop):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from fieldapp import services

    # A server of its own, stopped after the test: its worker must not take other tests' steps.
    server = live_server_factory(
        env={"NOTIFY_WORKER_IN_PROCESS": "true", "NOTIFY_SMS_AFTER_S": "4", "NOTIFY_POLL_S": "0.2"}, fresh=True
    )

    def send_job() -> None:
        try:
            services.officer_set_duty(officer_id=officer.pk, on_duty=True)
            job = services.job_create(created_by=dispatcher, kind="accident", summary="两车追尾", lat=36.456, lng=115.985)
            services.job_dispatch(job_id=job.pk, officer_ids=[officer.pk], dispatcher=dispatcher)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(send_job).result()
    # The job is made here, in another process than the server's: the desk reads it on load, and
    # hears the server's worker push each step (assignment.notified) from then on.
    page = desktop.new_page()
    login(page, server, "dispatcher")
    page.wait_for_selector("#connection[data-state=online]", timeout=TIMEOUT)
    # The log channel stands in for SMS here: 短信 · 日志 · 已发送 after the missed receipt.
    page.wait_for_function(
        "() => { const line = document.querySelector('.crew .notified'); return line && line.textContent.includes('短信 · 日志 · 已发送'); }",
        timeout=TIMEOUT,
    )
    assert page.text_content(".crew .notified").startswith("推送 · App · 已发送")

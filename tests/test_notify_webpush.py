"""Web Push with pywebpush to a local push service that checks the VAPID token and decrypts the payload (RFC 8291)."""
from __future__ import annotations

import base64
import json
import os

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import call_command

from fieldapp.models import PushSubscription
from fieldapp.notify import services as notify
from fieldapp.notify.webpush import WebPushChannel
from tests.notify_support import FakeProvider, Seen


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """The phone's side of a subscription: its ECDH key pair and auth secret."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"))


def vapid_ok(seen: Seen, public_key_b64: str) -> bool:
    """The VAPID (RFC 8292) token is an ES256 JWT for the endpoint's origin, signed by the configured key."""
    scheme, _, value = seen.headers.get("authorization", "").partition(" ")
    fields = dict(part.strip().split("=", 1) for part in value.split(","))
    if scheme.lower() != "vapid" or fields.get("k") != public_key_b64:
        return False
    header, claims, signature = fields["t"].split(".")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key_b64))
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    aud = json.loads(unb64url(claims))["aud"]
    return aud == f"http://{seen.headers['host']}"


class PushService:
    status = 201


@pytest.fixture(scope="module")
def push_service():
    def answer(seen: Seen):
        return PushService.status, {"Location": f"http://{seen.headers['host']}/m/{len(push.requests)}"}, b""

    push = FakeProvider(answer).start()
    yield push
    push.stop()


@pytest.fixture
def vapid(settings, capsys):
    call_command("vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    settings.NOTIFY_VAPID_PRIVATE_KEY = lines["NOTIFY_VAPID_PRIVATE_KEY"]
    settings.NOTIFY_VAPID_PUBLIC_KEY = lines["NOTIFY_VAPID_PUBLIC_KEY"]
    settings.NOTIFY_TIMEOUT_S = 1
    settings.NOTIFY_PUSH_ALLOW_HTTP = True
    return lines["NOTIFY_VAPID_PUBLIC_KEY"]


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def subscription(duty_officer, push_service, browser):
    push_service.requests.clear()
    PushService.status = 201
    return notify.push_subscription_save(
        officer=duty_officer, endpoint=f"http://{push_service.host}/push/abc", p256dh=browser.p256dh,
        auth=b64url(browser.auth),
    )


def test_the_push_reaches_the_service_encrypted_for_the_phone(vapid, push_service, browser, subscription, assignment):
    result = WebPushChannel().send(notify.attempt_context(assignment=assignment, step="push"))
    assert result.result == "sent"
    assert result.provider_message_id == f"http://{push_service.host}/m/1"
    (seen,) = push_service.requests
    assert seen.path == "/push/abc"
    assert seen.headers["content-encoding"] == "aes128gcm"
    assert seen.headers["ttl"] == "300" and seen.headers["urgency"] == "high"
    assert vapid_ok(seen, vapid)
    payload = browser.decrypt(seen.body)
    job = assignment.job
    assert payload == {
        "type": "assignment.new", "assignment_id": assignment.pk, "job_id": job.pk, "number": job.number,
        "kind": job.kind, "kind_label": payload["kind_label"], "summary": job.summary,
        "distance_text": payload["distance_text"], "title": payload["title"], "body": payload["body"],
        "url": f"http://127.0.0.1:8000/field/?job={job.pk}",
    }
    assert payload["distance_text"]  # the officer has a fix
    assert job.number in payload["title"]


def test_the_payload_carries_no_personal_data(vapid, push_service, browser, subscription, assignment):
    WebPushChannel().send(notify.attempt_context(assignment=assignment, step="push"))
    text = json.dumps(browser.decrypt(push_service.requests[0].body), ensure_ascii=False)
    officer = assignment.officer
    for personal in (officer.phone, officer.display_name, officer.badge_number, officer.call_sign):
        assert personal and personal not in text


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(vapid, push_service, subscription, assignment, status):
    PushService.status = status
    result = WebPushChannel().send(notify.attempt_context(assignment=assignment, step="push"))
    assert result.result == "failed"
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_push_service_error_keeps_the_subscription(vapid, push_service, subscription, assignment):
    PushService.status = 500
    assert WebPushChannel().send(notify.attempt_context(assignment=assignment, step="push")).result == "failed"
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_without_a_subscription_the_step_is_skipped(vapid, assignment):
    assert WebPushChannel().send(notify.attempt_context(assignment=assignment, step="push")).result == "skipped"


def test_without_vapid_keys_web_push_is_skipped(vapid, settings, subscription, assignment, push_service):
    settings.NOTIFY_VAPID_PRIVATE_KEY = ""
    assert WebPushChannel().send(notify.attempt_context(assignment=assignment, step="push")).result == "skipped"
    assert push_service.requests == []

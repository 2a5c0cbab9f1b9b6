"""Web Push (RFC 8030/8291/8292) with pywebpush: `fieldapp.notify.webpush.WebPushChannel`.

A bonus where it works: Chrome's pushes go through Firebase Cloud Messaging,
which phones in mainland China usually cannot reach. The payload names the job
and how far it is, and nothing about a person; the service worker shows it.
"""
from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from fieldapp.notify.base import AttemptContext, Channel, Result

# How long the push service may hold a message for a phone that is off the network (seconds).
PUSH_TTL_S = 300


def push_payload(context: AttemptContext) -> dict[str, Any]:
    title = _("New job %(number)s") % {"number": context.job_number}
    return {
        "type": "assignment.new",
        "assignment_id": context.assignment_id,
        "job_id": context.job_id,
        "number": context.job_number,
        "kind": context.kind,
        "kind_label": context.kind_label,
        "summary": context.summary,
        "distance_text": context.distance_text,
        "title": title,
        "body": " · ".join(part for part in (context.kind_label, context.summary, context.distance_text) if part),
        "url": context.link,
    }


class WebPushChannel(Channel):
    name = "webpush"

    def send(self, context: AttemptContext) -> Result:
        from pywebpush import WebPushException, webpush

        from fieldapp.models import PushSubscription
        from fieldapp.notify.services import push_subscription_gone

        if not settings.NOTIFY_VAPID_PRIVATE_KEY:
            return Result.skipped(_("Web Push is not configured (no VAPID key)."))
        subscriptions = list(PushSubscription.objects.filter(officer_id=context.officer_id).order_by("pk"))
        if not subscriptions:
            return Result.skipped(_("The phone has no Web Push subscription."))
        data = json.dumps(push_payload(context), ensure_ascii=False)
        sent: list[str] = []
        failures: list[str] = []
        for subscription in subscriptions:
            info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
            try:
                response = webpush(
                    subscription_info=info, data=data, vapid_private_key=settings.NOTIFY_VAPID_PRIVATE_KEY,
                    vapid_claims={"sub": settings.NOTIFY_VAPID_SUBJECT}, timeout=settings.NOTIFY_TIMEOUT_S,
                    ttl=PUSH_TTL_S, headers={"Urgency": "high"},
                )
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status in (404, 410):
                    # The browser dropped the subscription; it will never work again.
                    push_subscription_gone(subscription_id=subscription.pk)
                    failures.append(_("subscription gone (%(status)s), deleted") % {"status": status})
                else:
                    failures.append(f"{status or ''} {exc.message}".strip()[:120])
                continue
            except Exception as exc:  # noqa: BLE001 - transport errors and time-outs.
                failures.append(f"{exc.__class__.__name__}: {exc}"[:120])
                continue
            sent.append(response.headers.get("Location", "") if hasattr(response, "headers") else "")
        if sent:
            return Result.sent(provider_message_id=sent[0][:128], reason="; ".join(failures))
        return Result.failed("; ".join(failures))

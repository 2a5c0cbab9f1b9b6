"""What the officer's page needs for Web Push, the wake lock and the alert-paths line (one page-config key)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def field_push_config() -> dict[str, Any]:
    return {
        "vapidPublicKey": settings.NOTIFY_VAPID_PUBLIC_KEY,
        "subscriptions": reverse("api-me-push-subscriptions"),
        "labels": {
            "paths": _("Alerts on this phone: {paths}."),
            "sound": _("sound"),
            "notifications": _("notifications"),
            "webPush": _("Web Push"),
            "works": _("{path} works"),
            "off": _("{path} off"),
            "unsupported": _("no {path}"),
            # Shown while Web Push does not work here: a locked phone suspends the page.
            "locked": _("With the screen locked, SMS and phone calls alert you."),
            "wakeLock": _("The screen stays on while you have a job."),
        },
    }

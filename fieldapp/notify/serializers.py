"""Shapes of notification attempts and push subscriptions (no queries: selectors prefetch)."""
from __future__ import annotations

from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import CachedModelSerializer
from fieldapp.models import Assignment, NotificationAttempt, PushSubscription
from fieldapp.serializers import AssignmentInJobOut

# The channels in words, for the desk's line of attempts.
CHANNEL_LABELS = {
    "websocket": pgettext_lazy("notification channel", "App"),
    "webpush": pgettext_lazy("notification channel", "Web Push"),
    "sms": pgettext_lazy("notification channel", "SMS"),
    "voice": pgettext_lazy("notification channel", "Call"),
    "wecom": pgettext_lazy("notification channel", "WeCom"),
    "log": pgettext_lazy("notification channel", "Log"),
    "desk": pgettext_lazy("notification channel", "Desk flag"),
}


class NotificationAttemptOut(CachedModelSerializer):
    text = serializers.SerializerMethodField(help_text="Channel and result in words, e.g. 短信 已发送")

    class Meta:
        model = NotificationAttempt
        fields = ["id", "step", "channel", "at", "result", "reason", "provider_message_id", "text"]

    def get_text(self, attempt: NotificationAttempt) -> str:
        channel = CHANNEL_LABELS.get(attempt.channel, attempt.channel)
        return f"{channel} {attempt.get_result_display()}"


class AssignmentDeskOut(AssignmentInJobOut):
    """An assignment on the desk: with every attempt to reach the officer, oldest first."""

    notifications = serializers.SerializerMethodField()

    class Meta(AssignmentInJobOut.Meta):
        fields = [*AssignmentInJobOut.Meta.fields, "notifications"]

    @extend_schema_field(NotificationAttemptOut(many=True))
    def get_notifications(self, assignment: Assignment) -> list[dict]:
        # Prefetched by the selectors (notification_list); a serializer runs no query.
        return NotificationAttemptOut(getattr(assignment, "notification_list", []), many=True).data


class PushSubscriptionKeysIn(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionIn(serializers.Serializer):
    """The browser's PushSubscription.toJSON()."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushSubscriptionKeysIn()


class PushSubscriptionOut(CachedModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "created_at"]


class PushConfigOut(serializers.Serializer):
    vapid_public_key = serializers.CharField(allow_blank=True)
    subscriptions = PushSubscriptionOut(many=True)

"""Shapes of notification attempts and push subscriptions (no queries: selectors prefetch)."""
from __future__ import annotations

from rest_framework import serializers

from fieldapp.models import NotificationAttempt, PushSubscription


class NotificationAttemptOut(serializers.ModelSerializer):
    class Meta:
        model = NotificationAttempt
        fields = ["id", "step", "channel", "at", "result", "reason", "provider_message_id"]


class PushSubscriptionKeysIn(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionIn(serializers.Serializer):
    """The browser's PushSubscription.toJSON()."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushSubscriptionKeysIn()


class PushSubscriptionOut(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "created_at"]


class PushConfigOut(serializers.Serializer):
    vapid_public_key = serializers.CharField(allow_blank=True)
    subscriptions = PushSubscriptionOut(many=True)

"""The officer's Web Push subscriptions (thin): /api/v1/me/push-subscriptions/."""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from fieldapp.api import OfficerApi, errors
from fieldapp.models import PushSubscription
from fieldapp.notify import services as notify
from fieldapp.notify.serializers import PushConfigOut, PushSubscriptionIn, PushSubscriptionOut

TAG = "dispatch"


class PushEndpointIn(serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)


class PushSubscriptionsApi(OfficerApi):
    @extend_schema(
        tags=[TAG], operation_id="me_push_subscriptions", summary="The VAPID public key and my Web Push subscriptions",
        responses={200: PushConfigOut, **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        subscriptions = PushSubscription.objects.filter(officer=self.officer).order_by("pk")
        return Response(
            PushConfigOut({"vapid_public_key": settings.NOTIFY_VAPID_PUBLIC_KEY, "subscriptions": subscriptions}).data
        )

    @extend_schema(
        tags=[TAG], operation_id="me_push_subscribe", summary="Store this browser's Web Push subscription",
        request=PushSubscriptionIn, responses={201: PushSubscriptionOut, **errors(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        data = self.valid(PushSubscriptionIn, request.data)
        subscription = notify.push_subscription_save(
            officer=self.officer, endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"]
        )
        return Response(PushSubscriptionOut(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=[TAG], operation_id="me_push_unsubscribe", summary="Forget a Web Push subscription of mine",
        request=PushEndpointIn, responses={204: None, **errors(400, 401, 403)},
    )
    def delete(self, request: Request) -> Response:
        data = self.valid(PushEndpointIn, request.data)
        notify.push_subscription_delete(officer=self.officer, endpoint=data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)

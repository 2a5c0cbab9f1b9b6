"""GET /api/v1/officers/{id}/track/?from=&to=: one officer's position track, for dispatchers and admins."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.roles import ADMIN, DISPATCHER, user_has_role
from common.serializers import CachedModelSerializer
from fieldapp import api
from fieldapp.models import Officer, TrackFix
from fieldapp.track_selectors import TRACK_MAX_FIXES, track_for_officer

# The longest range one request may ask for.
TRACK_RANGE_MAX = timedelta(days=7)


class IsDispatcherOrAdmin(BasePermission):
    message = gettext_lazy("Only dispatchers and admins may read position tracks.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_has_role(request.user, DISPATCHER) or user_has_role(request.user, ADMIN)


class TrackIn(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under its query name in get_fields.
    to = serializers.DateTimeField(required=False)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField()
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("to", timezone.now())
        if attrs["to"] <= attrs["from"]:
            raise serializers.ValidationError({"to": [_("The end of the range must be after its start.")]})
        if attrs["to"] - attrs["from"] > TRACK_RANGE_MAX:
            raise serializers.ValidationError({"to": [_("A track is read at most 7 days at a time.")]})
        return attrs


class TrackFixOut(CachedModelSerializer):
    class Meta:
        model = TrackFix
        fields = ["lat", "lng", "accuracy_m", "device_at", "at"]


class TrackOut(serializers.Serializer):
    officer_id = serializers.IntegerField()
    to = serializers.DateTimeField()
    truncated = serializers.BooleanField(help_text=f"More than {TRACK_MAX_FIXES} fixes: ask for a shorter range.")
    fixes = TrackFixOut(many=True)

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField()
        return fields


class OfficerTrackApi(api.FieldApi):
    permission_classes = [IsAuthenticated, IsDispatcherOrAdmin]

    @extend_schema(
        tags=[api.TAG], operation_id="officer_track", summary="An officer's position track in a time range",
        description=(
            "Every accepted on-duty fix received in [from, to), oldest first; `at` is the server's time of receipt, "
            f"`device_at` the phone's. At most {TRACK_MAX_FIXES} fixes and 7 days per request. Dispatchers and admins only."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATETIME, required=True, description="Start (ISO 8601 with offset)"),
            OpenApiParameter("to", OpenApiTypes.DATETIME, description="End, default now"),
        ],
        responses={200: TrackOut, **api.errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, officer_id: int) -> Response:
        # A plain dict without empty values: DRF takes "?to=" for a value, not for a missing one.
        data = self.valid(TrackIn, {key: value for key, value in request.query_params.dict().items() if value})
        officer = get_object_or_404(Officer, pk=officer_id)
        fixes = list(track_for_officer(officer_id=officer.pk, start=data["from"], end=data["to"])[: TRACK_MAX_FIXES + 1])
        body = {"officer_id": officer.pk, "from": data["from"], "to": data["to"],
                "truncated": len(fixes) > TRACK_MAX_FIXES, "fixes": fixes[:TRACK_MAX_FIXES]}
        return Response(TrackOut(body).data)

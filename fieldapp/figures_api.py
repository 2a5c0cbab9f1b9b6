"""GET /api/v1/figures/: one day's live figures (?day=), or a range's (?from=&to=&squad=)."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.roles import ADMIN, DISPATCHER, user_has_role
from fieldapp import api
from fieldapp.figures_selectors import figures_for_range
from fieldapp.figures_serializers import FigureRangeIn, FigureRangeOut
from fieldapp.serializers import FiguresOut

RANGE_PARAMS = ("from", "to", "squad")


class IsDispatcherOrAdmin(BasePermission):
    message = gettext_lazy("Only dispatchers and admins may see the figures.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_has_role(request.user, DISPATCHER) or user_has_role(request.user, ADMIN)


class FiguresApi(api.FiguresApi):
    permission_classes = [IsAuthenticated, IsDispatcherOrAdmin]

    @extend_schema(
        tags=[api.TAG], operation_id="figures_retrieve",
        summary="Figures: one day's live medians (?day=), or a range's durations, counts and attendance",
        description=(
            "Without from, to or squad this is the desk's figures for one day, unchanged. With any of them it is "
            "the range's figures (docs/api-dispatch.md#figures): every duration with p50, p90, n and missing, "
            "the counts, the weekly trend, the hour × weekday heat map and the attendance rows."
        ),
        parameters=[
            OpenApiParameter("day", OpenApiTypes.DATE, description="YYYY-MM-DD, Asia/Shanghai; default today"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a range (Asia/Shanghai)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a range, default today"),
            OpenApiParameter("squad", OpenApiTypes.STR, description="A squad's code"),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="FiguresOrRange", serializers=[FiguresOut, FigureRangeOut],
                resource_type_field_name=None,
            ),
            **api.errors(400, 401, 403),
        },
    )
    def get(self, request: Request) -> Response:
        params = request.query_params.dict()
        wanted = {name: params[name] for name in RANGE_PARAMS if params.get(name)}
        if not wanted:
            return super().get(request)
        if params.get("day"):
            raise exceptions.ValidationError({"day": [_("Give either day, or from/to/squad, not both.")]})
        data = self.valid(FigureRangeIn, wanted)
        result = figures_for_range(first=data["first"], last=data["last"], squad=data["squad"])
        return Response(FigureRangeOut(result).data)

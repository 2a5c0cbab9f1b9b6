"""Road work REST API (thin), mounted under /api/v1/roadwork/ and /api/v1/me/posts/; Open311 under /open311/v2/.

Who may do what:
- points (with presence now, read from the position track): dispatchers and admins read and write;
- my posts (/me/posts/) and a traffic tap on one of them: the officer;
- hazards: officers report and read their own; dispatchers and admins read all and move them;
- outreach: officers, dispatchers and admins record and read;
- Open311 (read-only, no personal data): anyone, as city systems read it.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import NotFound
from common.roles import ADMIN, DISPATCHER, OFFICER, user_has_role
from fieldapp import roadwork_selectors as selectors
from fieldapp import roadwork_services as services
from fieldapp.api import FieldApi, OfficerApi, errors
from fieldapp.idempotency import idempotent
from fieldapp.roadwork_serializers import (
    HazardIn,
    HazardMoveIn,
    HazardOut,
    OutreachIn,
    OutreachOut,
    PointIn,
    PointOut,
    TrafficIn,
    open311_request,
    open311_services,
)

TAG = "road work"


def is_desk(user: Any) -> bool:
    return user_has_role(user, DISPATCHER) or user_has_role(user, ADMIN)


class IsDesk(BasePermission):
    message = gettext_lazy("Only dispatchers and admins may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_desk(request.user)


class IsRoadStaff(BasePermission):
    message = gettext_lazy("Only officers, dispatchers and admins may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_desk(request.user) or user_has_role(request.user, OFFICER)


class PointListApi(FieldApi):
    permission_classes = [IsAuthenticated, IsDesk]

    @extend_schema(tags=[TAG], summary="Active congestion points, each with its window and presence now",
                   responses={200: PointOut(many=True), **errors(401, 403)})
    def get(self, request: Request) -> Response:
        return Response([PointOut(row).data for row in selectors.points_now()])

    @extend_schema(tags=[TAG], summary="Add a congestion point", request=PointIn,
                   responses={201: PointOut, **errors(400, 401, 403)})
    def post(self, request: Request) -> Response:
        point = services.point_create(**self.valid(PointIn, request.data))
        [row] = selectors.points_now(points=[point])
        return Response(PointOut(row).data, status=status.HTTP_201_CREATED)


class PointDetailApi(FieldApi):
    permission_classes = [IsAuthenticated, IsDesk]

    @extend_schema(tags=[TAG], summary="Change a congestion point (the fields sent)", request=PointIn,
                   responses={200: PointOut, **errors(400, 401, 403, 404)})
    def patch(self, request: Request, point_id: int) -> Response:
        serializer = PointIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        point = services.point_update(point_id=point_id, **serializer.validated_data)
        [row] = selectors.points_now(points=[point])
        return Response(PointOut(row).data)


class MyPostsApi(OfficerApi):
    @extend_schema(tags=[TAG], summary="我的岗点: today's posts, their windows and the officer's own presence",
                   responses={200: PointOut(many=True), **errors(401, 403)})
    def get(self, request: Request) -> Response:
        return Response([PointOut(row).data for row in selectors.posts_for_officer(officer=self.officer)])


class PostTrafficApi(OfficerApi):
    @extend_schema(tags=[TAG], summary="One tap on the post card: 畅通 / 缓行 / 拥堵", request=TrafficIn,
                   responses={201: None, **errors(400, 401, 403, 404)})
    def post(self, request: Request, point_id: int) -> Response:
        data = self.valid(TrafficIn, request.data)
        if not selectors.points_for_officer(self.officer).filter(pk=point_id).exists():
            raise NotFound(_("No such post."))
        sample = services.traffic_report(point_id=point_id, state=data["state"], officer=self.officer)
        return Response({"id": sample.pk, "state": sample.state, "at": sample.at.isoformat()}, status=status.HTTP_201_CREATED)


class HazardListApi(FieldApi):
    permission_classes = [IsAuthenticated, IsRoadStaff]

    @extend_schema(tags=[TAG], summary="Hazards (?status=open|<status>, ?overdue=1); an officer sees those they reported",
                   responses={200: HazardOut(many=True), **errors(401, 403)})
    def get(self, request: Request) -> Response:
        params = request.query_params
        reporter = None if is_desk(request.user) else request.user
        rows = selectors.hazard_list(status=params.get("status", ""), overdue=params.get("overdue") == "1", reporter=reporter)
        return Response([HazardOut(row).data for row in rows])

    @extend_schema(tags=[TAG], summary="Report a hazard", request=HazardIn, responses={201: HazardOut, **errors(400, 401, 403)})
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(HazardIn, request.data)
        device_time = data.pop("device_time", None)
        now = timezone.now()
        # An outbox item sent late was still seen when it was tapped; a clock ahead of ours is not believed.
        at = device_time if device_time is not None and now - timedelta(days=7) < device_time <= now else now
        hazard = services.hazard_report(reporter=request.user, at=at, **data)
        return Response(HazardOut(hazard).data, status=status.HTTP_201_CREATED)


class HazardDetailApi(FieldApi):
    permission_classes = [IsAuthenticated, IsRoadStaff]

    @extend_schema(tags=[TAG], summary="A hazard with its whole history", responses={200: HazardOut, **errors(401, 403, 404)})
    def get(self, request: Request, hazard_id: int) -> Response:
        reporter = None if is_desk(request.user) else request.user
        hazard = selectors.hazard_detail(hazard_id=hazard_id, reporter=reporter)
        if hazard is None:
            raise NotFound(_("No such hazard."))
        return Response(HazardOut(hazard, context={"with_events": True}).data)


class HazardMoveApi(FieldApi):
    permission_classes = [IsAuthenticated, IsDesk]

    @extend_schema(tags=[TAG], summary="Move a hazard to its next status (confirm, notify with unit and deadline, "
                   "rectifying, close, reject with a reason, reopen)", request=HazardMoveIn,
                   responses={200: HazardOut, **errors(400, 401, 403, 404, 409)})
    def post(self, request: Request, hazard_id: int) -> Response:
        data = self.valid(HazardMoveIn, request.data)
        services.hazard_move(hazard_id=hazard_id, actor=request.user, **data)
        hazard = selectors.hazard_detail(hazard_id=hazard_id)
        return Response(HazardOut(hazard, context={"with_events": True}).data)


class OutreachListApi(FieldApi):
    permission_classes = [IsAuthenticated, IsRoadStaff]

    @extend_schema(tags=[TAG], summary="Outreach events (?kind=)", responses={200: OutreachOut(many=True), **errors(401, 403)})
    def get(self, request: Request) -> Response:
        rows = selectors.outreach_list(kind=request.query_params.get("kind", ""))
        return Response([OutreachOut(row).data for row in rows])

    @extend_schema(tags=[TAG], summary="Record an outreach event", request=OutreachIn,
                   responses={201: OutreachOut, **errors(400, 401, 403)})
    def post(self, request: Request) -> Response:
        data = self.valid(OutreachIn, request.data)
        officers = data.pop("officers", [])
        event = services.outreach_record(recorded_by=request.user, officers=officers, **data)
        return Response(OutreachOut(event).data, status=status.HTTP_201_CREATED)


# --- Open311 GeoReport v2 (read-only) ------------------------------------------------

class Open311Api(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []


class Open311ServicesApi(Open311Api):
    @extend_schema(tags=["open311"], summary="GeoReport v2 services.json: the hazard kinds",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(open311_services())


class Open311RequestsApi(Open311Api):
    @extend_schema(tags=["open311"], summary="GeoReport v2 requests.json: confirmed hazards (?status=open|closed)",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        rows = [open311_request(hazard) for hazard in selectors.open311_hazards()[:1000]]
        wanted = request.query_params.get("status")
        if wanted in ("open", "closed"):
            rows = [row for row in rows if row["status"] == wanted]
        return Response(rows)


class Open311RequestApi(Open311Api):
    @extend_schema(tags=["open311"], summary="GeoReport v2 requests/{id}.json: one hazard by its number",
                   responses={200: OpenApiTypes.OBJECT, **errors(404)})
    def get(self, request: Request, number: str) -> Response:
        hazard = selectors.open311_hazards().filter(number=number).first()
        if hazard is None:
            raise NotFound(_("No such request."))
        return Response([open311_request(hazard)])

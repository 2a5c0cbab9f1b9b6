"""Dispatch REST API (thin): parse, check the role, call a service or selector, serialize.

The contract, with examples, is docs/api-dispatch.md.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fieldapp import selectors, services
from fieldapp.idempotency import IDEMPOTENCY_KEY, idempotent
from common.roles import DISPATCHER, GROUPS, IsDispatcher, IsOfficer, user_has_role
from fieldapp.serializers import (
    AdvanceInput,
    AssignmentSerializer,
    CancelInput,
    CandidatesSerializer,
    CloseInput,
    DispatchInput,
    DispatchResultSerializer,
    DutyInput,
    ErrorSerializer,
    FixSerializer,
    JobCreateInput,
    JobDetailSerializer,
    JobSerializer,
    MeSerializer,
    OfficerSerializer,
    PositionInput,
    WithdrawInput,
    fix_of,
)

TAG = "dispatch"
JOB_STATUSES = ("open", "closed", "cancelled", "all")


class DispatchAPIView(APIView):
    permission_classes = [IsAuthenticated]

    def valid(self, serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def officer_or_none(self, request: Request):  # type: ignore[no-untyped-def]
        return selectors.officer_for_user(request.user)

    def ctx(self) -> dict[str, Any]:
        return {"request": self.request, "now": timezone.now()}


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="Not logged in"),
    403: OpenApiResponse(ErrorSerializer, description="Wrong role"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not yours"),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state"),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with another request"),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


class DispatcherOnly(DispatchAPIView):
    permission_classes = [IsAuthenticated, IsDispatcher]


class OfficerOnly(DispatchAPIView):
    permission_classes = [IsAuthenticated, IsOfficer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.officer = selectors.officer_for_user(request.user)
        if self.officer is None:
            raise exceptions.PermissionDenied(_("Your account has no officer profile."))


# --- jobs -----------------------------------------------------------------

class JobListCreate(DispatchAPIView):
    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.request.method == "POST":
            return [IsAuthenticated(), IsDispatcher()]
        return [IsAuthenticated()]

    @extend_schema(
        tags=[TAG], operation_id="jobs_list", summary="List jobs (dispatcher: all; officer: their own)",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(JOB_STATUSES), default="open")],
        responses={200: JobSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        job_status = request.query_params.get("status", "open")
        if job_status not in JOB_STATUSES:
            raise exceptions.ValidationError({"status": [_("Use one of: open, closed, cancelled, all.")]})
        if user_has_role(request.user, DISPATCHER):
            jobs = selectors.jobs_for_dispatcher(status=job_status)
        else:
            officer = self.officer_or_none(request)
            if officer is None:
                raise exceptions.PermissionDenied(_("Only dispatchers and officers may list jobs."))
            jobs = selectors.jobs_for_officer(officer=officer, status=job_status)
        return Response(JobSerializer(jobs, many=True, context=self.ctx()).data)

    @extend_schema(
        tags=[TAG], operation_id="jobs_create", summary="Create a job", request=JobCreateInput,
        parameters=[IDEMPOTENCY_KEY], responses={201: JobDetailSerializer, **errors(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(JobCreateInput, request.data)
        job = services.job_create(
            created_by=request.user, kind=data["kind"], summary=data["summary"], lat=data["lat"], lng=data["lng"],
            priority=data["priority"], description=data["description"], address=data["address"],
            source=data["source"], reported_at=data["reported_at"], linked_job_id=data["linked_job"],
        )
        job = selectors.job_for_user(job_id=job.pk, dispatcher=True, officer=None, with_events=True)
        return Response(JobDetailSerializer(job, context=self.ctx()).data, status=status.HTTP_201_CREATED)


class JobDetail(DispatchAPIView):
    @extend_schema(
        tags=[TAG], operation_id="jobs_retrieve", summary="A job with its assignments and events",
        responses={200: JobDetailSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        dispatcher = user_has_role(request.user, DISPATCHER)
        officer = None if dispatcher else self.officer_or_none(request)
        if not dispatcher and officer is None:
            raise exceptions.PermissionDenied(_("Only dispatchers and officers may see jobs."))
        job = selectors.job_for_user(job_id=job_id, dispatcher=dispatcher, officer=officer, with_events=True)
        if job is None:
            raise exceptions.NotFound(_("No such job."))
        return Response(JobDetailSerializer(job, context=self.ctx()).data)


class JobCandidates(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="jobs_candidates", summary="Nearest available officers",
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, default=5, description="1-50")],
        responses={200: CandidatesSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        raw = request.query_params.get("limit", "5")
        try:
            limit = int(raw)
        except ValueError:
            limit = 0
        if not 1 <= limit <= 50:
            raise exceptions.ValidationError({"limit": [_("limit must be a whole number from 1 to 50.")]})
        job = selectors.job_for_user(job_id=job_id, dispatcher=True, officer=None)
        if job is None:
            raise exceptions.NotFound(_("No such job."))
        result = selectors.officers_nearest(job=job, limit=limit)
        return Response(CandidatesSerializer(result, context=self.ctx()).data)


class JobDispatch(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="jobs_dispatch", summary="Send officers to a job", request=DispatchInput,
        parameters=[IDEMPOTENCY_KEY], responses={200: DispatchResultSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        data = self.valid(DispatchInput, request.data)
        result = services.job_dispatch(
            job_id=job_id, officer_ids=data["officers"], dispatcher=request.user, force=data["force"]
        )
        return Response(DispatchResultSerializer(result, context=self.ctx()).data)


class JobCancel(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="jobs_cancel", summary="Cancel a job", request=CancelInput,
        parameters=[IDEMPOTENCY_KEY], responses={200: JobSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        data = self.valid(CancelInput, request.data)
        job = services.job_cancel(job_id=job_id, by=request.user, reason=data["reason"])
        return Response(JobSerializer(job, context=self.ctx()).data)


class JobClose(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="jobs_close", summary="Close a job", request=CloseInput,
        parameters=[IDEMPOTENCY_KEY], responses={200: JobSerializer, **errors(401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        job = services.job_close(job_id=job_id, by=request.user)
        return Response(JobSerializer(job, context=self.ctx()).data)


# --- assignments ----------------------------------------------------------

class AssignmentAdvance(DispatchAPIView):
    @extend_schema(
        tags=[TAG], operation_id="assignments_advance", summary="The assigned officer takes a step",
        request=AdvanceInput, parameters=[IDEMPOTENCY_KEY],
        responses={200: AssignmentSerializer, **errors(400, 401, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, assignment_id: int) -> Response:
        # For anyone but the assigned officer the assignment does not exist.
        officer = self.officer_or_none(request)
        if officer is None:
            raise services.NotFound(_("No such assignment."))
        data = self.valid(AdvanceInput, request.data)
        assignment = services.assignment_advance(
            assignment_id=assignment_id, officer=officer, to=data["to"], device_at=data["at"],
            lat=data["lat"], lng=data["lng"], accuracy=data["accuracy"], reason=data["reason"],
        )
        return Response(AssignmentSerializer(assignment, context=self.ctx()).data)


class AssignmentWithdraw(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="assignments_withdraw", summary="Take an officer off a job", request=WithdrawInput,
        parameters=[IDEMPOTENCY_KEY], responses={200: AssignmentSerializer, **errors(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.valid(WithdrawInput, request.data)
        assignment = services.assignment_withdraw(assignment_id=assignment_id, by=request.user, reason=data["reason"])
        return Response(AssignmentSerializer(assignment, context=self.ctx()).data)


# --- me and officers ------------------------------------------------------

class Me(DispatchAPIView):
    @extend_schema(tags=[TAG], operation_id="me_retrieve", summary="Who am I", responses={200: MeSerializer, **errors(401)})
    def get(self, request: Request) -> Response:
        user = request.user
        officer = self.officer_or_none(request)
        if officer is not None:
            officer = selectors.officer_with_state(officer.pk)
        me = {
            "user": {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.get_username()},
            "roles": [role for role in (*GROUPS, "admin") if user_has_role(user, role)],
            "officer": officer,
            "assignments_today": selectors.assignments_today(officer=officer) if officer else [],
            "feed_seq": officer.feed_seq if officer else 0,
        }
        return Response(MeSerializer(me, context=self.ctx()).data)


class MeDuty(OfficerOnly):
    @extend_schema(
        tags=[TAG], operation_id="me_duty", summary="Go on or off duty", request=DutyInput,
        parameters=[IDEMPOTENCY_KEY], responses={200: OfficerSerializer, **errors(400, 401, 403, 409, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(DutyInput, request.data)
        officer = services.officer_set_duty(officer_id=self.officer.pk, on_duty=data["on_duty"])
        return Response(OfficerSerializer(officer, context=self.ctx()).data)


class MePosition(OfficerOnly):
    @extend_schema(
        tags=[TAG], operation_id="me_position", summary="Report my position", request=PositionInput,
        parameters=[IDEMPOTENCY_KEY], responses={200: FixSerializer, **errors(400, 401, 403, 409, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(PositionInput, request.data)
        officer = services.officer_record_position(
            officer_id=self.officer.pk, lat=data["lat"], lng=data["lng"], accuracy=data["accuracy"], at=data["at"]
        )
        return Response(fix_of(officer))


class OfficerList(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="officers_list", summary="Officers with duty, availability and last fix",
        responses={200: OfficerSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(OfficerSerializer(selectors.officers_board(), many=True, context=self.ctx()).data)


# --- figures --------------------------------------------------------------

FIRST_FIGURES_DAY = date(2000, 1, 1)


class FiguresInput(serializers.Serializer):
    # Only the plain ISO form: the desk and the docs use it, and a typo should not become another day.
    day = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])

    def validate_day(self, day: date) -> date:
        # Far-off days would overflow the day's bounds; no job is reported before 2000 or after today.
        if day < FIRST_FIGURES_DAY or day > timezone.localdate():
            raise serializers.ValidationError(_("Pick a day between 2000-01-01 and today."))
        return day


class FigureMediansSerializer(serializers.Serializer):
    dispatch_received = serializers.FloatField(allow_null=True, help_text="Dispatched → received on the phone, seconds")
    dispatch_accepted = serializers.FloatField(allow_null=True, help_text="Dispatched → accepted, seconds")
    dispatch_on_scene = serializers.FloatField(allow_null=True, help_text="Dispatched → on scene, seconds")
    on_scene_cleared = serializers.FloatField(allow_null=True, help_text="On scene → cleared, seconds")
    reported_closed = serializers.FloatField(allow_null=True, help_text="Job reported → closed, seconds")


class FiguresSerializer(serializers.Serializer):
    day = serializers.DateField()
    jobs = serializers.IntegerField(help_text="Jobs reported on the day (Asia/Shanghai)")
    open = serializers.IntegerField()
    closed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    assignments = serializers.IntegerField(help_text="Assignments on those jobs")
    unreceived = serializers.IntegerField(help_text="Assignments not received within receive_within_s of dispatch")
    receive_within_s = serializers.IntegerField()
    median_s = FigureMediansSerializer(help_text="Medians in seconds; null when there is no data")


class Figures(DispatcherOnly):
    @extend_schema(
        tags=[TAG], operation_id="figures_retrieve", summary="Response and clearance figures for one day",
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE, description="YYYY-MM-DD, Asia/Shanghai; default today")],
        responses={200: FiguresSerializer, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        data = self.valid(FiguresInput, request.query_params)
        figures = selectors.dispatch_figures(day=data.get("day"))
        return Response(FiguresSerializer(figures).data)

"""Dispatch REST API (thin): parse, check the role, call a service or selector, serialize.

The contract, with examples, is docs/api-dispatch.md.
"""
from __future__ import annotations

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

from common.roles import DISPATCHER, GROUPS, OFFICER, IsDispatcher, IsOfficer, user_has_role
from fieldapp import events, selectors, services
from fieldapp.fixes import fix_of
from fieldapp.idempotency import IDEMPOTENCY_KEY, idempotent
from fieldapp.records_serializers import JobDeskDetailOut, JobDeskOut
from fieldapp.serializers import (
    AdvanceIn,
    AssignmentOut,
    CancelIn,
    CandidatesOut,
    CloseIn,
    DispatchIn,
    DispatchResultOut,
    DutyIn,
    ErrorOut,
    FiguresIn,
    FiguresOut,
    FixOut,
    JobCreateIn,
    JobDetailOut,
    JobOut,
    MeOut,
    OfficerOut,
    PositionIn,
    WithdrawIn,
    assignment_json,
    dispatch_result_json,
    job_json,
)

TAG = "dispatch"
JOB_STATUSES = ("open", "closed", "cancelled", "all")


class FieldApi(APIView):
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
    400: OpenApiResponse(ErrorOut, description="Invalid input"),
    401: OpenApiResponse(ErrorOut, description="Not logged in"),
    403: OpenApiResponse(ErrorOut, description="Wrong role"),
    404: OpenApiResponse(ErrorOut, description="Not found or not yours"),
    409: OpenApiResponse(ErrorOut, description="Not possible in the current state"),
    422: OpenApiResponse(ErrorOut, description="Idempotency-Key reused with another request"),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


class DispatcherApi(FieldApi):
    permission_classes = [IsAuthenticated, IsDispatcher]


class OfficerApi(FieldApi):
    permission_classes = [IsAuthenticated, IsOfficer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.officer = selectors.officer_for_user(request.user)
        if self.officer is None:
            raise exceptions.PermissionDenied(_("Your account has no officer profile."))


# --- jobs -----------------------------------------------------------------

class JobListCreateApi(FieldApi):
    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.request.method == "POST":
            return [IsAuthenticated(), IsDispatcher()]
        return [IsAuthenticated()]

    @extend_schema(
        tags=[TAG], operation_id="jobs_list",
        summary="List jobs (dispatcher: all, with records and timeline; officer: their own, without them)",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(JOB_STATUSES), default="open")],
        responses={200: JobDeskOut(many=True), **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        job_status = request.query_params.get("status", "open")
        if job_status not in JOB_STATUSES:
            raise exceptions.ValidationError({"status": [_("Use one of: open, closed, cancelled, all.")]})
        if user_has_role(request.user, DISPATCHER):
            return Response(JobDeskOut(selectors.jobs_for_dispatcher(status=job_status), many=True, context=self.ctx()).data)
        else:
            officer = self.officer_or_none(request)
            if officer is None:
                raise exceptions.PermissionDenied(_("Only dispatchers and officers may list jobs."))
            jobs = selectors.jobs_for_officer(officer=officer, status=job_status)
        return Response(JobOut(jobs, many=True, context=self.ctx()).data)

    @extend_schema(
        tags=[TAG], operation_id="jobs_create", summary="Create a job", request=JobCreateIn,
        parameters=[IDEMPOTENCY_KEY], responses={201: JobDeskDetailOut, **errors(400, 401, 403, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(JobCreateIn, request.data)
        job = services.job_create(
            created_by=request.user, kind=data["kind"], summary=data["summary"], lat=data["lat"], lng=data["lng"],
            priority=data["priority"], description=data["description"], address=data["address"],
            source=data["source"], reported_at=data["reported_at"], linked_job_id=data["linked_job"],
        )
        # The service's job is already shaped as a read would shape it (selectors.job_just_created);
        # its JobDeskDetailOut is built by hand, as its push is.
        return Response(events.desk_job_json(job, now=timezone.now(), with_events=True), status=status.HTTP_201_CREATED)


class JobDetailApi(FieldApi):
    @extend_schema(
        tags=[TAG], operation_id="jobs_retrieve",
        summary="A job with its assignments and events (dispatcher: with records and timeline)",
        responses={200: JobDeskDetailOut, **errors(401, 403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        dispatcher = user_has_role(request.user, DISPATCHER)
        officer = None if dispatcher else self.officer_or_none(request)
        if not dispatcher and officer is None:
            raise exceptions.PermissionDenied(_("Only dispatchers and officers may see jobs."))
        job = selectors.job_for_user(job_id=job_id, dispatcher=dispatcher, officer=officer, with_events=True)
        if job is None:
            raise exceptions.NotFound(_("No such job."))
        shape = JobDeskDetailOut if dispatcher else JobDetailOut
        return Response(shape(job, context=self.ctx()).data)


class JobCandidatesApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="jobs_candidates", summary="Nearest available officers",
        parameters=[
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 50}, default=5, description="1-50")
        ],
        responses={200: CandidatesOut, **errors(400, 401, 403, 404)},
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
        return Response(CandidatesOut(result, context=self.ctx()).data)


class JobDispatchApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="jobs_dispatch", summary="Send officers to a job", request=DispatchIn,
        parameters=[IDEMPOTENCY_KEY], responses={200: DispatchResultOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        data = self.valid(DispatchIn, request.data)
        result = services.job_dispatch(
            job_id=job_id, officer_ids=data["officers"], dispatcher=request.user, force=data["force"]
        )
        return Response(dispatch_result_json(result, timezone.now()))


class JobCancelApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="jobs_cancel", summary="Cancel a job", request=CancelIn,
        parameters=[IDEMPOTENCY_KEY], responses={200: JobOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        data = self.valid(CancelIn, request.data)
        job = services.job_cancel(job_id=job_id, by=request.user, reason=data["reason"])
        return Response(job_json(job, timezone.now()))


class JobCloseApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="jobs_close", summary="Close a job", request=CloseIn,
        parameters=[IDEMPOTENCY_KEY], responses={200: JobOut, **errors(401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        job = services.job_close(job_id=job_id, by=request.user)
        return Response(job_json(job, timezone.now()))


# --- assignments ----------------------------------------------------------

class AssignmentAdvanceApi(FieldApi):
    @extend_schema(
        tags=[TAG], operation_id="assignments_advance", summary="The assigned officer takes a step",
        request=AdvanceIn, parameters=[IDEMPOTENCY_KEY],
        responses={200: AssignmentOut, **errors(400, 401, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, assignment_id: int) -> Response:
        # For anyone but the assigned officer the assignment does not exist. The
        # service finds the officer by the user, with its lock: no read of its own here.
        if not user_has_role(request.user, OFFICER):
            raise services.NotFound(_("No such assignment."))
        data = self.valid(AdvanceIn, request.data)
        assignment = services.assignment_advance(
            assignment_id=assignment_id, user=request.user, to=data["to"], device_at=data["device_time"] or data["at"],
            lat=data["lat"], lng=data["lng"], accuracy=data["accuracy"], reason=data["reason"],
        )
        return Response(assignment_json(assignment, timezone.now()))


class AssignmentWithdrawApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="assignments_withdraw", summary="Take an officer off a job", request=WithdrawIn,
        parameters=[IDEMPOTENCY_KEY], responses={200: AssignmentOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    @idempotent
    def post(self, request: Request, assignment_id: int) -> Response:
        data = self.valid(WithdrawIn, request.data)
        assignment = services.assignment_withdraw(assignment_id=assignment_id, by=request.user, reason=data["reason"])
        return Response(assignment_json(assignment, timezone.now()))


# --- me and officers ------------------------------------------------------

class MeApi(FieldApi):
    @extend_schema(tags=[TAG], operation_id="me_retrieve", summary="Who am I", responses={200: MeOut, **errors(401)})
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
        return Response(MeOut(me, context=self.ctx()).data)


class MeDutyApi(OfficerApi):
    @extend_schema(
        tags=[TAG], operation_id="me_duty", summary="Go on or off duty", request=DutyIn,
        parameters=[IDEMPOTENCY_KEY], responses={200: OfficerOut, **errors(400, 401, 403, 409, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(DutyIn, request.data)
        officer = services.officer_set_duty(
            officer_id=self.officer.pk, on_duty=data["on_duty"], device_at=data["device_time"]
        )
        return Response(OfficerOut(officer, context=self.ctx()).data)


class MePositionApi(OfficerApi):
    @extend_schema(
        tags=[TAG], operation_id="me_position", summary="Report my position", request=PositionIn,
        parameters=[IDEMPOTENCY_KEY], responses={200: FixOut, **errors(400, 401, 403, 409, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(PositionIn, request.data)
        officer = services.officer_record_position(
            officer_id=self.officer.pk, lat=data["lat"], lng=data["lng"], accuracy=data["accuracy"], at=data["at"]
        )
        return Response(fix_of(officer))


class OfficerListApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="officers_list", summary="Officers with duty, availability and last fix",
        responses={200: OfficerOut(many=True), **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(OfficerOut(selectors.officers_board(), many=True, context=self.ctx()).data)


# --- figures --------------------------------------------------------------

class FiguresApi(DispatcherApi):
    @extend_schema(
        tags=[TAG], operation_id="figures_retrieve", summary="Response and clearance figures for one day",
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE, description="YYYY-MM-DD, Asia/Shanghai; default today")],
        responses={200: FiguresOut, **errors(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        # A plain dict: DRF takes an empty form value ("?day=") for a missing one.
        data = self.valid(FiguresIn, request.query_params.dict())
        figures = selectors.dispatch_figures(day=data.get("day"))
        return Response(FiguresOut(figures).data)

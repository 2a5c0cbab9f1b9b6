"""Field records REST API (thin): quick clearance, rescue, their photos, jobs found on patrol.

The contract, with examples, is docs/api-dispatch.md ("Field records"). Only an
officer on the job writes its records; dispatchers and admins read them; for
an officer not on the job the job does not exist (404). Every POST, PUT and
PATCH honours Idempotency-Key, so a phone's outbox can send an item again.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import NotFound
from common.roles import IsOfficer
from fieldapp import records_selectors, records_services
from fieldapp.api import TAG, FieldApi, OfficerApi, errors
from fieldapp.idempotency import IDEMPOTENCY_KEY, idempotent
from fieldapp.models import Job
from fieldapp.records_serializers import (
    FoundJobIn,
    PhotoIn,
    QuickClearanceIn,
    QuickClearanceOut,
    RecordPhotoOut,
    RescueIn,
    RescueOut,
    UnfinishedRecordOut,
    quick_clearance_of,
    rescue_of,
)
from fieldapp.serializers import AssignmentOut

RECORDS_TAG = "field records"


def _job_or_404(view: FieldApi, request: Request, job_id: int) -> Job:
    reads_all = records_selectors.reads_all_records(request.user)
    officer = None if reads_all else view.officer_or_none(request)
    if not reads_all and officer is None:
        raise exceptions.PermissionDenied(_("Only officers on the job, dispatchers and admins may see its records."))
    job = records_selectors.job_with_records(job_id=job_id, user=request.user, officer=officer)
    if job is None:
        raise NotFound(_("No such job."))
    return job


class _RecordApi(FieldApi):
    """GET for readers; PUT (every field) and PATCH (the fields sent) for an officer on the job."""

    record: str
    input_class: type[serializers.Serializer]
    of: Callable[..., dict[str, Any] | None]
    missing: Any = ""

    def get_permissions(self):  # type: ignore[no-untyped-def]
        if self.request.method == "GET":
            return [IsAuthenticated()]
        return [IsAuthenticated(), IsOfficer()]

    def get(self, request: Request, job_id: int) -> Response:
        job = _job_or_404(self, request, job_id)
        body = type(self).of(job, self.ctx())
        if body is None:
            raise NotFound(str(self.missing), code="no_record")
        return Response(body)

    @idempotent
    def put(self, request: Request, job_id: int) -> Response:
        return self.save(request, job_id, partial=False)

    @idempotent
    def patch(self, request: Request, job_id: int) -> Response:
        return self.save(request, job_id, partial=True)

    def officer(self, request: Request):  # type: ignore[no-untyped-def]
        officer = self.officer_or_none(request)
        if officer is None:
            raise exceptions.PermissionDenied(_("Your account has no officer profile."))
        return officer

    def save(self, request: Request, job_id: int, *, partial: bool) -> Response:
        raise NotImplementedError

    def answer(self, request: Request, job_id: int) -> Response:
        job = _job_or_404(self, request, job_id)
        return Response(type(self).of(job, self.ctx()))


def _changes(data: dict[str, Any], fields: tuple[str, ...], *, partial: bool) -> dict[str, Any]:
    if partial:
        return {name: data[name] for name in fields if name in data}
    # PUT: a field left out is emptied.
    return {name: data.get(name) for name in fields}


class QuickClearanceApi(_RecordApi):
    of = staticmethod(quick_clearance_of)
    missing = gettext_lazy("No quick-clearance record yet.")

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="quick_clearance_retrieve", summary="A job's quick-clearance record",
        responses={200: QuickClearanceOut, **errors(401, 403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        return super().get(request, job_id)

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="quick_clearance_update", summary="Save the whole record",
        request=QuickClearanceIn, parameters=[IDEMPOTENCY_KEY],
        responses={200: QuickClearanceOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    def put(self, request: Request, job_id: int) -> Response:
        return super().put(request, job_id)

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="quick_clearance_partial_update", summary="Save some fields (a step)",
        request=QuickClearanceIn, parameters=[IDEMPOTENCY_KEY],
        responses={200: QuickClearanceOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    def patch(self, request: Request, job_id: int) -> Response:
        return super().patch(request, job_id)

    def save(self, request: Request, job_id: int, *, partial: bool) -> Response:
        officer = self.officer(request)
        data = self.valid(QuickClearanceIn, request.data)
        parties = data.get("parties")
        if parties is None and not partial:
            parties = []
        records_services.quick_clearance_save(
            job_id=job_id, officer=officer,
            changes=_changes(data, records_services.QUICK_CLEARANCE_FIELDS, partial=partial),
            parties=parties, status=data.get("status"), device_time=data.get("device_time"),
        )
        return self.answer(request, job_id)


class RescueApi(_RecordApi):
    of = staticmethod(rescue_of)
    missing = gettext_lazy("No rescue record yet.")

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="rescue_retrieve", summary="A job's rescue record",
        responses={200: RescueOut, **errors(401, 403, 404)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        return super().get(request, job_id)

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="rescue_update", summary="Save the whole record",
        request=RescueIn, parameters=[IDEMPOTENCY_KEY],
        responses={200: RescueOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    def put(self, request: Request, job_id: int) -> Response:
        return super().put(request, job_id)

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="rescue_partial_update", summary="Save some fields (a step)",
        request=RescueIn, parameters=[IDEMPOTENCY_KEY],
        responses={200: RescueOut, **errors(400, 401, 403, 404, 409, 422)},
    )
    def patch(self, request: Request, job_id: int) -> Response:
        return super().patch(request, job_id)

    def save(self, request: Request, job_id: int, *, partial: bool) -> Response:
        officer = self.officer(request)
        data = self.valid(RescueIn, request.data)
        records_services.rescue_save(
            job_id=job_id, officer=officer, changes=_changes(data, records_services.RESCUE_FIELDS, partial=partial),
            status=data.get("status"), device_time=data.get("device_time"),
        )
        return self.answer(request, job_id)


# --- photos ---------------------------------------------------------------

def _photo_added(record_out: type[serializers.Serializer]) -> serializers.Serializer:
    return inline_serializer(
        name=f"{record_out.__name__.removesuffix('Out')}PhotoAddedOut",
        fields={"photo": RecordPhotoOut(), "record": record_out()},
    )


class _RecordPhotoApi(OfficerApi):
    parser_classes = [MultiPartParser, FormParser]
    record: str
    of: Callable[..., dict[str, Any] | None]

    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        data = self.valid(PhotoIn, request.data)
        # Checked and cleaned before anything is locked or stored: a refused photo stores nothing.
        clean = records_services.clean_upload(data["image"], size=data["image"].size)
        added = records_services.record_photo_add(
            job_id=job_id, officer=self.officer, record=self.record, slot=data["slot"], clean=clean,
            device_time=data["device_time"],
        )
        job = _job_or_404(self, request, job_id)
        return Response(
            {"photo": RecordPhotoOut(added.photo).data, "record": type(self).of(job, self.ctx())},
            status=status.HTTP_201_CREATED,
        )


class QuickClearancePhotoApi(_RecordPhotoApi):
    record = records_services.RECORD_QUICK_CLEARANCE
    of = staticmethod(quick_clearance_of)

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="quick_clearance_photo_create",
        summary="Add a photo (multipart: slot, image, device_time); starts the record as a draft",
        request={"multipart/form-data": PhotoIn}, parameters=[IDEMPOTENCY_KEY],
        responses={201: _photo_added(QuickClearanceOut), **errors(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, job_id: int) -> Response:
        return super().post(request, job_id)


class RescuePhotoApi(_RecordPhotoApi):
    record = records_services.RECORD_RESCUE
    of = staticmethod(rescue_of)

    @extend_schema(
        tags=[RECORDS_TAG], operation_id="rescue_photo_create",
        summary="Add a photo (multipart: image, device_time; slot extra); starts the record as a draft",
        request={"multipart/form-data": PhotoIn}, parameters=[IDEMPOTENCY_KEY],
        responses={201: _photo_added(RescueOut), **errors(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, job_id: int) -> Response:
        return super().post(request, job_id)


class RecordPhotoFileApi(FieldApi):
    @extend_schema(
        tags=[RECORDS_TAG], operation_id="record_photo_file", summary="A record photo (JPEG) or its thumbnail",
        responses={(200, "image/jpeg"): bytes, **errors(401, 403, 404)},
    )
    def get(self, request: Request, photo_id: int, variant: str) -> FileResponse:
        if variant not in ("image", "thumbnail"):
            raise NotFound(_("No such photo."))
        photo = records_selectors.record_photo_for_user(photo_id=photo_id, user=request.user)
        if photo is None:
            raise NotFound(_("No such photo."))
        response = FileResponse(getattr(photo, variant).open("rb"), content_type="image/jpeg")
        # Personal data: no shared cache may keep it.
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- jobs found on patrol -------------------------------------------------

class JobFoundApi(OfficerApi):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG], operation_id="jobs_found_create",
        summary="Start a job found on patrol: assigned to me, already on scene (JSON, or multipart with a photo)",
        request={"application/json": FoundJobIn, "multipart/form-data": FoundJobIn}, parameters=[IDEMPOTENCY_KEY],
        responses={201: AssignmentOut, **errors(400, 401, 403, 409, 422)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.valid(FoundJobIn, request.data)
        photo = data["photo"]
        clean = records_services.clean_upload(photo, size=photo.size) if photo else None
        assignment = records_services.job_found_create(
            officer=self.officer, kind=data["kind"], lat=data["lat"], lng=data["lng"], accuracy=data["accuracy"],
            note=data["note"], device_time=data["device_time"], clean=clean,
        )
        return Response(AssignmentOut(assignment, context=self.ctx()).data, status=status.HTTP_201_CREATED)


class MeRecordsApi(OfficerApi):
    @extend_schema(
        tags=[RECORDS_TAG], operation_id="me_records_unfinished",
        summary="My records still to finish (draft or marked to finish later)",
        responses={200: UnfinishedRecordOut(many=True), **errors(401, 403)},
    )
    def get(self, request: Request) -> Response:
        rows = records_selectors.records_unfinished(officer=self.officer)
        return Response(UnfinishedRecordOut(rows, many=True).data)

"""JSON shapes of the field records and of the desk's job (docs/api-dispatch.md, "Field records").

They read what the selectors fetched (fieldapp.selectors._jobs: the records,
their parties and the job's current photos) and run no query. Personal data
of citizens (names, phones, photos) is in these shapes, so they are used only
for the recording officers, dispatchers and admins, never in a public API.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.serializers import DEVICE_TIME_LABEL, CachedModelSerializer, labels_from
from fieldapp import records
from fieldapp.models import Job, Party, QuickClearance, RecordPhoto, RecordStatus, Rescue
from fieldapp.notify.serializers import AssignmentDeskOut
from fieldapp.serializers import JobDetailOut, JobOut, OfficerRefOut

# --- output ---------------------------------------------------------------


class RecordPhotoOut(CachedModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = RecordPhoto
        fields = ["id", "slot", "width", "height", "bytes", "device_time", "received_at", "image_url", "thumbnail_url"]

    def get_image_url(self, photo: RecordPhoto) -> str:
        return reverse("api-record-photo-file", kwargs={"photo_id": photo.pk, "variant": "image"})

    def get_thumbnail_url(self, photo: RecordPhoto) -> str:
        return reverse("api-record-photo-file", kwargs={"photo_id": photo.pk, "variant": "thumbnail"})


class PartyOut(CachedModelSerializer):
    class Meta:
        model = Party
        fields = ["plate", "vehicle_type", "insurer", "responsibility"]


class ChecklistOut(serializers.Serializer):
    vehicle_vs_vehicle = serializers.BooleanField(allow_null=True)
    property_damage_only = serializers.BooleanField(allow_null=True)
    vehicles_movable = serializers.BooleanField(allow_null=True)
    drivers_licensed_sober = serializers.BooleanField(allow_null=True)
    plates_and_insurance = serializers.BooleanField(allow_null=True)
    no_dangerous_goods = serializers.BooleanField(allow_null=True)


def _photos(context: dict[str, Any], record_field: str, record_id: int) -> list[RecordPhoto]:
    return [photo for photo in context["job_photos"] if getattr(photo, record_field) == record_id]


class QuickClearanceOut(CachedModelSerializer):
    """Photos come from context["job_photos"]: the job's current photos, prefetched by the selector."""

    officer = OfficerRefOut()
    checklist = serializers.SerializerMethodField()
    outcome = serializers.ChoiceField(choices=QuickClearance.Outcome.choices, allow_blank=True)
    failing_items = serializers.ListField(child=serializers.ChoiceField(choices=records.CHECKLIST))
    unanswered_items = serializers.SerializerMethodField()
    parties = PartyOut(many=True)
    photos = serializers.SerializerMethodField()
    missing_slots = serializers.SerializerMethodField()

    class Meta:
        model = QuickClearance
        fields = [
            "job_id", "officer", "status", "checklist", "outcome", "failing_items", "unanswered_items", "agreement",
            "parties", "vehicles_moved_at", "lanes_open_at", "tow_called", "notes", "photos", "missing_slots",
            "device_time", "received_at", "created_at", "completed_at",
        ]

    @extend_schema_field(ChecklistOut)
    def get_checklist(self, record: QuickClearance) -> dict[str, bool | None]:
        return {item: getattr(record, item) for item in records.CHECKLIST}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=records.CHECKLIST)))
    def get_unanswered_items(self, record: QuickClearance) -> list[str]:
        return list(records.checklist_evaluate(self.get_checklist(record)).unanswered)

    @extend_schema_field(RecordPhotoOut(many=True))
    def get_photos(self, record: QuickClearance) -> list[dict[str, Any]]:
        return RecordPhotoOut(_photos(self.context, "quick_clearance_id", record.pk), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=records.REQUIRED_SLOTS)))
    def get_missing_slots(self, record: QuickClearance) -> list[str]:
        filled = {photo.slot for photo in _photos(self.context, "quick_clearance_id", record.pk)}
        return [slot for slot in records.REQUIRED_SLOTS if slot not in filled]


class RescueOut(CachedModelSerializer):
    officer = OfficerRefOut()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Rescue
        fields = [
            "job_id", "officer", "status", "kind", "people_helped", "handed_to_kind", "handed_to_name",
            "handed_to_phone", "outcome", "started_at", "ended_at", "notes", "photos",
            "device_time", "received_at", "created_at", "completed_at",
        ]

    @extend_schema_field(RecordPhotoOut(many=True))
    def get_photos(self, record: Rescue) -> list[dict[str, Any]]:
        return RecordPhotoOut(_photos(self.context, "rescue_id", record.pk), many=True).data


def _related(job: Job, name: str) -> Any:
    try:
        return getattr(job, name)
    except ObjectDoesNotExist:
        return None


def _photo_context(job: Job, context: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**(context or {}), "job_photos": job.photo_list}


def quick_clearance_of(job: Job, context: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The job's quick-clearance record as JSON, or None; `job` comes from a fieldapp.selectors job query."""
    record = _related(job, "quick_clearance")
    return None if record is None else QuickClearanceOut(record, context=_photo_context(job, context)).data


def rescue_of(job: Job, context: dict[str, Any] | None = None) -> dict[str, Any] | None:
    record = _related(job, "rescue")
    return None if record is None else RescueOut(record, context=_photo_context(job, context)).data


class JobRecordsOut(serializers.Serializer):
    quick_clearance = QuickClearanceOut(allow_null=True)
    rescue = RescueOut(allow_null=True)
    job_photos = RecordPhotoOut(many=True, help_text="Photos of the job itself (a job found on patrol)")


class TimelineStepOut(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.ChoiceField(choices=records.TIMELINE_STEPS)
    officer_id = serializers.IntegerField(allow_null=True)
    call_sign = serializers.CharField(allow_blank=True)


class DeskFieldsMixin(serializers.Serializer):
    """What the dispatch desk sees beyond an officer: the records, the step timeline, found on patrol."""

    # Each assignment with the attempts to reach its officer (fieldapp/notify).
    assignments = AssignmentDeskOut(many=True)
    found_on_patrol = serializers.SerializerMethodField()
    records = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    def get_found_on_patrol(self, job: Job) -> bool:
        return job.source == Job.Source.OFFICER

    @extend_schema_field(JobRecordsOut)
    def get_records(self, job: Job) -> dict[str, Any]:
        loose = [photo for photo in job.photo_list if photo.quick_clearance_id is None and photo.rescue_id is None]
        return {
            "quick_clearance": quick_clearance_of(job, self.context),
            "rescue": rescue_of(job, self.context),
            "job_photos": RecordPhotoOut(loose, many=True).data,
        }

    @extend_schema_field(TimelineStepOut(many=True))
    def get_timeline(self, job: Job) -> list[dict[str, Any]]:
        record = _related(job, "quick_clearance")
        steps = records.job_timeline(
            reported_at=job.reported_at, closed_at=job.closed_at, status=job.status,
            assignments=[
                {**{f"{step}_at": getattr(a, f"{step}_at") for step in _ASSIGNMENT_STEPS},
                 "officer_id": a.officer_id, "call_sign": a.officer.call_sign}
                for a in job.assignments.all()
            ],
            vehicles_moved_at=record.vehicles_moved_at if record else None,
            lanes_open_at=record.lanes_open_at if record else None,
        )
        return TimelineStepOut(steps, many=True).data


_ASSIGNMENT_STEPS = ("dispatched", "received", "accepted", "en_route", "on_scene", "cleared", "declined", "withdrawn")


class JobDeskOut(DeskFieldsMixin, JobOut):
    """A job as the dispatch desk gets it (GET /jobs/ as a dispatcher, `job.changed` on /ws/dispatch/)."""

    class Meta(JobOut.Meta):
        fields = [*JobOut.Meta.fields, "found_on_patrol", "records", "timeline"]


class JobDeskDetailOut(DeskFieldsMixin, JobDetailOut):
    class Meta(JobDetailOut.Meta):
        fields = [*JobDetailOut.Meta.fields, "found_on_patrol", "records", "timeline"]


class UnfinishedRecordOut(serializers.Serializer):
    record = serializers.ChoiceField(choices=records.RECORD_NAMES)
    job_id = serializers.IntegerField()
    job_number = serializers.CharField()
    job_summary = serializers.CharField()
    status = serializers.ChoiceField(choices=RecordStatus.choices)
    received_at = serializers.DateTimeField()


# --- input ----------------------------------------------------------------

@labels_from(Party)
class PartyIn(serializers.Serializer):
    plate = serializers.CharField(max_length=16, allow_blank=True)
    vehicle_type = serializers.CharField(max_length=32, allow_blank=True, default="")
    insurer = serializers.CharField(max_length=64, allow_blank=True, default="")
    responsibility = serializers.ChoiceField(choices=Party.Responsibility.choices, allow_null=True, default=None)


@labels_from(QuickClearance, status=_("Record status"), device_time=DEVICE_TIME_LABEL)
class RecordSaveIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=RecordStatus.choices, required=False,
        help_text="draft (default for a new record), later (to finish later: lets the officer clear) or complete",
    )
    device_time = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the officer tapped save, by the phone's clock"
    )


@labels_from(QuickClearance, parties=_("Vehicles"))
class QuickClearanceIn(RecordSaveIn):
    """PATCH changes the fields sent; PUT sets every field, the ones left out to empty."""

    vehicle_vs_vehicle = serializers.BooleanField(required=False, allow_null=True)
    property_damage_only = serializers.BooleanField(required=False, allow_null=True)
    vehicles_movable = serializers.BooleanField(required=False, allow_null=True)
    drivers_licensed_sober = serializers.BooleanField(required=False, allow_null=True)
    plates_and_insurance = serializers.BooleanField(required=False, allow_null=True)
    no_dangerous_goods = serializers.BooleanField(required=False, allow_null=True)
    agreement = serializers.ChoiceField(
        choices=QuickClearance.Agreement.choices, required=False, allow_blank=True, allow_null=True
    )
    vehicles_moved_at = serializers.DateTimeField(required=False, allow_null=True)
    lanes_open_at = serializers.DateTimeField(required=False, allow_null=True)
    tow_called = serializers.BooleanField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    parties = PartyIn(many=True, required=False, max_length=20)


@labels_from(Rescue)
class RescueIn(RecordSaveIn):
    kind = serializers.ChoiceField(choices=Rescue.Kind.choices, required=False, allow_blank=True)
    people_helped = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=500)
    handed_to_kind = serializers.ChoiceField(choices=Rescue.HandedTo.choices, required=False, allow_blank=True)
    handed_to_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    handed_to_phone = serializers.RegexField(
        r"^[0-9+\- ]{0,20}$", required=False, allow_blank=True, max_length=20,
    )
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=200)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)


@labels_from(RecordPhoto, image=_("Photo"), device_time=DEVICE_TIME_LABEL)
class PhotoIn(serializers.Serializer):
    slot = serializers.ChoiceField(choices=RecordPhoto.Slot.choices, default=RecordPhoto.Slot.EXTRA)
    image = serializers.FileField(help_text="JPEG, PNG, WebP or HEIC; checked by content")
    device_time = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PhotoAddedOut(serializers.Serializer):
    photo = RecordPhotoOut()


@labels_from(Job, accuracy=_("Accuracy (m)"), note=_("Note"), photo=_("Photo"), device_time=DEVICE_TIME_LABEL)
class FoundJobIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Job.Kind.choices,
        help_text="crash = accident, breakdown, congestion, hazard, violation, help (a citizen needs help), other",
    )
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="The phone's last fix, or the corrected point")
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(required=False, allow_null=True, default=None, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    device_time = serializers.DateTimeField(required=False, allow_null=True, default=None)
    photo = serializers.FileField(required=False, allow_null=True, default=None)


__all__ = [
    "FoundJobIn", "JobDeskDetailOut", "JobDeskOut", "JobRecordsOut", "PartyIn", "PhotoAddedOut", "PhotoIn",
    "QuickClearanceIn", "QuickClearanceOut", "RecordPhotoOut", "RescueIn", "RescueOut", "TimelineStepOut",
    "UnfinishedRecordOut", "quick_clearance_of", "rescue_of",
]

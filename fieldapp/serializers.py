"""JSON shapes of dispatch, shared by the REST API and the WebSocket pushes (docs/api-dispatch.md)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from common.maps import navigation_links
from common.serializers import DEVICE_TIME_LABEL, CachedModelSerializer, NavigationOut, labels_from
from fieldapp import records
from fieldapp.fixes import fix_of, iso_local
from fieldapp.models import (
    OFFICER_STATES,
    OFFICER_STEPS,
    RECEIVE_WITHIN_S,
    Assignment,
    Job,
    JobEvent,
    Officer,
)

# --- small pieces ---------------------------------------------------------

class SquadRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class UserRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


class OfficerRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    call_sign = serializers.CharField()
    squad = SquadRefOut(allow_null=True)


class FixOut(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    accuracy_m = serializers.FloatField(allow_null=True)
    at = serializers.DateTimeField()
    age_s = serializers.IntegerField()
    stale = serializers.BooleanField()


class PositionOut(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    accuracy_m = serializers.FloatField(allow_null=True)


class LinkedJobOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


# --- officers -------------------------------------------------------------

class ActiveAssignmentRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    job_number = serializers.CharField(source="job.number")
    status = serializers.CharField()


class OfficerOut(CachedModelSerializer):
    name = serializers.CharField(source="display_name")
    squad = SquadRefOut(allow_null=True)
    state = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()
    active_assignments = serializers.SerializerMethodField()
    fix = serializers.SerializerMethodField()

    class Meta:
        model = Officer
        fields = [
            "id", "name", "call_sign", "badge_number", "phone", "squad",
            "on_duty", "duty_changed_at", "state", "available", "active_assignments", "fix",
        ]

    def _active(self, officer: Officer) -> list[Assignment]:
        return _active_assignments(officer)

    @extend_schema_field(serializers.ChoiceField(choices=OFFICER_STATES))
    def get_state(self, officer: Officer) -> str:
        return officer_state(officer, self._active(officer))

    def get_available(self, officer: Officer) -> bool:
        return self.get_state(officer) == "available"

    @extend_schema_field(ActiveAssignmentRefOut(many=True))
    def get_active_assignments(self, officer: Officer) -> list[dict[str, Any]]:
        return ActiveAssignmentRefOut(self._active(officer), many=True).data

    @extend_schema_field(FixOut(allow_null=True))
    def get_fix(self, officer: Officer) -> dict[str, Any] | None:
        return fix_of(officer, self.context.get("now"))


# --- jobs and assignments -------------------------------------------------

class JobSummaryOut(CachedModelSerializer):
    linked_job = LinkedJobOut(allow_null=True)
    navigation = serializers.SerializerMethodField()
    record = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "number", "kind", "priority", "status", "summary", "description", "address",
            "lat", "lng", "source", "reported_at", "created_at", "closed_at", "cancel_reason", "linked_job",
            "navigation", "record",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=records.RECORD_NAMES, allow_null=True))
    def get_record(self, job: Job) -> str | None:
        """The field record this kind of job takes; a quick clearance must exist (or wait) before clearing."""
        return records.record_for_kind(job.kind)

    @extend_schema_field(NavigationOut)
    def get_navigation(self, job: Job) -> dict[str, str]:
        """Links that open the job's place in the officer's map app."""
        return job_navigation(job)


class AssignmentInJobOut(CachedModelSerializer):
    """An assignment as listed inside its job (without the job again)."""

    officer = OfficerRefOut()
    active = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()
    receive_deadline = serializers.SerializerMethodField()
    unreceived = serializers.SerializerMethodField()
    positions = serializers.DictField(child=PositionOut())
    dispatched_by = UserRefOut(allow_null=True)

    class Meta:
        model = Assignment
        fields = [
            "id", "job_id", "officer", "status", "active", "next_step", "next_steps",
            "dispatched_at", "received_at", "accepted_at", "en_route_at", "on_scene_at", "cleared_at",
            "declined_at", "withdrawn_at", "receive_deadline", "unreceived", "positions", "reason", "forced",
            "dispatched_by",
        ]

    def get_active(self, assignment: Assignment) -> bool:
        return assignment.active

    @extend_schema_field(serializers.ChoiceField(choices=OFFICER_STEPS, allow_null=True))
    def get_next_step(self, assignment: Assignment) -> str | None:
        steps = assignment.next_steps()
        return steps[0] if steps else None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=OFFICER_STEPS)))
    def get_next_steps(self, assignment: Assignment) -> list[str]:
        return assignment.next_steps()

    @extend_schema_field(serializers.DateTimeField())
    def get_receive_deadline(self, assignment: Assignment) -> str:
        return iso_local(receive_deadline(assignment))

    def get_unreceived(self, assignment: Assignment) -> bool:
        return assignment_unreceived(assignment, self.context.get("now"))


class AssignmentOut(AssignmentInJobOut):
    job = JobSummaryOut()

    class Meta(AssignmentInJobOut.Meta):
        fields = [*AssignmentInJobOut.Meta.fields, "job"]


class JobEventOut(CachedModelSerializer):
    actor = UserRefOut(allow_null=True)

    class Meta:
        model = JobEvent
        fields = ["id", "job_id", "assignment_id", "kind", "actor", "at", "device_at", "lat", "lng", "data"]


class JobOut(JobSummaryOut):
    created_by = UserRefOut(allow_null=True)
    assignments = AssignmentInJobOut(many=True)

    class Meta(JobSummaryOut.Meta):
        fields = [*JobSummaryOut.Meta.fields, "created_by", "assignments"]


class JobDetailOut(JobOut):
    events = JobEventOut(many=True)

    class Meta(JobOut.Meta):
        fields = [*JobOut.Meta.fields, "events"]


# --- composite answers ----------------------------------------------------

class CandidateOut(serializers.Serializer):
    officer = OfficerRefOut()
    distance_m = serializers.IntegerField()
    distance_text = serializers.CharField(help_text="The distance as people say it, e.g. 350 米 or 1.2 公里")
    fix_age_s = serializers.IntegerField()
    fix = FixOut()


class ShortfallReasonOut(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["no_one_on_duty", "busy", "no_positions", "positions_too_old", "already_assigned", "too_few_officers"]
    )
    count = serializers.IntegerField()
    detail = serializers.CharField()


class ShortfallOut(serializers.Serializer):
    found = serializers.IntegerField()
    wanted = serializers.IntegerField()
    reasons = ShortfallReasonOut(many=True)


class CandidatesOut(serializers.Serializer):
    job_id = serializers.IntegerField()
    limit = serializers.IntegerField()
    candidates = CandidateOut(many=True)
    shortfall = ShortfallOut(allow_null=True)
    busy_nearby = CandidateOut(many=True, help_text="Busy officers close by; sending one needs force")


class SkippedOut(serializers.Serializer):
    officer_id = serializers.IntegerField()
    code = serializers.CharField()


class DispatchResultOut(serializers.Serializer):
    job = JobOut()
    created = AssignmentOut(many=True)
    skipped = SkippedOut(many=True)


class MeUserOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class MeOut(serializers.Serializer):
    user = MeUserOut()
    roles = serializers.ListField(child=serializers.CharField())
    officer = OfficerOut(allow_null=True)
    assignments_today = AssignmentOut(many=True)
    feed_seq = serializers.IntegerField()


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


# --- the same shapes, built by hand --------------------------------------
#
# The writes that must answer fast (create, dispatch, a step) and their pushes
# build these shapes with plain functions: DRF's field machinery was most of
# their server time. Each gives exactly what its serializer above gives (the
# same keys in the same order, the same JSON types; tests/test_dispatch_shapes.py
# compares them on rows in every state), so the serializers stay the declared
# schema and the reads keep using them. The rules both use live here, once.

def _active_assignments(officer: Officer) -> list[Assignment]:
    # A serializer runs no query: selectors.officers_board / officer_with_state prefetch this.
    prefetched = getattr(officer, "active_assignment_list", None)
    if prefetched is None:
        raise LookupError("OfficerOut needs an officer from selectors.officers_board()")
    return prefetched


def officer_state(officer: Officer, active: list[Assignment]) -> str:
    if not officer.on_duty:
        return "off_duty"
    return "busy" if active else "available"


def job_navigation(job: Job) -> dict[str, str]:
    name = " ".join(part for part in (job.summary, job.address) if part) or job.number
    return navigation_links(lat=job.lat, lng=job.lng, name=name, source="webapp.luchang.field")


def receive_deadline(assignment: Assignment) -> datetime:
    return assignment.dispatched_at + timedelta(seconds=RECEIVE_WITHIN_S)


def assignment_unreceived(assignment: Assignment, now: datetime | None) -> bool:
    return (
        assignment.received_at is None
        and assignment.status == Assignment.Status.DISPATCHED
        and (now or timezone.now()) > receive_deadline(assignment)
    )


def _moment(moment: datetime | None) -> str | None:
    return None if moment is None else iso_local(moment)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def user_ref_json(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def officer_ref_json(officer: Officer) -> dict[str, Any]:
    squad = officer.squad
    return {
        "id": officer.pk,
        "name": officer.display_name,
        "call_sign": officer.call_sign,
        "squad": None if squad is None else {"id": squad.pk, "code": squad.code, "name": squad.name},
    }


def officer_json(officer: Officer, now: datetime | None = None) -> dict[str, Any]:
    """OfficerOut; the officer comes from selectors.officers_board() or officer_with_state()."""
    active = _active_assignments(officer)
    state = officer_state(officer, active)
    ref = officer_ref_json(officer)
    return {
        "id": officer.pk,
        "name": ref["name"],
        "call_sign": officer.call_sign,
        "badge_number": officer.badge_number,
        "phone": officer.phone,
        "squad": ref["squad"],
        "on_duty": officer.on_duty,
        "duty_changed_at": _moment(officer.duty_changed_at),
        "state": state,
        "available": state == "available",
        "active_assignments": [
            {"id": a.pk, "job_id": a.job_id, "job_number": a.job.number, "status": str(a.status)} for a in active
        ],
        "fix": fix_of(officer, now),
    }


def job_summary_json(job: Job) -> dict[str, Any]:
    """JobSummaryOut."""
    linked = job.linked_job
    return {
        "id": job.pk,
        "number": job.number,
        "kind": str(job.kind),
        "priority": int(job.priority),
        "status": str(job.status),
        "summary": job.summary,
        "description": job.description,
        "address": job.address,
        "lat": float(job.lat),
        "lng": float(job.lng),
        "source": str(job.source),
        "reported_at": _moment(job.reported_at),
        "created_at": _moment(job.created_at),
        "closed_at": _moment(job.closed_at),
        "cancel_reason": job.cancel_reason,
        "linked_job": None if linked is None else {"id": linked.pk, "number": linked.number},
        "navigation": job_navigation(job),
        "record": records.record_for_kind(job.kind),
    }


def _position_json(position: dict[str, Any] | None) -> dict[str, Any] | None:
    if position is None:
        return None
    return {"lat": float(position["lat"]), "lng": float(position["lng"]), "accuracy_m": _float(position["accuracy_m"])}


def assignment_in_job_json(assignment: Assignment, now: datetime | None = None) -> dict[str, Any]:
    """AssignmentInJobOut."""
    steps = assignment.next_steps()
    return {
        "id": assignment.pk,
        "job_id": assignment.job_id,
        "officer": officer_ref_json(assignment.officer),
        "status": str(assignment.status),
        "active": assignment.active,
        "next_step": steps[0] if steps else None,
        "next_steps": steps,
        "dispatched_at": _moment(assignment.dispatched_at),
        "received_at": _moment(assignment.received_at),
        "accepted_at": _moment(assignment.accepted_at),
        "en_route_at": _moment(assignment.en_route_at),
        "on_scene_at": _moment(assignment.on_scene_at),
        "cleared_at": _moment(assignment.cleared_at),
        "declined_at": _moment(assignment.declined_at),
        "withdrawn_at": _moment(assignment.withdrawn_at),
        "receive_deadline": iso_local(receive_deadline(assignment)),
        "unreceived": assignment_unreceived(assignment, now),
        "positions": {str(step): _position_json(position) for step, position in assignment.positions.items()},
        "reason": assignment.reason,
        "forced": bool(assignment.forced),
        "dispatched_by": user_ref_json(assignment.dispatched_by),
    }


def assignment_json(assignment: Assignment, now: datetime | None = None) -> dict[str, Any]:
    """AssignmentOut: the assignment with its job."""
    return {**assignment_in_job_json(assignment, now), "job": job_summary_json(assignment.job)}


def job_json(job: Job, now: datetime | None = None) -> dict[str, Any]:
    """JobOut: the job with its creator and its assignments (prefetched)."""
    return {
        **job_summary_json(job),
        "created_by": user_ref_json(job.created_by),
        "assignments": [assignment_in_job_json(assignment, now) for assignment in job.assignments.all()],
    }


def job_event_json(event: JobEvent) -> dict[str, Any]:
    """JobEventOut."""
    return {
        "id": event.pk,
        "job_id": event.job_id,
        "assignment_id": event.assignment_id,
        "kind": str(event.kind),
        "actor": user_ref_json(event.actor),
        "at": _moment(event.at),
        "device_at": _moment(event.device_at),
        "lat": _float(event.lat),
        "lng": _float(event.lng),
        "data": event.data,
    }


def dispatch_result_json(result: Any, now: datetime | None = None) -> dict[str, Any]:
    """DispatchResultOut, from services.DispatchResult."""
    return {
        "job": job_json(result.job, now),
        "created": [assignment_json(assignment, now) for assignment in result.created],
        "skipped": [{"officer_id": int(s["officer_id"]), "code": str(s["code"])} for s in result.skipped],
    }


# --- figures --------------------------------------------------------------

FIRST_FIGURES_DAY = date(2000, 1, 1)


@labels_from(Job, day=_("Day"))
class FiguresIn(serializers.Serializer):
    # Only the plain ISO form: the desk and the docs use it, and a typo should not become another day.
    day = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])

    def validate_day(self, day: date) -> date:
        # Far-off days would overflow the day's bounds; no job is reported before 2000 or after today.
        if day < FIRST_FIGURES_DAY or day > timezone.localdate():
            raise serializers.ValidationError(_("Pick a day between 2000-01-01 and today."))
        return day


class FigureMediansOut(serializers.Serializer):
    dispatch_received = serializers.FloatField(allow_null=True, help_text="Dispatched → received on the phone, seconds")
    dispatch_accepted = serializers.FloatField(allow_null=True, help_text="Dispatched → accepted, seconds")
    dispatch_on_scene = serializers.FloatField(allow_null=True, help_text="Dispatched → on scene, seconds")
    on_scene_cleared = serializers.FloatField(allow_null=True, help_text="On scene → cleared, seconds")
    reported_closed = serializers.FloatField(allow_null=True, help_text="Job reported → closed, seconds")
    reported_lanes_open = serializers.FloatField(
        allow_null=True, help_text="Roadway clearance: job reported → all lanes open (quick-clearance records), seconds"
    )


@extend_schema_serializer(component_name="Figures")
class FiguresOut(serializers.Serializer):
    day = serializers.DateField()
    jobs = serializers.IntegerField(help_text="Jobs reported on the day (Asia/Shanghai)")
    open = serializers.IntegerField()
    closed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    assignments = serializers.IntegerField(help_text="Assignments on those jobs")
    unreceived = serializers.IntegerField(help_text="Assignments not received within receive_within_s of dispatch")
    receive_within_s = serializers.IntegerField()
    median_s = FigureMediansOut(help_text="Medians in seconds; null when there is no data")


# --- input ----------------------------------------------------------------

@labels_from(Job)
class JobCreateIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Job.Kind.choices)
    priority = serializers.ChoiceField(choices=Job.Priority.choices, default=Job.Priority.NORMAL)
    summary = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="", max_length=4000)
    address = serializers.CharField(allow_blank=True, default="", max_length=200)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    source = serializers.ChoiceField(choices=Job.Source.choices, default=Job.Source.OTHER)
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    linked_job = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


@labels_from(Assignment, officers=_("Officers"), force=_("Send even if busy"))
class DispatchIn(serializers.Serializer):
    officers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=50)
    force = serializers.BooleanField(default=False)


@labels_from(Job, reason=Job._meta.get_field("cancel_reason").verbose_name)
class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CloseIn(serializers.Serializer):
    pass


@labels_from(Assignment)
class WithdrawIn(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, default="")


@labels_from(Assignment, to=_("Step"), at=DEVICE_TIME_LABEL, device_time=DEVICE_TIME_LABEL, lat=_("Latitude"),
             lng=_("Longitude"), accuracy=_("Accuracy (m)"))
class AdvanceIn(serializers.Serializer):
    to = serializers.ChoiceField(choices=OFFICER_STEPS)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    # The name every other officer action uses for the time of the tap; `at` is kept for older pages.
    device_time = serializers.DateTimeField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    accuracy = serializers.FloatField(required=False, allow_null=True, default=None, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["lat"] is None) != (attrs["lng"] is None):
            raise serializers.ValidationError({"lat": [_("Send lat and lng together, or neither.")]})
        return attrs


class RequiredBooleanField(serializers.BooleanField):
    """A boolean the client must send in every content type.

    DRF reads a boolean missing from an HTML form as false (an unticked
    checkbox sends nothing), so an empty form POST would mean "off duty".
    """

    default_empty_html = serializers.empty


@labels_from(Officer, device_time=DEVICE_TIME_LABEL)
class DutyIn(serializers.Serializer):
    on_duty = RequiredBooleanField()
    device_time = serializers.DateTimeField(required=False, allow_null=True, default=None)


@labels_from(Officer, lat=_("Latitude"), lng=_("Longitude"), accuracy=_("Accuracy (m)"), at=DEVICE_TIME_LABEL)
class PositionIn(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(required=False, allow_null=True, default=None, min_value=0)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)

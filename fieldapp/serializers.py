"""JSON shapes of dispatch, shared by the REST API and the WebSocket pushes (docs/api-dispatch.md)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fieldapp.models import (
    ACTIVE_STATUSES,
    OFFICER_STATES,
    OFFICER_STEPS,
    RECEIVE_WITHIN_S,
    Assignment,
    Job,
    JobEvent,
    Officer,
)

STALE_FIX_S = 600


def fix_age_s(fix_at: datetime | None, now: datetime | None = None) -> int | None:
    if fix_at is None:
        return None
    return max(0, int(((now or timezone.now()) - fix_at).total_seconds()))


# --- small pieces ---------------------------------------------------------

class SquadRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.get_username()


class OfficerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    call_sign = serializers.CharField()
    squad = SquadRefSerializer(allow_null=True)


class FixSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    accuracy_m = serializers.FloatField(allow_null=True)
    at = serializers.DateTimeField()
    age_s = serializers.IntegerField()
    stale = serializers.BooleanField()


def fix_of(officer: Officer, now: datetime | None = None) -> dict[str, Any] | None:
    if officer.fix_at is None or officer.fix_lat is None or officer.fix_lng is None:
        return None
    age = fix_age_s(officer.fix_at, now) or 0
    return {
        "lat": officer.fix_lat,
        "lng": officer.fix_lng,
        "accuracy_m": officer.fix_accuracy_m,
        "at": serializers.DateTimeField().to_representation(officer.fix_at),
        "age_s": age,
        "stale": age > STALE_FIX_S,
    }


class PositionSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    accuracy_m = serializers.FloatField(allow_null=True)


class LinkedJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


# --- officers -------------------------------------------------------------

class ActiveAssignmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    job_id = serializers.IntegerField()
    job_number = serializers.CharField(source="job.number")
    status = serializers.CharField()


class OfficerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    squad = SquadRefSerializer(allow_null=True)
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
        # Selectors prefetch this; a lone officer (a push) falls back to one query.
        prefetched = getattr(officer, "active_assignment_list", None)
        if prefetched is None:
            prefetched = list(
                officer.assignments.filter(status__in=ACTIVE_STATUSES).select_related("job").order_by("dispatched_at")
            )
            officer.active_assignment_list = prefetched
        return prefetched

    @extend_schema_field(serializers.ChoiceField(choices=OFFICER_STATES))
    def get_state(self, officer: Officer) -> str:
        if not officer.on_duty:
            return "off_duty"
        return "busy" if self._active(officer) else "available"

    def get_available(self, officer: Officer) -> bool:
        return self.get_state(officer) == "available"

    @extend_schema_field(ActiveAssignmentRefSerializer(many=True))
    def get_active_assignments(self, officer: Officer) -> list[dict[str, Any]]:
        return ActiveAssignmentRefSerializer(self._active(officer), many=True).data

    @extend_schema_field(FixSerializer(allow_null=True))
    def get_fix(self, officer: Officer) -> dict[str, Any] | None:
        return fix_of(officer, self.context.get("now"))


# --- jobs and assignments -------------------------------------------------

class JobSummarySerializer(serializers.ModelSerializer):
    linked_job = LinkedJobSerializer(allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id", "number", "kind", "priority", "status", "summary", "description", "address",
            "lat", "lng", "source", "reported_at", "created_at", "closed_at", "cancel_reason", "linked_job",
        ]


class AssignmentInJobSerializer(serializers.ModelSerializer):
    """An assignment as listed inside its job (without the job again)."""

    officer = OfficerRefSerializer()
    active = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()
    receive_deadline = serializers.SerializerMethodField()
    unreceived = serializers.SerializerMethodField()
    positions = serializers.DictField(child=PositionSerializer())
    dispatched_by = UserRefSerializer(allow_null=True)

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
        return serializers.DateTimeField().to_representation(
            assignment.dispatched_at + timedelta(seconds=RECEIVE_WITHIN_S)
        )

    def get_unreceived(self, assignment: Assignment) -> bool:
        now = self.context.get("now") or timezone.now()
        return (
            assignment.received_at is None
            and assignment.status == Assignment.Status.DISPATCHED
            and now > assignment.dispatched_at + timedelta(seconds=RECEIVE_WITHIN_S)
        )


class AssignmentSerializer(AssignmentInJobSerializer):
    job = JobSummarySerializer()

    class Meta(AssignmentInJobSerializer.Meta):
        fields = [*AssignmentInJobSerializer.Meta.fields, "job"]


class JobEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(allow_null=True)

    class Meta:
        model = JobEvent
        fields = ["id", "job_id", "assignment_id", "kind", "actor", "at", "device_at", "lat", "lng", "data"]


class JobSerializer(JobSummarySerializer):
    created_by = UserRefSerializer(allow_null=True)
    assignments = AssignmentInJobSerializer(many=True)

    class Meta(JobSummarySerializer.Meta):
        fields = [*JobSummarySerializer.Meta.fields, "created_by", "assignments"]


class JobDetailSerializer(JobSerializer):
    events = JobEventSerializer(many=True)

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "events"]


# --- composite answers ----------------------------------------------------

class CandidateSerializer(serializers.Serializer):
    officer = OfficerRefSerializer()
    distance_m = serializers.IntegerField()
    fix_age_s = serializers.IntegerField()
    fix = FixSerializer()


class ShortfallReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["no_one_on_duty", "busy", "no_positions", "positions_too_old", "already_assigned", "too_few_officers"]
    )
    count = serializers.IntegerField()
    detail = serializers.CharField()


class ShortfallSerializer(serializers.Serializer):
    found = serializers.IntegerField()
    wanted = serializers.IntegerField()
    reasons = ShortfallReasonSerializer(many=True)


class CandidatesSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    limit = serializers.IntegerField()
    candidates = CandidateSerializer(many=True)
    shortfall = ShortfallSerializer(allow_null=True)


class SkippedSerializer(serializers.Serializer):
    officer_id = serializers.IntegerField()
    code = serializers.CharField()


class DispatchResultSerializer(serializers.Serializer):
    job = JobSerializer()
    created = AssignmentSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class MeUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    user = MeUserSerializer()
    roles = serializers.ListField(child=serializers.CharField())
    officer = OfficerSerializer(allow_null=True)
    assignments_today = AssignmentSerializer(many=True)
    feed_seq = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


# --- input ----------------------------------------------------------------

class JobCreateInput(serializers.Serializer):
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


class DispatchInput(serializers.Serializer):
    officers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=50)
    force = serializers.BooleanField(default=False)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CloseInput(serializers.Serializer):
    pass


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, default="")


class AdvanceInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=OFFICER_STEPS)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    accuracy = serializers.FloatField(required=False, allow_null=True, default=None, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["lat"] is None) != (attrs["lng"] is None):
            raise serializers.ValidationError({"lat": [_("Send lat and lng together, or neither.")]})
        return attrs


class DutyInput(serializers.Serializer):
    on_duty = serializers.BooleanField()


class PositionInput(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(required=False, allow_null=True, default=None, min_value=0)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)

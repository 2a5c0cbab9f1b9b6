"""The figures of a range of days, in and out of the API (GET /api/v1/figures/?from=&to=&squad=)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from fieldapp import figures as fig
from fieldapp.figures_selectors import RangeFigures
from fieldapp.models import Squad
from fieldapp.serializers import FIRST_FIGURES_DAY


class FigureRangeIn(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under its query name below.
    to = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="Last day, default today")
    squad = serializers.SlugField(required=False, help_text="A squad's code: only jobs its officers were sent to")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, input_formats=["%Y-%m-%d"], help_text="First day (Asia/Shanghai), default 29 days before to"
        )
        return fields

    def validate_squad(self, code: str) -> Squad:
        squad = Squad.objects.filter(code=code).first()
        if squad is None:
            raise serializers.ValidationError(_("No such squad."))
        return squad

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        last = attrs.get("to") or today
        first = attrs.get("from") or last - timedelta(days=29)
        if first < FIRST_FIGURES_DAY or last > today:
            raise serializers.ValidationError({"from": [_("Pick days between 2000-01-01 and today.")]})
        if first > last:
            raise serializers.ValidationError({"from": [_("The first day comes after the last day.")]})
        if (last - first).days + 1 > fig.MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"from": [_("Pick at most %(days)d days.") % {"days": fig.MAX_RANGE_DAYS}]}
            )
        return {"first": first, "last": last, "squad": attrs.get("squad")}


class StatsOut(serializers.Serializer):
    p50_s = serializers.FloatField(allow_null=True, help_text="Median, seconds; null without data")
    p90_s = serializers.FloatField(allow_null=True, help_text="90th percentile (linear interpolation), seconds")
    n = serializers.IntegerField(help_text="Jobs or assignments the figure was computed from")
    missing = serializers.IntegerField(help_text="Jobs or assignments in scope with a step missing: not counted")


class DurationsOut(serializers.Serializer):
    dispatch_delay = StatsOut(help_text="T1 reported → T2 first dispatch, per job")
    receipt_delay = StatsOut(help_text="Dispatched → received on the phone, per assignment")
    response = StatsOut(help_text="T1 reported → T3 first officer on scene, per job")
    travel = StatsOut(help_text="En route → on scene, per assignment that reached the scene")
    rct = StatsOut(help_text="Roadway clearance: T1 → T4 all lanes open, accidents and breakdowns")
    ict = StatsOut(help_text="Incident clearance: T1 → T5 last officer cleared, per job")


class FigureSquadOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class QuickClearanceShareOut(serializers.Serializer):
    quick = serializers.IntegerField(help_text="Lanes open within within_s of the first officer on scene")
    eligible = serializers.IntegerField(help_text="Accidents and breakdowns, not cancelled")
    share = serializers.FloatField(allow_null=True)
    within_s = serializers.IntegerField()


class SecondaryOut(serializers.Serializer):
    count = serializers.IntegerField()
    jobs = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class RescueKindOut(serializers.Serializer):
    count = serializers.IntegerField()
    people_helped = serializers.IntegerField()


class RescuesOut(serializers.Serializer):
    count = serializers.IntegerField()
    people_helped = serializers.IntegerField()
    by_kind = serializers.DictField(child=RescueKindOut(), help_text="By rescue kind; \"\" for a record without one")


class DayOut(serializers.Serializer):
    day = serializers.DateField()
    jobs = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField())


class WeekOut(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday of the week")
    response = StatsOut()
    rct = StatsOut()


class FigureOfficerOut(serializers.Serializer):
    id = serializers.IntegerField()
    call_sign = serializers.CharField()
    name = serializers.CharField()
    squad = serializers.CharField(source="squad_name")


class AttendanceOut(serializers.Serializer):
    officer = FigureOfficerOut()
    on_duty_s = serializers.FloatField()
    days_on_duty = serializers.IntegerField()
    gaps = serializers.SerializerMethodField(help_text="Stretches on duty without a position fix for over 30 min")
    longest_gap_s = serializers.FloatField(allow_null=True)
    jobs_handled = serializers.IntegerField(help_text="Jobs the officer cleared")
    response = StatsOut(help_text="Reported → this officer on scene")
    quick_clearances = serializers.IntegerField()
    rescues = serializers.IntegerField()

    def get_gaps(self, row: fig.OfficerFigures) -> int:
        return len(row.gaps)


class AttendanceDayOut(serializers.Serializer):
    officer_id = serializers.IntegerField()
    day = serializers.DateField()
    on_duty_s = serializers.FloatField()
    first_on = serializers.DateTimeField(allow_null=True, help_text="First time on duty that day, null if carried over")
    last_off = serializers.DateTimeField(allow_null=True, help_text="Last time off duty that day, null if still on")
    gaps = serializers.IntegerField()


class GapOut(serializers.Serializer):
    officer_id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    seconds = serializers.FloatField()


@extend_schema_serializer(component_name="FigureRange")
class FigureRangeOut(serializers.Serializer):
    # "from" is a keyword: added in to_representation and in the schema through get_fields.
    to = serializers.DateField(source="range.last")
    squad = FigureSquadOut(allow_null=True)
    jobs = serializers.IntegerField(source="figures.jobs", help_text="Jobs reported in the range (Asia/Shanghai days)")
    by_status = serializers.DictField(child=serializers.IntegerField(), source="figures.by_status")
    by_kind = serializers.DictField(child=serializers.IntegerField(), source="figures.by_kind")
    durations = DurationsOut(source="figures.durations")
    quick_clearance = QuickClearanceShareOut(source="figures.quick_clearance")
    secondary = SecondaryOut(source="figures.secondary")
    rescues = RescuesOut(source="figures.rescues")
    days = DayOut(many=True, source="figures.days")
    weeks = WeekOut(many=True, source="figures.weeks")
    heatmap = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), source="figures.heatmap",
        help_text="Jobs by weekday (0 = Monday) and hour of the report, 7 × 24",
    )
    attendance = AttendanceOut(many=True, source="attendance.officers")
    attendance_days = AttendanceDayOut(many=True, source="attendance.days")
    gaps = GapOut(many=True, source="attendance.gaps")
    gaps_from = serializers.DateTimeField(
        source="range.gaps_from",
        help_text="Gaps are looked for only after this moment: the position track is kept POSITION_TRACK_RETENTION_DAYS",
    )

    def get_fields(self) -> dict[str, Any]:
        fields = {"from": serializers.DateField(source="range.first")}
        fields.update(super().get_fields())
        return fields


def range_out(result: RangeFigures) -> dict[str, Any]:
    return FigureRangeOut(result).data


def first_last(data: dict[str, Any]) -> tuple[date, date]:
    return data["first"], data["last"]

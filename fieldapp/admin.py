from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from common.tokens import token_expires_at, token_is_expired
from fieldapp.models import (
    Assignment,
    DutyChange,
    Job,
    JobEvent,
    Officer,
    Party,
    QuickClearance,
    RecordPhoto,
    Rescue,
    Squad,
)

admin.site.site_header = _("Luchang administration")
admin.site.site_title = _("Luchang")
admin.site.index_title = _("Administration")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are facts (the audit log, attendance): visible, never edited in admin."""

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class DutyChangeInline(ReadOnlyInline):
    model = DutyChange
    fields = ("at", "device_at", "on_duty")
    readonly_fields = fields
    show_change_link = False
    ordering = ("-at",)


@admin.register(Squad)
class SquadAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "brigade")
    list_filter = ("kind", "brigade")
    search_fields = ("name", "code")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("call_sign", "badge_number", "display_name", "squad", "phone", "on_duty", "fix_at")
    list_filter = ("squad", "on_duty")
    # Duty and position change through the officer's phone (services keep the attendance record).
    readonly_fields = ("on_duty", "duty_changed_at", "fix_lat", "fix_lng", "fix_accuracy_m", "fix_at")
    inlines = [DutyChangeInline]
    search_fields = ("call_sign", "badge_number", "user__username", "user__first_name", "user__last_name", "phone")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "squad")

    @admin.display(description=_("name"))
    def display_name(self, officer: Officer) -> str:
        return officer.display_name


# --- dispatch -------------------------------------------------------------


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("officer", "status", "dispatched_at", "received_at", "accepted_at", "en_route_at", "on_scene_at",
              "cleared_at", "reason")
    readonly_fields = fields


# The audit log's details in words: a label per key the services write, and
# statuses and yes/no in words. A key not listed here shows as it is.
DETAIL_LABELS = {
    "officer_id": pgettext_lazy("job event detail", "officer id"),
    "forced": pgettext_lazy("job event detail", "forced"),
    "from": pgettext_lazy("job event detail", "from"),
    "to": pgettext_lazy("job event detail", "to"),
    "reason": pgettext_lazy("job event detail", "reason"),
    "auto": pgettext_lazy("job event detail", "closed automatically"),
    "seq": pgettext_lazy("job event detail", "feed number"),
    # Field records (fieldapp.records_services).
    "record": pgettext_lazy("job event detail", "record"),
    "created": pgettext_lazy("job event detail", "record started"),
    "status": pgettext_lazy("job event detail", "record status"),
    "outcome": pgettext_lazy("job event detail", "outcome"),
    "failing_items": pgettext_lazy("job event detail", "failing items"),
    "fields": pgettext_lazy("job event detail", "fields saved"),
    "photo_id": pgettext_lazy("job event detail", "photo id"),
    "slot": pgettext_lazy("job event detail", "photo slot"),
    "source": pgettext_lazy("job event detail", "source"),
    "found_on_patrol": pgettext_lazy("job event detail", "found on patrol"),
    "self_assigned": pgettext_lazy("job event detail", "self-assigned"),
}
STATUS_LABELS = dict(Assignment.Status.choices)


def detail_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(pgettext_lazy("yes/no", "yes") if value else pgettext_lazy("yes/no", "no"))
    if key in ("from", "to") and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    return str(value)


def event_details(event: JobEvent) -> SafeString:
    """The event's data as "key: value" lines; empty values are left out."""
    lines = [
        (str(DETAIL_LABELS.get(key, key)), detail_value(key, value))
        for key, value in (event.data or {}).items()
        if value not in ("", None, [], {})
    ]
    return format_html_join("", "<div>{}: {}</div>", lines)


class EventDetailsMixin:
    @admin.display(description=_("details"))
    def details(self, event: JobEvent) -> SafeString:
        return event_details(event)


class JobEventInline(EventDetailsMixin, ReadOnlyInline):
    model = JobEvent
    fk_name = "job"
    fields = ("at", "kind", "actor", "assignment", "device_at", "lat", "lng", "details")
    readonly_fields = fields
    show_change_link = False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Jobs are changed through the dispatch services (locks, audit log, pushes); admin only looks."""

    list_display = ("number", "summary", "kind", "priority", "status", "source", "reported_at", "closed_at")
    list_filter = ("status", "kind", "priority", "source")
    search_fields = ("number", "summary", "address", "description")
    date_hierarchy = "reported_at"
    readonly_fields = ("number", "created_at", "created_by", "status", "closed_at", "cancel_reason", "linked_job")
    inlines = [AssignmentInline, JobEventInline]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Text may be corrected; the place and the state of a job are facts of the record.
        return (*self.readonly_fields, "kind", "lat", "lng", "reported_at", "source")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("job", "officer", "status", "dispatched_at", "received_at", "cleared_at", "forced")
    list_filter = ("status", "forced")
    search_fields = ("job__number", "officer__call_sign", "officer__user__first_name")
    list_select_related = ("job", "officer__user")
    date_hierarchy = "dispatched_at"


@admin.register(JobEvent)
class JobEventAdmin(EventDetailsMixin, ReadOnlyAdmin):
    list_display = ("at", "job", "kind", "actor", "assignment", "device_at", "lat", "lng", "details")
    fields = ("job", "assignment", "kind", "actor", "at", "device_at", "lat", "lng", "details")
    readonly_fields = fields
    list_filter = ("kind",)
    search_fields = ("job__number",)
    list_select_related = ("job", "actor", "assignment__officer")
    date_hierarchy = "at"


@admin.register(DutyChange)
class DutyChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "device_at", "officer", "on_duty")
    list_filter = ("on_duty", "officer__squad")
    search_fields = ("officer__call_sign", "officer__user__first_name")
    list_select_related = ("officer__user",)
    date_hierarchy = "at"


# --- field records ----------------------------------------------------------
# Records are written by the officer's phone through fieldapp.records_services
# (locks, audit log, the desk's push); admin shows them, the photos' originals
# included, and never changes them.

class PartyInline(ReadOnlyInline):
    model = Party
    fields = ("position", "plate", "vehicle_type", "insurer", "responsibility")
    readonly_fields = fields
    show_change_link = False


def photo_preview(photo: RecordPhoto) -> SafeString:
    thumbnail = reverse("api-record-photo-file", kwargs={"photo_id": photo.pk, "variant": "thumbnail"})
    image = reverse("api-record-photo-file", kwargs={"photo_id": photo.pk, "variant": "image"})
    return format_html('<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" height="80"></a>', image, thumbnail)


class RecordPhotoInline(ReadOnlyInline):
    model = RecordPhoto
    fields = ("preview", "slot", "width", "height", "bytes", "device_time", "received_at", "superseded_at")
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("photo"))
    def preview(self, photo: RecordPhoto) -> SafeString:
        return photo_preview(photo)


class RecordAuditMixin:
    """The record's audit log: the job's record and photo events, with device and server times."""

    @admin.display(description=_("audit log"))
    def audit_log(self, record: QuickClearance | Rescue) -> SafeString:
        rows = [
            (f"{event.at:%Y-%m-%d %H:%M:%S}", f"{event.device_at:%Y-%m-%d %H:%M:%S}" if event.device_at else "-",
             event.get_kind_display(), event.actor.get_full_name() if event.actor else "-", event_details(event))
            for event in JobEvent.objects.filter(
                job_id=record.job_id, kind__in=(JobEvent.Kind.RECORD_SAVED, JobEvent.Kind.PHOTO_ADDED)
            ).select_related("actor").order_by("at", "id")
        ]
        return format_html_join(
            "", "<div>{} (device {}) · {} · {}{}</div>", rows
        )


@admin.register(QuickClearance)
class QuickClearanceAdmin(RecordAuditMixin, ReadOnlyAdmin):
    list_display = ("job", "officer", "status", "outcome", "agreement", "vehicles_moved_at", "lanes_open_at",
                    "received_at")
    list_filter = ("status", "outcome", "agreement", "tow_called")
    search_fields = ("job__number", "parties__plate", "officer__call_sign")
    list_select_related = ("job", "officer__user")
    date_hierarchy = "received_at"
    fields = (
        "job", "officer", "status", "vehicle_vs_vehicle", "property_damage_only", "vehicles_movable",
        "drivers_licensed_sober", "plates_and_insurance", "no_dangerous_goods", "outcome", "failing_items",
        "agreement", "vehicles_moved_at", "lanes_open_at", "tow_called", "notes", "device_time", "received_at",
        "created_at", "completed_at", "audit_log",
    )
    readonly_fields = fields
    inlines = [PartyInline, RecordPhotoInline]


@admin.register(Rescue)
class RescueAdmin(RecordAuditMixin, ReadOnlyAdmin):
    list_display = ("job", "officer", "status", "kind", "people_helped", "handed_to_kind", "started_at", "ended_at")
    list_filter = ("status", "kind", "handed_to_kind")
    search_fields = ("job__number", "officer__call_sign")
    list_select_related = ("job", "officer__user")
    date_hierarchy = "received_at"
    fields = (
        "job", "officer", "status", "kind", "people_helped", "handed_to_kind", "handed_to_name", "handed_to_phone",
        "outcome", "started_at", "ended_at", "notes", "device_time", "received_at", "created_at", "completed_at",
        "audit_log",
    )
    readonly_fields = fields
    inlines = [RecordPhotoInline]


@admin.register(RecordPhoto)
class RecordPhotoAdmin(ReadOnlyAdmin):
    list_display = ("preview", "job", "slot", "quick_clearance", "rescue", "uploaded_by", "device_time", "received_at",
                    "superseded_at")
    list_filter = ("slot",)
    search_fields = ("job__number",)
    list_select_related = ("job", "uploaded_by__user", "quick_clearance__job", "rescue__job")
    fields = ("preview", "job", "quick_clearance", "rescue", "slot", "width", "height", "bytes", "uploaded_by",
              "device_time", "received_at", "superseded_at")
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def preview(self, photo: RecordPhoto) -> SafeString:
        return photo_preview(photo)


# --- API tokens ---------------------------------------------------------------
# DRF's token list, with each token's expiry (API_TOKEN_LIFETIME_DAYS). Deleting
# a token here revokes it.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ExpiringTokenAdmin(TokenAdmin):
    list_display = ("user", "created", "expires", "expired")

    @admin.display(description=_("expires"))
    def expires(self, token: TokenProxy) -> Any:
        return token_expires_at(token)

    @admin.display(description=_("expired"), boolean=True)
    def expired(self, token: TokenProxy) -> bool:
        return token_is_expired(token)


# --- road work (issue 12) -------------------------------------------------------
# Points and areas are edited on the desk (/dispatch/roadwork/), where the post
# windows have the week editor; here they are edited through the same service.
from fieldapp import roadwork_services  # noqa: E402
from fieldapp.models import (  # noqa: E402
    CongestionPoint,
    Hazard,
    HazardEvent,
    OutreachEvent,
    RoadArea,
    SettledPresence,
    TrafficSample,
)


@admin.register(RoadArea)
class RoadAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "leader")
    list_select_related = ("leader",)


@admin.register(CongestionPoint)
class CongestionPointAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "squad", "officer", "post_windows", "status")
    list_filter = ("status", "kind", "area")
    search_fields = ("name",)
    list_select_related = ("area", "squad", "officer")
    raw_id_fields = ("officer",)

    def save_model(self, request: Any, obj: CongestionPoint, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in form.cleaned_data if name in roadwork_services.POINT_FIELDS}
        saved = (
            roadwork_services.point_update(point_id=obj.pk, **values) if change else roadwork_services.point_create(**values)
        )
        obj.pk = saved.pk


class HazardEventInline(admin.TabularInline):
    model = HazardEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "from_status", "to_status", "note", "data")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Hazard)
class HazardAdmin(admin.ModelAdmin):
    """Read-only: a hazard moves on the desk, so that every change is kept with who and when."""

    list_display = ("number", "kind", "status", "unit", "deadline", "reported_at")
    list_filter = ("status", "kind", "found_by")
    search_fields = ("number", "address", "description")
    list_select_related = ("point",)
    inlines = [HazardEventInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [field.name for field in Hazard._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(OutreachEvent)
class OutreachEventAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "place", "organisation", "audience")
    list_filter = ("kind",)
    filter_horizontal = ("officers",)


@admin.register(TrafficSample)
class TrafficSampleAdmin(admin.ModelAdmin):
    list_display = ("point", "state", "source", "officer", "at")
    list_filter = ("state", "source")
    list_select_related = ("point", "officer")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SettledPresence)
class SettledPresenceAdmin(ReadOnlyAdmin):
    """Derived from the track (fieldapp/presence.py): shown, never edited. Deleting rows only makes a read recompute them."""

    list_display = ("point", "start", "end", "visits", "first_arrival", "computed_at")
    list_filter = ("point",)
    list_select_related = ("point",)
    date_hierarchy = "start"

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return True

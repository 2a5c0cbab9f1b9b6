from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fieldapp.models import Assignment, DutyChange, Job, JobEvent, Officer, Squad

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
    fields = ("at", "on_duty")
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
    list_display = ("at", "officer", "on_duty")
    list_filter = ("on_duty", "officer__squad")
    search_fields = ("officer__call_sign", "officer__user__first_name")
    list_select_related = ("officer__user",)
    date_hierarchy = "at"

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


class JobEventInline(ReadOnlyInline):
    model = JobEvent
    fk_name = "job"
    fields = ("at", "kind", "actor", "assignment", "device_at", "lat", "lng", "data")
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
class JobEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "job", "kind", "actor", "assignment", "device_at", "lat", "lng")
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

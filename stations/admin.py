"""Django admin of the care stations.

Admin forms and inlines save their own rows; after each save or delete the
admin calls services.stations_touch, the services' own touch-and-notify, so
screens and finders update at once. Bulk actions call the services outright.
"""
from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from common.roles import STATION_MANAGER
from stations import amenities, hours, selectors, services
from stations.models import Closure, HolidayCalendar, PlaylistItem, SafetyVideo, Slogan, Station, StationPhoto
from stations.transfer import export_csv, export_geojson, import_text

WGS84, GCJ02 = "wgs84", "gcj02"


def _warn_missing_calendar(request: HttpRequest) -> None:
    missing = selectors.holiday_calendar_missing_years()
    if missing:
        messages.warning(
            request,
            _(
                "The holiday calendar has no dates for %(years)s. Until they are added, stations treat those "
                "holidays and make-up workdays as ordinary days. Add them here when the State Council publishes "
                "them (or run “manage.py seed_holidays” once chinesecalendar knows the year)."
            )
            % {"years": ", ".join(str(year) for year in missing)},
        )


# --- filters ----------------------------------------------------------------

class OpenNowFilter(admin.SimpleListFilter):
    title = gettext_lazy("open now")
    parameter_name = "open_now"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("Open now")), ("no", gettext_lazy("Not open now"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Station]) -> QuerySet[Station] | None:
        if self.value() not in ("yes", "no"):
            return None
        open_ids = selectors.station_ids_open_now(queryset=queryset)
        return queryset.filter(pk__in=open_ids) if self.value() == "yes" else queryset.exclude(pk__in=open_ids)


class AmenityFilter(admin.SimpleListFilter):
    title = gettext_lazy("amenity")
    parameter_name = "amenity"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(amenity.code, amenity.label) for amenity in amenities.AMENITIES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Station]) -> QuerySet[Station] | None:
        if self.value() in amenities.BY_CODE:
            return queryset.filter(amenities__has_all=[self.value()])
        return None


# --- the station form -------------------------------------------------------

class StationAdminForm(forms.ModelForm):
    coordinate_system = forms.ChoiceField(
        label=gettext_lazy("coordinates are in"),
        choices=[(WGS84, gettext_lazy("WGS-84 (GPS)")), (GCJ02, gettext_lazy("GCJ-02 (AMap / Tencent maps)"))],
        initial=WGS84,
        help_text=gettext_lazy("Copied from AMap? Choose GCJ-02: the coordinates are converted and stored as WGS-84."),
    )

    class Meta:
        model = Station
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("coordinate_system") == GCJ02 and data.get("lat") is not None and data.get("lng") is not None:
            data["lat"], data["lng"] = gcj02_to_wgs84(data["lat"], data["lng"])
            self.instance.lat, self.instance.lng = data["lat"], data["lng"]
        return data


class PlaylistItemInline(admin.TabularInline):
    model = PlaylistItem
    extra = 0
    fields = ["position", "video", "start_date", "end_date"]
    ordering = ["position", "id"]
    autocomplete_fields = ["video"]


class SloganInline(admin.TabularInline):
    model = Slogan
    extra = 1
    fields = ["position", "text", "active"]
    ordering = ["position", "id"]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    fields = ["start_date", "end_date", "reason", "opening_hours"]
    ordering = ["-start_date"]


class StationPhotoInline(admin.TabularInline):
    model = StationPhoto
    extra = 0
    fields = ["position", "image", "caption"]


class NotifyingAdmin(admin.ModelAdmin):
    """Sends station_changed after commit for every station a save or delete touched."""

    def stations_of(self, obj: Any) -> list[int]:
        station_id = getattr(obj, "station_id", None)
        return [station_id] if station_id else []

    def _notify(self, station_ids: list[int]) -> None:
        services.stations_touch(station_ids=station_ids)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._notify(self.stations_of(obj))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._notify(self.stations_of(form.instance))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        station_ids = self.stations_of(obj)
        super().delete_model(request, obj)
        self._notify(station_ids)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        station_ids = [pk for obj in queryset for pk in self.stations_of(obj)]
        super().delete_queryset(request, queryset)
        self._notify(station_ids)


@admin.register(Station)
class StationAdmin(NotifyingAdmin):
    form = StationAdminForm
    list_display = ["name", "slug", "published", "open_state", "amenity_icons", "phone", "updated_at"]
    list_display_links = ["name"]
    list_filter = [OpenNowFilter, AmenityFilter, "published", "follows_national_calendar", "closed_now"]
    search_fields = ["name", "slug", "address", "phone", "description"]
    filter_horizontal = ["managers"]
    prepopulated_fields = {}
    readonly_fields = ["gcj02_coordinates", "hours_preview", "created_at", "updated_at"]
    inlines = [ClosureInline, PlaylistItemInline, SloganInline, StationPhotoInline]
    actions = ["export_csv_action", "export_geojson_action", "publish", "unpublish"]
    change_list_template = "admin/stations/station/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "published", "address", "phone", "description", "managers"]}),
        (gettext_lazy("Location"), {"fields": ["coordinate_system", "lat", "lng", "gcj02_coordinates"]}),
        (
            gettext_lazy("Hours"),
            {"fields": ["opening_hours", "follows_national_calendar", "closed_now", "closed_reason", "hours_preview"]},
        ),
        (gettext_lazy("Amenities"), {"fields": ["amenities"]}),
        (gettext_lazy("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def stations_of(self, obj: Any) -> list[int]:
        return [obj.pk] if obj.pk else []

    @admin.display(description=gettext_lazy("now"))
    def open_state(self, station: Station) -> str:
        return selectors.station_open_state(station=station).text

    @admin.display(description=gettext_lazy("amenities"))
    def amenity_icons(self, station: Station) -> str:
        # Labels, not only emoji: an admin's desktop may lack a colour-emoji font.
        return "、".join(str(amenities.BY_CODE[code].label) for code in station.amenities)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "managers":
            # Only station managers (and admins) can be put in charge of a station.
            kwargs["queryset"] = get_user_model().objects.filter(
                Q(groups__name=STATION_MANAGER) | Q(is_staff=True) | Q(is_superuser=True)
            ).distinct().order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("GCJ-02 (for AMap)"))
    def gcj02_coordinates(self, station: Station) -> str:
        if station.lat is None or station.lng is None:
            return "–"
        lat, lng = wgs84_to_gcj02(station.lat, station.lng)
        return f"{lat:.6f}, {lng:.6f}"

    @admin.display(description=gettext_lazy("next 7 days"))
    def hours_preview(self, station: Station) -> str:
        if station.pk is None:
            return _("Save the station to see its week.")
        if not hours.is_valid(station.opening_hours):
            return _("The saved expression is invalid.")
        week = selectors.station_week_hours(station=station)
        rows = format_html_join(
            "",
            "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            (
                (day.date.strftime("%m-%d"), day.weekday, day.text, day.label or _kind_word(day.kind))
                for day in week
            ),
        )
        state = selectors.station_open_state(station=station)
        return format_html(
            '<p><strong>{}</strong></p><table class="hours-preview"><tbody>{}</tbody></table>', state.text, rows
        )

    @admin.action(description=gettext_lazy("Export selected stations as CSV"))
    def export_csv_action(self, request: HttpRequest, queryset: QuerySet[Station]) -> HttpResponse:
        response = HttpResponse(export_csv(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="stations.csv"'
        return response

    @admin.action(description=gettext_lazy("Export selected stations as GeoJSON"))
    def export_geojson_action(self, request: HttpRequest, queryset: QuerySet[Station]) -> HttpResponse:
        body = json.dumps(export_geojson(queryset), ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="stations.geojson"'
        return response

    @admin.action(description=gettext_lazy("Publish selected stations"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Station]) -> None:
        self._set_published(queryset, True)

    @admin.action(description=gettext_lazy("Unpublish selected stations"))
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Station]) -> None:
        self._set_published(queryset, False)

    def _set_published(self, queryset: QuerySet[Station], published: bool) -> None:
        services.stations_set_published(station_ids=list(queryset.values_list("pk", flat=True)), published=published)

    def get_urls(self) -> list[Any]:
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="stations_station_import"),
            path("export/<str:fmt>/", self.admin_site.admin_view(self.export_all_view), name="stations_station_export"),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "GET":
            _warn_missing_calendar(request)
        return super().changelist_view(request, extra_context)

    def export_all_view(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        stations = Station.objects.all()
        if fmt == "geojson":
            return self.export_geojson_action(request, stations)
        return self.export_csv_action(request, stations)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = StationImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            else:
                fmt = form.cleaned_data["format"] or ("geojson" if upload.name.endswith((".geojson", ".json")) else "csv")
                report = import_text(text, fmt=fmt)
                level = messages.SUCCESS if report.ok else messages.WARNING
                self.message_user(request, _("Import: %(summary)s.") % {"summary": report.summary()}, level)
                if report.ok:
                    return HttpResponseRedirect(reverse("admin:stations_station_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import care stations"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/stations/station/import.html", context)


def _kind_word(kind: str) -> str:
    return {
        hours.HOLIDAY: _("statutory holiday"),
        hours.MAKEUP_WORKDAY: _("make-up workday"),
        hours.CLOSURE: _("closure"),
        hours.SPECIAL: _("special day"),
    }.get(kind, "")


class StationImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or GeoJSON file"))
    format = forms.ChoiceField(
        label=gettext_lazy("format"),
        choices=[("", gettext_lazy("from the file name")), ("csv", "CSV"), ("geojson", "GeoJSON")],
        required=False,
    )


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, entry: HolidayCalendar) -> str:
        return hours.weekday_label(entry.date)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "GET":
            _warn_missing_calendar(request)
        return super().changelist_view(request, extra_context)


@admin.register(SafetyVideo)
class SafetyVideoAdmin(admin.ModelAdmin):
    list_display = ["title", "duration_seconds", "mime_type", "created_at"]
    search_fields = ["title"]
    readonly_fields = ["mime_type", "created_at"]

    def save_model(self, request: HttpRequest, obj: SafetyVideo, form: Any, change: bool) -> None:
        if "file" in form.changed_data:
            obj.mime_type = ""  # sniffed again from the new file on save
        super().save_model(request, obj, form, change)
        services.safety_video_changed(video_id=obj.pk)


@admin.register(Closure)
class ClosureAdmin(NotifyingAdmin):
    list_display = ["station", "start_date", "end_date", "reason", "opening_hours"]
    list_filter = ["station"]
    search_fields = ["station__name", "reason"]
    date_hierarchy = "start_date"

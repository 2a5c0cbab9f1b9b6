"""JSON shapes of the care stations API (see docs/api-stations.md)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api_fields import BoundedDateField
from common.gcj02 import wgs84_to_gcj02
from common.maps import distance_text
from common.serializers import CachedModelSerializer, NavigationOut
from stations import amenities, hours
from stations.display import navigation_links, state_labels
from stations.media import media_url, video_json
from stations.models import Closure, PlaylistItem, SafetyVideo, Slogan
from stations.selectors import NearbyStation, StationDetail, today_shanghai
from stations.validators import validate_image_file, validate_opening_hours, validate_video_file

PLACEHOLDER_SLUG = "station-slug-placeholder"


@lru_cache(maxsize=1)
def _station_url_pattern() -> str:
    return reverse("stations:detail", kwargs={"slug": PLACEHOLDER_SLUG})


def station_url(slug: str) -> str:
    # One reverse() per process: the finder lists many stations per request.
    return _station_url_pattern().replace(PLACEHOLDER_SLUG, slug)


# --- output -----------------------------------------------------------------

class CoordinatesOut(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class AmenityOut(serializers.Serializer):
    code = serializers.ChoiceField(choices=amenities.CHOICES)
    label = serializers.CharField()
    icon = serializers.CharField()


class IntervalOut(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()
    state = serializers.CharField(help_text="open | unknown")
    overnight = serializers.BooleanField()


class DayHoursOut(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField()
    kind = serializers.CharField(help_text="regular | holiday | makeup_workday | closure | special")
    label = serializers.CharField()
    text = serializers.CharField()
    intervals = IntervalOut(many=True)


class ClosureOut(CachedModelSerializer):
    class Meta:
        model = Closure
        fields = ["id", "start_date", "end_date", "reason", "opening_hours"]


class VideoOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    src = serializers.CharField()
    poster = serializers.CharField(allow_null=True)
    duration_seconds = serializers.IntegerField()
    mime = serializers.CharField()

    def to_representation(self, instance: SafetyVideo) -> dict[str, Any]:
        return video_json(instance)


class PlaylistItemOut(CachedModelSerializer):
    video = VideoOut()
    active_today = serializers.SerializerMethodField()

    class Meta:
        model = PlaylistItem
        fields = ["id", "position", "video", "start_date", "end_date", "active_today"]

    def get_active_today(self, item: PlaylistItem) -> bool:
        today = today_shanghai()
        return (item.start_date is None or item.start_date <= today) and (item.end_date is None or item.end_date >= today)


class SloganOut(CachedModelSerializer):
    class Meta:
        model = Slogan
        fields = ["id", "text", "position", "active"]


class StationListOut(serializers.Serializer):
    """A NearbyStation (station, distance, open state) as the finder lists it: the one
    station card. The finder page renders it and finder.js only displays its fields."""

    slug = serializers.CharField(source="station.slug")
    name = serializers.CharField(source="station.name")
    address = serializers.CharField(source="station.address")
    phone = serializers.CharField(source="station.phone")
    wgs84 = serializers.SerializerMethodField()
    gcj02 = serializers.SerializerMethodField()
    distance_m = serializers.SerializerMethodField()
    distance_text = serializers.SerializerMethodField()
    open_state = serializers.ChoiceField(source="open_state.state", choices=[hours.OPEN, hours.CLOSED, hours.UNKNOWN])
    state_label = serializers.SerializerMethodField()
    next_change = serializers.DateTimeField(source="open_state.next_change", allow_null=True)
    hours_text = serializers.CharField(source="open_state.text")
    opens_text = serializers.CharField(source="open_state.opens_text", help_text="when closed: “08:00 开门”; else empty")
    closed_reason = serializers.SerializerMethodField()
    amenities = serializers.SerializerMethodField()
    opening_hours = serializers.CharField(source="station.opening_hours")
    url = serializers.SerializerMethodField()
    navigation = serializers.SerializerMethodField()

    @extend_schema_field(CoordinatesOut)
    def get_wgs84(self, item: NearbyStation) -> dict[str, float]:
        return {"lat": item.station.lat, "lng": item.station.lng}

    @extend_schema_field(CoordinatesOut)
    def get_gcj02(self, item: NearbyStation) -> dict[str, float]:
        lat, lng = wgs84_to_gcj02(item.station.lat, item.station.lng)
        return {"lat": round(lat, 7), "lng": round(lng, 7)}

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="null without a position to measure from"))
    def get_distance_m(self, item: NearbyStation) -> int | None:
        return None if item.distance_m is None else round(item.distance_m)

    @extend_schema_field(OpenApiTypes.STR)
    def get_distance_text(self, item: NearbyStation) -> str:
        return distance_text(item.distance_m)

    @extend_schema_field(OpenApiTypes.STR)
    def get_state_label(self, item: NearbyStation) -> str:
        return state_labels()[item.open_state.state]

    @extend_schema_field(OpenApiTypes.STR)
    def get_closed_reason(self, item: NearbyStation) -> str:
        return item.open_state.reason if item.open_state.state == hours.CLOSED else ""

    @extend_schema_field(AmenityOut(many=True))
    def get_amenities(self, item: NearbyStation) -> list[dict[str, str]]:
        return amenities.describe(item.station.amenities)

    @extend_schema_field(OpenApiTypes.STR)
    def get_url(self, item: NearbyStation) -> str:
        return station_url(item.station.slug)

    @extend_schema_field(NavigationOut)
    def get_navigation(self, item: NearbyStation) -> dict[str, str]:
        return navigation_links(item.station)


class PhotoOut(serializers.Serializer):
    url = serializers.CharField()
    caption = serializers.CharField()


class StationDetailOut(StationListOut):
    """A StationDetail: selectors.stations_detailed read the week, closures and photos."""

    description = serializers.CharField(source="station.description")
    published = serializers.BooleanField(source="station.published")
    follows_national_calendar = serializers.BooleanField(source="station.follows_national_calendar")
    closed_now = serializers.BooleanField(source="station.closed_now")
    photos = serializers.SerializerMethodField()
    week = serializers.SerializerMethodField()
    closures = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(source="station.updated_at")

    @extend_schema_field(PhotoOut(many=True))
    def get_photos(self, item: StationDetail) -> list[dict[str, Any]]:
        return [{"url": media_url(photo.image), "caption": photo.caption} for photo in item.photos]

    @extend_schema_field(DayHoursOut(many=True))
    def get_week(self, item: StationDetail) -> list[dict[str, Any]]:
        return [day.as_json() for day in item.week]

    @extend_schema_field(ClosureOut(many=True))
    def get_closures(self, item: StationDetail) -> list[dict[str, Any]]:
        return ClosureOut(item.closures, many=True).data


class StationListPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    results = StationListOut(many=True)


class ScreenTodayOut(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()


class ScreenVideoOut(serializers.Serializer):
    id = serializers.IntegerField()
    video_id = serializers.IntegerField()
    title = serializers.CharField()
    src = serializers.CharField()
    poster = serializers.CharField(allow_null=True)
    duration_seconds = serializers.IntegerField()
    mime = serializers.CharField()


class ScreenSloganOut(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class ScreenStationOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ScreenPayloadOut(serializers.Serializer):
    """Documentation of selectors.screen_payload(); the dict is returned as is."""

    station = ScreenStationOut()
    version = serializers.CharField()
    generated_at = serializers.DateTimeField()
    open_state = serializers.CharField()
    next_change = serializers.DateTimeField(allow_null=True)
    hours_text = serializers.CharField()
    closed_reason = serializers.CharField()
    closure_notice = serializers.CharField(help_text="Shown instead of today's hours while the station is closed; empty otherwise.")
    today = ScreenTodayOut()
    playlist = ScreenVideoOut(many=True)
    slogans = ScreenSloganOut(many=True)
    poll_seconds = serializers.IntegerField()


class GeoJsonOut(serializers.Serializer):
    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())


# --- input ------------------------------------------------------------------

class StationPatchIn(serializers.Serializer):
    opening_hours = serializers.CharField(required=False, max_length=255, validators=[validate_opening_hours])
    follows_national_calendar = serializers.BooleanField(required=False)
    closed_now = serializers.BooleanField(required=False)
    closed_reason = serializers.CharField(required=False, allow_blank=True, max_length=120)
    amenities = serializers.ListField(
        child=serializers.ChoiceField(choices=[code for code, _label in amenities.CHOICES]), required=False
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    published = serializers.BooleanField(required=False)

    def validate_opening_hours(self, value: str) -> str:
        return value.strip()


class ClosureIn(serializers.Serializer):
    start_date = BoundedDateField()
    end_date = BoundedDateField()
    reason = serializers.CharField(max_length=120)
    opening_hours = serializers.CharField(
        required=False, allow_blank=True, max_length=255, default="", validators=[validate_opening_hours]
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "The last day must not be before the first day."})
        return attrs


class ClosurePatchIn(ClosureIn):
    start_date = BoundedDateField(required=False)
    end_date = BoundedDateField(required=False)
    reason = serializers.CharField(max_length=120, required=False)
    opening_hours = serializers.CharField(
        required=False, allow_blank=True, max_length=255, validators=[validate_opening_hours]
    )


class PlaylistAddIn(serializers.Serializer):
    video_id = serializers.IntegerField()
    start_date = BoundedDateField(required=False, allow_null=True, default=None)
    end_date = BoundedDateField(required=False, allow_null=True, default=None)


class PlaylistItemPatchIn(serializers.Serializer):
    start_date = BoundedDateField(required=False, allow_null=True)
    end_date = BoundedDateField(required=False, allow_null=True)


class PlaylistOrderIn(serializers.Serializer):
    item_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class SloganIn(serializers.Serializer):
    text = serializers.CharField(max_length=120)
    active = serializers.BooleanField(required=False, default=True)


class SloganPatchIn(serializers.Serializer):
    text = serializers.CharField(max_length=120, required=False)
    active = serializers.BooleanField(required=False)


class SloganOrderIn(serializers.Serializer):
    slogan_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class SafetyVideoIn(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    file = serializers.FileField(validators=[validate_video_file])
    poster = serializers.FileField(required=False, allow_null=True, validators=[validate_image_file])
    duration_seconds = serializers.IntegerField(required=False, min_value=0, default=0)

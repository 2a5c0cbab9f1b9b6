"""JSON shapes of the care stations API (see docs/api-stations.md)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from rest_framework import serializers

from common.api_fields import BoundedDateField
from common.gcj02 import wgs84_to_gcj02
from common.maps import distance_text, navigation_links
from common.serializers import CachedModelSerializer, NavigationOut, labels_from
from stations import amenities, hours
from stations.display import NAVIGATION_SOURCE, far_text, state_labels
from stations.media import media_url, video_json
from stations.models import Closure, PlaylistItem, SafetyVideo, Slogan, Station
from stations.selectors import (
    FAR_NO_STATION,
    FAR_NONE_OPEN,
    FarFromStations,
    NearbyStation,
    StationDetail,
    today_shanghai,
)
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

    # The fields document the shape; station_card() builds it.

    slug = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    wgs84 = CoordinatesOut(read_only=True)
    gcj02 = CoordinatesOut(read_only=True)
    distance_m = serializers.IntegerField(read_only=True, allow_null=True, help_text="null without a position to measure from")
    distance_text = serializers.CharField(read_only=True)
    open_state = serializers.ChoiceField(choices=[hours.OPEN, hours.CLOSED, hours.UNKNOWN])
    state_label = serializers.CharField(read_only=True)
    next_change = serializers.DateTimeField(allow_null=True)
    hours_text = serializers.CharField()
    opens_text = serializers.CharField(help_text="when closed: “08:00 开门”; else empty")
    closed_reason = serializers.CharField(read_only=True)
    amenities = AmenityOut(many=True, read_only=True)
    opening_hours = serializers.CharField()
    url = serializers.CharField(read_only=True)
    navigation = NavigationOut(read_only=True)

    def to_representation(self, item: NearbyStation) -> dict[str, Any]:
        return station_card(item)


_DATETIME = serializers.DateTimeField()
# Stations whose fixed part of the card is kept, per language: every station of a
# city, with room to spare. An entry is about 3 kB, so the cache stays under 13 MB.
CARD_CACHE_SIZE = 4096


def station_cards(items: list[NearbyStation]) -> list[dict[str, Any]]:
    """The cards of StationListOut, for a list at once.

    Only the distance and the open state are worked out per request, and each
    open state once (stations share a handful of schedules). The rest depends on
    the station's own columns and the language alone, and those are the key of
    the cache, so an edited station can never show its old card.
    """
    language = get_language()
    labels = state_labels()
    words_of_state: dict[hours.OpenState, dict[str, Any]] = {}
    cards = []
    for item in items:
        station, state = item.station, item.open_state
        fixed = _card_fixed_part(
            language, station.slug, station.name, station.address, station.phone, station.lat, station.lng,
            tuple(station.amenities), station.opening_hours,
        )
        words = words_of_state.get(state)
        if words is None:
            words = words_of_state[state] = {
                "open_state": state.state,
                "state_label": labels[state.state],
                "next_change": None if state.next_change is None else _DATETIME.to_representation(state.next_change),
                "hours_text": state.text,
                "opens_text": state.opens_text,
                "closed_reason": state.reason if state.state == hours.CLOSED else "",
            }
        cards.append(
            {
                "slug": fixed["slug"],
                "name": fixed["name"],
                "address": fixed["address"],
                "phone": fixed["phone"],
                "wgs84": fixed["wgs84"],
                "gcj02": fixed["gcj02"],
                "distance_m": None if item.distance_m is None else round(item.distance_m),
                "distance_text": distance_text(item.distance_m),
                **words,
                "amenities": fixed["amenities"],
                "opening_hours": fixed["opening_hours"],
                "url": fixed["url"],
                "navigation": fixed["navigation"],
            }
        )
    return cards


def station_card(item: NearbyStation) -> dict[str, Any]:
    return station_cards([item])[0]


@lru_cache(maxsize=CARD_CACHE_SIZE)
def _card_fixed_part(
    language: str, slug: str, name: str, address: str, phone: str, lat: float, lng: float,
    amenity_codes: tuple[str, ...], opening_hours: str,
) -> dict[str, Any]:
    """What a card shows that neither the time nor the distance changes. Shared by
    every answer that shows the station, so nobody may change what it returns."""
    gcj_lat, gcj_lng = wgs84_to_gcj02(lat, lng)
    return {
        "slug": slug,
        "name": name,
        "address": address,
        "phone": phone,
        "wgs84": {"lat": lat, "lng": lng},
        "gcj02": {"lat": round(gcj_lat, 7), "lng": round(gcj_lng, 7)},
        "amenities": amenities.describe(amenity_codes),
        "opening_hours": opening_hours,
        "url": station_url(slug),
        "navigation": navigation_links(lat=lat, lng=lng, name=name, detail=address, source=NAVIGATION_SOURCE),
    }


class PhotoOut(serializers.Serializer):
    url = serializers.CharField()
    caption = serializers.CharField()


class StationDetailOut(StationListOut):
    """A StationDetail: selectors.stations_detailed read the week, closures and photos."""

    description = serializers.CharField()
    published = serializers.BooleanField()
    follows_national_calendar = serializers.BooleanField()
    closed_now = serializers.BooleanField()
    photos = PhotoOut(many=True, read_only=True)
    week = DayHoursOut(many=True, read_only=True)
    closures = ClosureOut(many=True, read_only=True)
    updated_at = serializers.DateTimeField()

    def to_representation(self, item: StationDetail) -> dict[str, Any]:
        station = item.station
        return {
            **station_card(item),
            "description": station.description,
            "published": station.published,
            "follows_national_calendar": station.follows_national_calendar,
            "closed_now": station.closed_now,
            "photos": [{"url": media_url(photo.image), "caption": photo.caption} for photo in item.photos],
            "week": [day.as_json() for day in item.week],
            "closures": ClosureOut(item.closures, many=True).data,
            "updated_at": _DATETIME.to_representation(station.updated_at),
        }


class FarOut(serializers.Serializer):
    """A FarFromStations: the finder's hint that no open station is near. The page renders it
    and finder.js shows its text."""

    kind = serializers.ChoiceField(choices=[FAR_NO_STATION, FAR_NONE_OPEN])
    radius_km = serializers.IntegerField(help_text="settings.STATION_FINDER_FAR_KM")
    distance_m = serializers.IntegerField(
        allow_null=True, help_text="no_station: the nearest station; none_open: the nearest open one, null if not listed"
    )
    text = serializers.CharField(help_text="“附近 10 公里内没有爱心驿站，最近的一个在 32 公里外。”")

    def to_representation(self, far: FarFromStations) -> dict[str, Any]:
        return far_json(far)


def far_json(far: FarFromStations | None) -> dict[str, Any] | None:
    if far is None:
        return None
    return {
        "kind": far.kind,
        "radius_km": far.radius_km,
        "distance_m": None if far.distance_m is None else round(far.distance_m),
        "text": far_text(far),
    }


class StationListPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    far = FarOut(allow_null=True, help_text="null unless lat/lng were given and no open station is within radius_km")
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

@labels_from(Station)
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


@labels_from(Closure)
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
            raise serializers.ValidationError({"end_date": gettext_lazy("The last day must not be before the first day.")})
        return attrs


@labels_from(Closure)
class ClosurePatchIn(ClosureIn):
    start_date = BoundedDateField(required=False)
    end_date = BoundedDateField(required=False)
    reason = serializers.CharField(max_length=120, required=False)
    opening_hours = serializers.CharField(
        required=False, allow_blank=True, max_length=255, validators=[validate_opening_hours]
    )


@labels_from(PlaylistItem, video_id=PlaylistItem._meta.get_field("video").verbose_name)
class PlaylistAddIn(serializers.Serializer):
    video_id = serializers.IntegerField()
    start_date = BoundedDateField(required=False, allow_null=True, default=None)
    end_date = BoundedDateField(required=False, allow_null=True, default=None)


@labels_from(PlaylistItem)
class PlaylistItemPatchIn(serializers.Serializer):
    start_date = BoundedDateField(required=False, allow_null=True)
    end_date = BoundedDateField(required=False, allow_null=True)


@labels_from(PlaylistItem, item_ids=gettext_lazy("Order"))
class PlaylistOrderIn(serializers.Serializer):
    item_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


@labels_from(Slogan)
class SloganIn(serializers.Serializer):
    text = serializers.CharField(max_length=120)
    active = serializers.BooleanField(required=False, default=True)


@labels_from(Slogan)
class SloganPatchIn(serializers.Serializer):
    text = serializers.CharField(max_length=120, required=False)
    active = serializers.BooleanField(required=False)


@labels_from(Slogan, slogan_ids=gettext_lazy("Order"))
class SloganOrderIn(serializers.Serializer):
    slogan_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


@labels_from(SafetyVideo)
class SafetyVideoIn(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    file = serializers.FileField(validators=[validate_video_file])
    poster = serializers.FileField(required=False, allow_null=True, validators=[validate_image_file])
    duration_seconds = serializers.IntegerField(required=False, min_value=0, default=0)

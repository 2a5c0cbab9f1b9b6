"""REST views of the care stations: thin, they parse, call a selector or a service, and shape JSON."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import InvalidInput
from common.roles import ADMIN, STATION_MANAGER, user_has_role
from common.tokens import ExpiringTokenAuthentication
from stations import amenities, hours, selectors, services
from stations.models import Station
from stations.serializers import (
    ClosureIn,
    ClosureOut,
    ClosurePatchIn,
    GeoJsonOut,
    PlaylistAddIn,
    PlaylistItemOut,
    PlaylistItemPatchIn,
    PlaylistOrderIn,
    SafetyVideoIn,
    ScreenPayloadOut,
    SloganIn,
    SloganOrderIn,
    SloganOut,
    SloganPatchIn,
    StationDetailOut,
    StationListPageOut,
    StationPatchIn,
    VideoOut,
    far_json,
    station_cards,
)

MAX_LIMIT = 100
DEFAULT_LIMIT = 20
T = TypeVar("T")


# --- permissions ------------------------------------------------------------

# Token first: its WWW-Authenticate header makes an anonymous write a 401.
MANAGER_AUTH = [ExpiringTokenAuthentication, SessionAuthentication]


class IsStationManagerOrAdmin(BasePermission):
    message = gettext_lazy("Only station managers and admins may do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, STATION_MANAGER) or user_has_role(request.user, ADMIN)


class ReadAnyoneWriteManagers(IsStationManagerOrAdmin):
    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().has_permission(request, view)


def managed_station(request: Request, slug: str) -> Station:
    """The station if this user manages it (admins: any); 404 otherwise, also for existing ones."""
    try:
        return selectors.station_get_for_manager(user=request.user, slug=slug)
    except Station.DoesNotExist as exc:
        raise NotFound(_("No such station among yours.")) from exc


def found(call: Callable[[], T]) -> T:
    """Run a service; an id that is not the station's becomes a 404."""
    try:
        return call()
    except ObjectDoesNotExist as exc:
        raise NotFound() from exc


# --- query parameters -------------------------------------------------------

def _float_param(query: QueryDict, name: str) -> float | None:
    raw = query.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise InvalidInput(_("%(name)s must be a number, got “%(raw)s”.") % {"name": name, "raw": raw}) from exc
    if math.isnan(value) or math.isinf(value):
        raise InvalidInput(_("%(name)s must be a finite number.") % {"name": name})
    return value


def _bool_param(query: QueryDict, name: str) -> bool:
    if query.get(name) is None:
        return False
    raw = query[name].strip().lower()
    if raw in ("0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise InvalidInput(_("%(name)s must be true or false, got “%(raw)s”.") % {"name": name, "raw": raw})


def _amenity_params(query: QueryDict) -> list[str]:
    codes = [code.strip() for raw in query.getlist("amenity") for code in raw.split(",") if code.strip()]
    unknown = [code for code in codes if code not in amenities.BY_CODE]
    if unknown:
        raise InvalidInput(
            _("Unknown amenity “%(code)s”; choose from: %(codes)s.")
            % {"code": unknown[0], "codes": ", ".join(amenities.BY_CODE)},
            code="invalid_amenity",
        )
    return codes


def search_params(query: QueryDict) -> dict[str, Any]:
    lat, lng = _float_param(query, "lat"), _float_param(query, "lng")
    if (lat is None) != (lng is None):
        raise InvalidInput(_("Give both lat and lng, or neither."))
    if lat is not None and not (-90 <= lat <= 90):
        raise InvalidInput(_("lat must be between -90 and 90."))
    if lng is not None and not (-180 <= lng <= 180):
        raise InvalidInput(_("lng must be between -180 and 180."))
    raw_limit = query.get("limit")
    limit = DEFAULT_LIMIT
    # An empty ?limit= is a mistake, not a request for the default.
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError as exc:
            raise InvalidInput(_("limit must be a whole number, got “%(raw)s”.") % {"raw": raw_limit}) from exc
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(_("limit must be between 1 and %(max)s.") % {"max": MAX_LIMIT})
    return {
        "lat": lat,
        "lng": lng,
        "limit": limit,
        "open_now": _bool_param(query, "open_now"),
        "open_first": _bool_param(query, "open_first"),
        "amenities": _amenity_params(query),
    }


SEARCH_PARAMETERS = [
    OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="WGS-84 latitude (with lng)"),
    OpenApiParameter("lng", OpenApiTypes.DOUBLE, description="WGS-84 longitude (with lat)"),
    OpenApiParameter("open_now", OpenApiTypes.BOOL, description="only stations open now"),
    OpenApiParameter("amenity", OpenApiTypes.STR, many=True, description="amenity codes, all required"),
    OpenApiParameter(
        "limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, description=f"1–{MAX_LIMIT}, default {DEFAULT_LIMIT}"
    ),
    OpenApiParameter("open_first", OpenApiTypes.BOOL, description="open stations before unsure and closed ones (the finder's order)"),
]


# --- public -----------------------------------------------------------------

class StationListApi(APIView):
    """Published stations, nearest first when a position is given."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=StationListPageOut, operation_id="stations_list")
    def get(self, request: Request) -> Response:
        params = search_params(request.query_params)
        now = timezone.now()
        far = None
        if params["lat"] is not None:
            found_stations = selectors.stations_nearest(
                lat=params["lat"], lng=params["lng"], limit=params["limit"],
                open_now=params["open_now"], amenities=params["amenities"], at=now,
            )
            far = selectors.stations_far(
                lat=params["lat"], lng=params["lng"], nearby=found_stations,
                open_now=params["open_now"], amenities=params["amenities"], at=now,
            )
        else:
            found_stations = selectors.stations_listed(
                limit=params["limit"], open_now=params["open_now"], amenities=params["amenities"], at=now
            )
        if params["open_first"]:
            found_stations = selectors.open_first(found_stations)
        return Response(
            {
                "count": len(found_stations),
                "generated_at": hours.aware(hours.to_shanghai(now)).replace(microsecond=0).isoformat(),
                "far": far_json(far),
                "results": station_cards(found_stations),
            }
        )


class StationDetailApi(APIView):
    authentication_classes = MANAGER_AUTH
    permission_classes = [ReadAnyoneWriteManagers]

    @extend_schema(responses=StationDetailOut, operation_id="stations_retrieve")
    def get(self, request: Request, slug: str) -> Response:
        try:
            station = selectors.station_get_visible(user=request.user, slug=slug)
        except Station.DoesNotExist as exc:
            raise NotFound() from exc
        return Response(StationDetailOut(selectors.station_detailed(station=station)).data)

    @extend_schema(request=StationPatchIn, responses=StationDetailOut, operation_id="stations_partial_update")
    def patch(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        body = StationPatchIn(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        if "published" in changes and not user_has_role(request.user, ADMIN):
            raise PermissionDenied(_("Only admins may publish or unpublish a station."))
        station = services.station_update(station_id=station.pk, **changes)
        return Response(StationDetailOut(selectors.station_detailed(station=station)).data)


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class StationGeoJsonApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        parameters=SEARCH_PARAMETERS[2:4],
        # ?format=json gives the same document as application/json.
        responses={(200, "application/geo+json"): GeoJsonOut, (200, "application/json"): GeoJsonOut},
        operation_id="stations_geojson",
    )
    def get(self, request: Request) -> Response:
        params = search_params(request.query_params)
        listed = selectors.stations_for_map(open_now=params["open_now"], amenities=params["amenities"])
        features = []
        for item in station_cards(listed):
            properties = {key: value for key, value in item.items() if key not in ("wgs84", "distance_m")}
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [item["wgs84"]["lng"], item["wgs84"]["lat"]]},
                    "properties": properties,
                }
            )
        return Response({"type": "FeatureCollection", "features": features})


class StationScreenApi(APIView):
    """The kiosk's polling fallback; screens have no login."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=ScreenPayloadOut, operation_id="stations_screen")
    def get(self, request: Request, slug: str) -> Response:
        try:
            station = Station.objects.get(slug=slug)
        except Station.DoesNotExist as exc:
            raise NotFound() from exc
        response = Response(selectors.screen_payload(station=station))
        response["Cache-Control"] = "no-store"
        return response


# --- managers ---------------------------------------------------------------

class ManagerApi(APIView):
    authentication_classes = MANAGER_AUTH
    permission_classes = [IsStationManagerOrAdmin]


class ManagedStationListApi(ManagerApi):
    @extend_schema(responses=StationDetailOut(many=True), operation_id="stations_managed")
    def get(self, request: Request) -> Response:
        stations = selectors.stations_detailed(stations=selectors.stations_managed_by(user=request.user).order_by("name", "id"))
        return Response(StationDetailOut(stations, many=True).data)


class ClosureListCreateApi(ManagerApi):
    @extend_schema(responses=ClosureOut(many=True), operation_id="stations_closures_list")
    def get(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        return Response(ClosureOut(station.closures.order_by("start_date", "id"), many=True).data)

    @extend_schema(request=ClosureIn, responses={201: ClosureOut}, operation_id="stations_closures_create")
    def post(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        body = ClosureIn(data=request.data)
        body.is_valid(raise_exception=True)
        closure = services.closure_create(station_id=station.pk, **body.validated_data)
        return Response(ClosureOut(closure).data, status=status.HTTP_201_CREATED)


class ClosureDetailApi(ManagerApi):
    @extend_schema(request=ClosurePatchIn, responses=ClosureOut, operation_id="stations_closures_update")
    def patch(self, request: Request, slug: str, closure_id: int) -> Response:
        station = managed_station(request, slug)
        body = ClosurePatchIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        closure = found(lambda: services.closure_update(station_id=station.pk, closure_id=closure_id, **body.validated_data))
        return Response(ClosureOut(closure).data)

    @extend_schema(responses={204: None}, operation_id="stations_closures_delete")
    def delete(self, request: Request, slug: str, closure_id: int) -> Response:
        station = managed_station(request, slug)
        found(lambda: services.closure_delete(station_id=station.pk, closure_id=closure_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaylistItemListCreateApi(ManagerApi):
    @extend_schema(responses=PlaylistItemOut(many=True), operation_id="stations_playlist_list")
    def get(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        items = station.playlist_items.select_related("video").order_by("position", "id")
        return Response(PlaylistItemOut(items, many=True).data)

    @extend_schema(request=PlaylistAddIn, responses={201: PlaylistItemOut}, operation_id="stations_playlist_add")
    def post(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        body = PlaylistAddIn(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.playlist_item_add(station_id=station.pk, **body.validated_data)
        return Response(PlaylistItemOut(item).data, status=status.HTTP_201_CREATED)


class PlaylistOrderApi(ManagerApi):
    @extend_schema(request=PlaylistOrderIn, responses=PlaylistItemOut(many=True), operation_id="stations_playlist_order")
    def put(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        body = PlaylistOrderIn(data=request.data)
        body.is_valid(raise_exception=True)
        items = services.playlist_reorder(station_id=station.pk, item_ids=body.validated_data["item_ids"])
        return Response(PlaylistItemOut(items, many=True).data)


class PlaylistItemDetailApi(ManagerApi):
    @extend_schema(request=PlaylistItemPatchIn, responses=PlaylistItemOut, operation_id="stations_playlist_item_update")
    def patch(self, request: Request, slug: str, item_id: int) -> Response:
        station = managed_station(request, slug)
        body = PlaylistItemPatchIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        item = found(lambda: services.playlist_item_update(station_id=station.pk, item_id=item_id, **body.validated_data))
        return Response(PlaylistItemOut(item).data)

    @extend_schema(responses={204: None}, operation_id="stations_playlist_item_delete")
    def delete(self, request: Request, slug: str, item_id: int) -> Response:
        station = managed_station(request, slug)
        found(lambda: services.playlist_item_remove(station_id=station.pk, item_id=item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SloganListCreateApi(ManagerApi):
    @extend_schema(responses=SloganOut(many=True), operation_id="stations_slogans_list")
    def get(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        return Response(SloganOut(station.slogans.order_by("position", "id"), many=True).data)

    @extend_schema(request=SloganIn, responses={201: SloganOut}, operation_id="stations_slogans_create")
    def post(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        body = SloganIn(data=request.data)
        body.is_valid(raise_exception=True)
        slogan = services.slogan_create(station_id=station.pk, **body.validated_data)
        return Response(SloganOut(slogan).data, status=status.HTTP_201_CREATED)


class SloganOrderApi(ManagerApi):
    @extend_schema(request=SloganOrderIn, responses=SloganOut(many=True), operation_id="stations_slogans_order")
    def put(self, request: Request, slug: str) -> Response:
        station = managed_station(request, slug)
        body = SloganOrderIn(data=request.data)
        body.is_valid(raise_exception=True)
        slogans = services.slogans_reorder(station_id=station.pk, slogan_ids=body.validated_data["slogan_ids"])
        return Response(SloganOut(slogans, many=True).data)


class SloganDetailApi(ManagerApi):
    @extend_schema(request=SloganPatchIn, responses=SloganOut, operation_id="stations_slogans_update")
    def patch(self, request: Request, slug: str, slogan_id: int) -> Response:
        station = managed_station(request, slug)
        body = SloganPatchIn(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        slogan = found(lambda: services.slogan_update(station_id=station.pk, slogan_id=slogan_id, **body.validated_data))
        return Response(SloganOut(slogan).data)

    @extend_schema(responses={204: None}, operation_id="stations_slogans_delete")
    def delete(self, request: Request, slug: str, slogan_id: int) -> Response:
        station = managed_station(request, slug)
        found(lambda: services.slogan_delete(station_id=station.pk, slogan_id=slogan_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SafetyVideoListCreateApi(ManagerApi):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=VideoOut(many=True), operation_id="safety_videos_list")
    def get(self, request: Request) -> Response:
        from stations.models import SafetyVideo

        return Response(VideoOut(SafetyVideo.objects.order_by("title", "id"), many=True).data)

    @extend_schema(request={"multipart/form-data": SafetyVideoIn}, responses={201: VideoOut}, operation_id="safety_videos_create")
    def post(self, request: Request) -> Response:
        if not user_has_role(request.user, ADMIN):
            raise PermissionDenied(_("Only admins may add videos to the shared library."))
        body = SafetyVideoIn(data=request.data)
        body.is_valid(raise_exception=True)
        video = services.safety_video_create(**body.validated_data)
        return Response(VideoOut(video).data, status=status.HTTP_201_CREATED)

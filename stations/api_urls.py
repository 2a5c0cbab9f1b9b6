"""REST routes of the care stations, mounted under /api/v1/ (see docs/api-stations.md)."""
from __future__ import annotations

from django.urls import path

from stations import api

urlpatterns = [
    path("stations/", api.StationListApi.as_view(), name="api-stations"),
    path("stations.geojson", api.StationGeoJsonApi.as_view(), name="api-stations-geojson"),
    path("manage/stations/", api.ManagedStationListApi.as_view(), name="api-stations-managed"),
    path("safety-videos/", api.SafetyVideoListCreateApi.as_view(), name="api-safety-videos"),
    path("stations/<slug:slug>/", api.StationDetailApi.as_view(), name="api-station"),
    path("stations/<slug:slug>/screen/", api.StationScreenApi.as_view(), name="api-station-screen"),
    path("stations/<slug:slug>/closures/", api.ClosureListCreateApi.as_view(), name="api-station-closures"),
    path("stations/<slug:slug>/closures/<int:closure_id>/", api.ClosureDetailApi.as_view(), name="api-station-closure"),
    path("stations/<slug:slug>/playlist/", api.PlaylistItemListCreateApi.as_view(), name="api-station-playlist"),
    path("stations/<slug:slug>/playlist/order/", api.PlaylistOrderApi.as_view(), name="api-station-playlist-order"),
    path("stations/<slug:slug>/playlist/<int:item_id>/", api.PlaylistItemDetailApi.as_view(), name="api-station-playlist-item"),
    path("stations/<slug:slug>/slogans/", api.SloganListCreateApi.as_view(), name="api-station-slogans"),
    path("stations/<slug:slug>/slogans/order/", api.SloganOrderApi.as_view(), name="api-station-slogans-order"),
    path("stations/<slug:slug>/slogans/<int:slogan_id>/", api.SloganDetailApi.as_view(), name="api-station-slogan"),
]

"""Road work REST routes, mounted under /api/v1/ (Open311 is in fieldapp.roadwork_urls)."""
from __future__ import annotations

from django.urls import path

from fieldapp import roadwork_api as api

urlpatterns = [
    path("roadwork/points/", api.PointListApi.as_view(), name="api-roadwork-points"),
    path("roadwork/points/<int:point_id>/", api.PointDetailApi.as_view(), name="api-roadwork-point"),
    path("roadwork/hazards/", api.HazardListApi.as_view(), name="api-roadwork-hazards"),
    path("roadwork/hazards/<int:hazard_id>/", api.HazardDetailApi.as_view(), name="api-roadwork-hazard"),
    path("roadwork/hazards/<int:hazard_id>/move/", api.HazardMoveApi.as_view(), name="api-roadwork-hazard-move"),
    path("roadwork/outreach/", api.OutreachListApi.as_view(), name="api-roadwork-outreach"),
    path("me/posts/", api.MyPostsApi.as_view(), name="api-me-posts"),
    path("me/posts/<int:point_id>/traffic/", api.PostTrafficApi.as_view(), name="api-me-post-traffic"),
]

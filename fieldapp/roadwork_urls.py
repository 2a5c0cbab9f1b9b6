"""Road work pages (desk under /dispatch/roadwork/, phone under /field/roadwork/) and Open311 (/open311/v2/)."""
from __future__ import annotations

from django.urls import path

from fieldapp import roadwork_api as api
from fieldapp import roadwork_views as views

urlpatterns = [
    path("dispatch/roadwork/", views.desk, name="roadwork-desk"),
    path("dispatch/roadwork/points/new/", views.point_edit, name="roadwork-point-new"),
    path("dispatch/roadwork/points/<int:point_id>/", views.point_edit, name="roadwork-point"),
    path("dispatch/roadwork/hazards/", views.hazards, name="roadwork-hazards"),
    path("dispatch/roadwork/hazards/<int:hazard_id>/", views.hazard_detail, name="roadwork-hazard"),
    path("dispatch/roadwork/hazards/<int:hazard_id>/notice/", views.hazard_notice, name="roadwork-hazard-notice"),
    path("dispatch/roadwork/outreach/", views.outreach, name="roadwork-outreach"),
    path("field/roadwork/posts/", views.my_posts, name="roadwork-my-posts"),
    path("field/roadwork/hazards/new/", views.hazard_new, name="roadwork-hazard-new"),
    path("field/roadwork/outreach/new/", views.outreach_new, name="roadwork-outreach-new"),
    path("open311/v2/services.json", api.Open311ServicesApi.as_view(), name="open311-services"),
    path("open311/v2/requests.json", api.Open311RequestsApi.as_view(), name="open311-requests"),
    path("open311/v2/requests/<str:number>.json", api.Open311RequestApi.as_view(), name="open311-request"),
]

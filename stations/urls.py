"""Pages of the care stations, mounted under /stations/."""
from __future__ import annotations

from django.urls import path

from stations.views import manage, public, screen

app_name = "stations"
urlpatterns = [
    path("", public.finder, name="finder"),
    path("manage/", manage.manage_home, name="manage"),
    path("manage/<slug:slug>/", manage.manage_station, name="manage-station"),
    path("<slug:slug>/", public.station_detail, name="detail"),
    path("<slug:slug>/screen/", screen.station_screen, name="screen"),
]

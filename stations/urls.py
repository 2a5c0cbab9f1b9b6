"""Pages of the care stations, mounted under /stations/."""
from __future__ import annotations

from django.urls import path

from stations import views

app_name = "stations"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("manage/", views.manage_home, name="manage"),
    path("manage/<slug:slug>/", views.manage_station, name="manage-station"),
    path("<slug:slug>/", views.station_detail, name="detail"),
    path("<slug:slug>/screen/", views.station_screen, name="screen"),
]

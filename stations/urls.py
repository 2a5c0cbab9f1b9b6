"""Pages of the care stations, mounted under /stations/."""
from __future__ import annotations

from django.urls import path

from stations import views

app_name = "stations"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("manage/", views.manage_home, name="manage"),
]

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fieldapp.roles import STATION_MANAGER, role_required


def finder(request: HttpRequest) -> HttpResponse:
    return render(request, "stations/finder.html")


@role_required(STATION_MANAGER)
def manage_home(request: HttpRequest) -> HttpResponse:
    return render(request, "stations/manage.html")

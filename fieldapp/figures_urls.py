"""The figures pages, mounted under /dispatch/figures/."""
from __future__ import annotations

from django.urls import path

from fieldapp import figures_views

urlpatterns = [
    path("", figures_views.figures_page, name="figures"),
    path("jobs/", figures_views.figures_jobs, name="figures-jobs"),
    path("export/<slug:table>.csv", figures_views.figures_export, name="figures-export"),
]

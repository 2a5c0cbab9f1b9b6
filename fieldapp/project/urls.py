from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as serve_media
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from fieldapp import auth_api, views
from fieldapp.project import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", pages.LoginView.as_view(), name="login"),
    path("logout/", pages.LogoutView.as_view(), name="logout"),
    path("home/", pages.role_home, name="role-home"),
    path("field/", views.field_home, name="field-home"),
    path("dispatch/", views.dispatch_home, name="dispatch-home"),
    path("dispatch/figures/", include("fieldapp.figures_urls")),
    path("", include("fieldapp.roadwork_urls")),
    path("stations/", include("stations.urls")),
    path("healthz", pages.healthz, name="healthz"),
    path("manifest.webmanifest", pages.manifest, name="manifest"),
    path("sw.js", pages.service_worker, name="service-worker"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", auth_api.AuthTokenApi.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", auth_api.AuthTokenRevokeApi.as_view(), name="api-token-revoke"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("fieldapp.api_urls")),
    path("api/v1/", include("fieldapp.roadwork_api_urls")),
    path("api/v1/", include("stations.api_urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded photos and safety videos. A proxy in front may serve
    # MEDIA_ROOT itself and set SERVE_MEDIA=false.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve_media, {"document_root": settings.MEDIA_ROOT})
    )

# Under /api/ these answer in the API's JSON envelope, elsewhere with the HTML pages.
handler404 = "common.api_pages.page_not_found"
handler500 = "common.api_pages.server_error"

"""Public pages, the PWA shell, the API docs and the language switch."""
from __future__ import annotations

import json
import re

import pytest


def test_home_greets_citizens_in_chinese_and_links_finder_and_login(client, db):
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans" data-time-zone="Asia/Shanghai">' in body
    assert "爱心驿站" in body
    assert 'href="/stations/"' in body
    assert 'href="/login/"' in body


def test_browser_language_does_not_override_chinese_default(client, db):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans" data-time-zone="Asia/Shanghai">' in body


def test_language_switch_turns_the_ui_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en" data-time-zone="Asia/Shanghai">' in body
    assert "Find the nearest care station" in body
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
    assert '<html lang="zh-hans" data-time-zone="Asia/Shanghai">' in response.content.decode()


def test_pages_load_nothing_from_other_hosts(client, db):
    for url in ("/", "/login/", "/api/docs/"):
        body = client.get(url).content.decode()
        for attribute in ('src="http', "src='http", 'href="http', "href='http", 'src="//', 'href="//'):
            assert attribute not in body, (url, attribute)


def test_manifest_names_the_app_and_its_icons(client, db):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_caches_the_shell_and_is_never_stale(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "/static/fieldapp/css/base.css" in body
    assert "caches.open" in body


def test_swagger_ui_is_self_hosted(client, db):
    body = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]


@pytest.mark.parametrize("url", ["/", "/login/"])
def test_pages_stay_small(client, db, url):
    # A page's own HTML on a weak network: keep the shell lean.
    assert len(client.get(url).content) < 20_000


def test_the_brand_mark_is_drawn_in_the_page_and_is_the_icon(client, db):
    # The favicon fetches icon.svg; the top bar draws the same mark inline instead of fetching it again.
    from pathlib import Path

    from django.conf import settings

    html = client.get("/").content.decode()
    assert html.count("fieldapp/icons/icon.svg") == 1
    icon = (Path(settings.BASE_DIR) / "static/fieldapp/icons/icon.svg").read_text().strip()
    drawing = icon[icon.index(">") + 1 : icon.rindex("</svg>")]
    assert drawing in html


def _page_config(response) -> dict:
    match = re.search(rb'<script id="page-config" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the page has no config"
    return json.loads(match.group(1))


def test_field_and_desk_get_urls_rules_and_timers_from_the_server(client, officer, dispatcher, settings):
    from fieldapp.fixes import STALE_FIX_S
    from fieldapp.models import ACTIVE_STATUSES, RECEIVE_WITHIN_S, STATUS_RANK

    settings.FIELD_UI_TIMERS_MS = {"stepCoolDown": 10, "geolocationTimeout": 20, "figureThrottle": 30}
    client.force_login(officer.user)
    field = _page_config(client.get("/field/"))
    client.force_login(dispatcher)
    desk = _page_config(client.get("/dispatch/"))
    for config in (field, desk):
        assert config["timers"] == {"stepCoolDown": 10, "geolocationTimeout": 20, "figureThrottle": 30}
        assert (config["steps"]["active"], config["steps"]["rank"]) == (list(ACTIVE_STATUSES), STATUS_RANK)
        assert config["urls"]["advance"] == "/api/v1/assignments/{id}/advance/"
        assert config["urls"]["figures"] == "/api/v1/figures/"
        assert config["urls"]["fieldSocket"] == "/ws/field/"
    assert (desk["receiveWithinS"], desk["staleFixS"]) == (RECEIVE_WITHIN_S, STALE_FIX_S)

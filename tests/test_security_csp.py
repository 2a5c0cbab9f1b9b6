"""The Content-Security-Policy header and its tile server (issue 9, defect 10); the browser test is test_browser_csp.py."""
from __future__ import annotations

from common.csp import tile_origin


def test_every_page_carries_a_policy_of_its_own_origin(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "connect-src 'self' ws://testserver wss://testserver" in policy
    assert "worker-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_images_may_come_from_the_configured_tile_server(client, db, settings):
    settings.MAP_TILE_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}"

    policy = client.get("/stations/")["Content-Security-Policy"]

    assert "img-src 'self' data: blob: https://*.is.autonavi.com;" in policy
    assert "media-src 'self' blob:;" in policy


def test_a_tile_template_without_an_origin_adds_nothing():
    assert tile_origin("/tiles/{z}/{x}/{y}.png") == ""
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"

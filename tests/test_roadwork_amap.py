"""The AMap traffic-status client against a local server that serves recorded answers (never the internet)."""
from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from fieldapp import roadwork_amap as amap
from fieldapp import roadwork_services as services
from fieldapp.models import TrafficSample
from tests.notify_support import FakeProvider

RECORDED = Path(__file__).parent / "data" / "amap"


def recorded(name: str):
    body = (RECORDED / f"{name}.json").read_bytes()
    return lambda seen: (200, {"Content-Type": "application/json;charset=UTF-8"}, body)


@pytest.fixture
def points(db):
    return [
        services.point_create(name=f"路口{i}", lat=36.456 + i / 100, lng=115.985, radius_m=150, post_windows="Mo-Su 00:00-24:00")
        for i in range(3)
    ]


@pytest.fixture
def provider(request, settings):
    server = FakeProvider(answer=request.param).start()
    settings.AMAP_KEY = "test-key"
    settings.AMAP_BASE_URL = f"http://{server.host}"
    settings.AMAP_TIMEOUT_S = 0.3
    yield server
    server.stop()


@pytest.mark.parametrize("provider", [recorded("circle_ok")], indirect=True)
def test_success_stores_a_sample_per_point_from_amap(provider, points):
    result = amap.sample_points()
    assert (result.asked, result.stored, result.failures) == (3, 3, {})
    assert set(TrafficSample.objects.values_list("state", "source")) == {("slow", "amap")}
    seen = provider.requests[0]
    assert seen.path == "/v3/traffic/status/circle"
    assert seen.query["key"] == ["test-key"] and seen.query["radius"] == ["150"]
    # GCJ-02, not the stored WGS-84: the longitude is shifted east by several hundred metres.
    lng, lat = map(float, seen.query["location"][0].split(","))
    assert 115.985 < lng < 115.995 and 36.456 < lat < 36.46


@pytest.mark.parametrize("provider", [recorded("error")], indirect=True)
def test_an_error_code_skips_the_point_and_goes_on(provider, points):
    result = amap.sample_points()
    assert (result.asked, result.stored, result.failures, result.stopped) == (3, 0, {"error": 3}, "")
    assert not TrafficSample.objects.exists()


@pytest.mark.parametrize("provider", [recorded("invalid_key")], indirect=True)
def test_an_invalid_key_stops_the_round_after_one_ask(provider, points):
    result = amap.sample_points()
    assert (result.asked, result.stopped, result.failures) == (1, "invalid_key", {"invalid_key": 1})
    assert len(provider.requests) == 1


@pytest.mark.parametrize("provider", [recorded("quota")], indirect=True)
def test_a_spent_quota_stops_the_round(provider, points):
    assert amap.sample_points().stopped == "quota"


def slow(seen):
    time.sleep(1.0)
    return recorded("circle_ok")(seen)


@pytest.mark.parametrize("provider", [slow], indirect=True)
def test_a_time_out_is_counted_and_breaks_nothing(provider, points):
    result = amap.sample_points()
    assert result.failures == {"timeout": 3} and result.stored == 0


def test_without_a_key_nothing_is_asked(db, settings, points):
    settings.AMAP_KEY = ""
    assert amap.sample_points().stopped == "disabled"
    out = io.StringIO()
    call_command("sample_traffic", stdout=out)
    assert "AMAP_KEY is not set" in out.getvalue()


@pytest.mark.parametrize("provider", [recorded("circle_ok")], indirect=True)
def test_the_command_runs_one_round(provider, points):
    out = io.StringIO()
    call_command("sample_traffic", stdout=out)
    assert "stored 3" in out.getvalue()

"""AMap's traffic-status web API (交通态势, by circle) as a source of a point's traffic state.

Enabled when AMAP_KEY is set. `traffic_state()` asks for one point; `sample_points()`
asks for every active point inside a post window now and stores a TrafficSample
(source "amap") for each answer. A refused key or a spent quota stops the round
(asking again would only be refused again); an error or a time-out for one point
is counted and the round goes on. Nothing here ever raises into a caller's page.

Points are stored in WGS-84; AMap wants GCJ-02, so the centre is shifted first.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from django.conf import settings
from django.utils import timezone

from common.gcj02 import wgs84_to_gcj02
from fieldapp import roadwork as rw
from fieldapp import roadwork_selectors as selectors
from fieldapp import roadwork_services as services
from fieldapp.models import CongestionPoint, TrafficSample

log = logging.getLogger(__name__)

# AMap's evaluation.status: 0 unknown, 1 畅通, 2 缓行, 3 拥堵, 4 严重拥堵.
STATES = {"0": "unknown", "1": "smooth", "2": "slow", "3": "congested", "4": "blocked"}
INVALID_KEY_CODES = {"10001", "10002", "10005", "10006", "10007", "10008", "10009", "10010", "10011", "10012"}
QUOTA_CODES = {"10003", "10004", "10014", "10019", "10020", "10021", "10044", "10045"}
CIRCLE_PATH = "/v3/traffic/status/circle"


class AmapError(Exception):
    """kind: invalid_key | quota | error | timeout."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def key() -> str:
    return str(getattr(settings, "AMAP_KEY", "") or "")


def enabled() -> bool:
    return bool(key())


def traffic_state(*, lat: float, lng: float, radius_m: int, client: httpx.Client) -> str:
    """The state around a point (smooth, slow, congested, blocked, unknown); raises AmapError."""
    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    params = {
        "key": key(), "location": f"{g_lng:.6f},{g_lat:.6f}", "radius": str(min(max(radius_m, 100), 5000)),
        "extensions": "base", "output": "JSON",
    }
    try:
        response = client.get(settings_base_url() + CIRCLE_PATH, params=params)
    except httpx.TimeoutException as exc:
        raise AmapError("timeout", "AMap did not answer in time") from exc
    except httpx.HTTPError as exc:
        raise AmapError("error", f"AMap could not be reached: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise AmapError("error", f"AMap answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError as exc:
        raise AmapError("error", "AMap answered something that is not JSON") from exc
    if str(body.get("status")) != "1":
        code = str(body.get("infocode", ""))
        kind = "invalid_key" if code in INVALID_KEY_CODES else "quota" if code in QUOTA_CODES else "error"
        raise AmapError(kind, f"AMap refused: {code} {body.get('info', '')}".strip())
    evaluation = (body.get("trafficinfo") or {}).get("evaluation") or {}
    return STATES.get(str(evaluation.get("status", "0")), "unknown")


def settings_base_url() -> str:
    return str(getattr(settings, "AMAP_BASE_URL", "https://restapi.amap.com")).rstrip("/")


@dataclass
class Round:
    asked: int = 0
    stored: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    stopped: str = ""


def sample_points(*, now: datetime | None = None, transport: httpx.BaseTransport | None = None) -> Round:
    """Ask AMap for every active point inside one of its post windows now; store what it says."""
    result = Round()
    if not enabled():
        result.stopped = "disabled"
        return result
    now = now or timezone.now()
    today = now.astimezone(timezone.get_default_timezone()).date()
    calendar = selectors.calendar_for(today, today)
    points = [
        point for point in CongestionPoint.objects.filter(status=CongestionPoint.Status.ACTIVE)
        if rw.window_at(selectors.windows_of(point, calendar, today, 1), now) is not None
    ]
    timeout = float(getattr(settings, "AMAP_TIMEOUT_S", 5))
    with httpx.Client(timeout=timeout, transport=transport) as client:
        for point in points:
            result.asked += 1
            try:
                state = traffic_state(lat=point.lat, lng=point.lng, radius_m=point.radius_m, client=client)
            except AmapError as exc:
                result.failures[exc.kind] = result.failures.get(exc.kind, 0) + 1
                log.warning("AMap traffic for point %s: %s", point.pk, exc)
                if exc.kind in ("invalid_key", "quota"):
                    result.stopped = exc.kind
                    break
                continue
            services.traffic_report(point_id=point.pk, state=state, source=TrafficSample.Source.AMAP, at=now)
            result.stored += 1
    return result

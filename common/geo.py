"""Great-circle helpers shared by field operations and care stations (WGS-84)."""
from __future__ import annotations

import math
from typing import NamedTuple

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class BoundingBox(NamedTuple):
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


def bounding_box(lat: float, lng: float, radius_m: float) -> BoundingBox:
    """A lat/lng box that contains every point within radius_m of (lat, lng).

    Near the poles, or when the radius is large, the longitude span is the
    whole circle; the box never wraps across the antimeridian, it widens.
    """
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    min_lat, max_lat = max(-90.0, lat - d_lat), min(90.0, lat + d_lat)
    cos_lat = min(math.cos(math.radians(min_lat)), math.cos(math.radians(max_lat)))
    if cos_lat <= 1e-9 or radius_m / EARTH_RADIUS_M >= math.pi / 2:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    d_lng = math.degrees(math.asin(min(1.0, math.sin(radius_m / EARTH_RADIUS_M) / cos_lat)))
    min_lng, max_lng = lng - d_lng, lng + d_lng
    if min_lng < -180.0 or max_lng > 180.0:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    return BoundingBox(min_lat, max_lat, min_lng, max_lng)


def valid_lat_lng(lat: float, lng: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0 and not (math.isnan(lat) or math.isnan(lng))

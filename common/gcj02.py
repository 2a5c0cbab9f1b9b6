"""WGS-84 <-> GCJ-02 ("Mars coordinates"), the datum of AMap and other Chinese maps.

The forward transform is the widely published approximation of the official
obfuscation. It has no closed-form inverse, so gcj02_to_wgs84 solves
forward(w) = g by fixed-point iteration; the correction is a smooth function
with a tiny derivative, so every step gains several digits and the result
is exact to far better than 1e-9 degrees after a handful of steps.
Outside mainland China both systems coincide, as the maps themselves assume.
"""
from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the transform defines it
_EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(lat: float, lng: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _offset(lat: float, lng: float) -> tuple[float, float]:
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _offset(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float, *, tolerance: float = 1e-12, max_steps: int = 30) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lng), to within `tolerance` degrees."""
    if out_of_china(lat, lng):
        return lat, lng
    # Start from the usual one-step approximation, then correct by the residual.
    d_lat, d_lng = _offset(lat, lng)
    w_lat, w_lng = lat - d_lat, lng - d_lng
    for _step in range(max_steps):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        err_lat, err_lng = lat - g_lat, lng - g_lng
        w_lat += err_lat
        w_lng += err_lng
        if abs(err_lat) < tolerance and abs(err_lng) < tolerance:
            break
    return w_lat, w_lng

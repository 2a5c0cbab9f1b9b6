"""WGS-84 <-> GCJ-02: forward transform, exact inverse, and coordinates in admin and API."""
from __future__ import annotations

import random

import pytest

from common.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02
from stations.models import Station


def test_known_point_tiananmen():
    # WGS-84 of Tiananmen Square and its GCJ-02 position as AMap shows it.
    lat, lng = wgs84_to_gcj02(39.9087, 116.3975)

    assert lat == pytest.approx(39.91010, abs=2e-5)
    assert lng == pytest.approx(116.40374, abs=2e-5)


def test_offset_is_hundreds_of_metres_in_liaocheng():
    from common.geo import haversine_m

    lat, lng = wgs84_to_gcj02(36.45, 115.98)

    assert 300 < haversine_m(36.45, 115.98, lat, lng) < 700


def test_round_trip_wgs_gcj_wgs_within_a_millionth_of_a_degree():
    rng = random.Random(42)
    for _ in range(5000):
        lat, lng = rng.uniform(18.2, 53.5), rng.uniform(73.7, 134.7)

        back_lat, back_lng = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng))

        assert abs(back_lat - lat) < 1e-6 and abs(back_lng - lng) < 1e-6


def test_round_trip_gcj_wgs_gcj_within_a_millionth_of_a_degree():
    rng = random.Random(43)
    for _ in range(5000):
        lat, lng = rng.uniform(18.2, 53.5), rng.uniform(73.7, 134.7)

        again = wgs84_to_gcj02(*gcj02_to_wgs84(lat, lng))

        assert abs(again[0] - lat) < 1e-6 and abs(again[1] - lng) < 1e-6


def test_inverse_is_far_better_than_the_one_step_approximation():
    lat, lng = 36.45, 115.98
    gcj = wgs84_to_gcj02(lat, lng)

    exact = gcj02_to_wgs84(*gcj)

    assert abs(exact[0] - lat) < 1e-9 and abs(exact[1] - lng) < 1e-9


def test_outside_china_nothing_changes():
    assert out_of_china(48.85, 2.35)
    assert wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)
    assert gcj02_to_wgs84(48.85, 2.35) == (48.85, 2.35)


@pytest.mark.django_db
def test_admin_accepts_gcj02_and_stores_wgs84(client, admin):
    client.force_login(admin)
    gcj_lat, gcj_lng = wgs84_to_gcj02(36.456, 115.974)

    r = client.post(
        "/admin/stations/station/add/",
        {
            "name": "市医院中队", "slug": "shiyiyuan", "published": "on", "coordinate_system": "gcj02",
            "lat": f"{gcj_lat:.9f}", "lng": f"{gcj_lng:.9f}", "opening_hours": "24/7", "follows_national_calendar": "on",
            "amenities": ["wifi"], **_empty_inlines(),
        },
    )

    assert r.status_code == 302, _errors(r)
    station = Station.objects.get(slug="shiyiyuan")
    assert station.lat == pytest.approx(36.456, abs=1e-7)
    assert station.lng == pytest.approx(115.974, abs=1e-7)
    assert station.amenities == ["wifi"]


@pytest.mark.django_db
def test_admin_wgs84_input_is_stored_as_is(client, admin):
    client.force_login(admin)

    r = client.post(
        "/admin/stations/station/add/",
        {"name": "灯塔", "slug": "dengta", "coordinate_system": "wgs84", "lat": "36.47", "lng": "115.99",
         "opening_hours": "24/7", **_empty_inlines()},
    )

    assert r.status_code == 302
    station = Station.objects.get(slug="dengta")
    assert (station.lat, station.lng) == (36.47, 115.99)


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ("closures", "playlist_items", "slogans", "photos"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    return data


def _errors(response) -> str:  # type: ignore[no-untyped-def]
    context = response.context or {}
    form = context.get("adminform")
    inline_errors = [formset.formset.errors for formset in context.get("inline_admin_formsets", [])]
    return f"{form.form.errors if form else ''} {inline_errors}"

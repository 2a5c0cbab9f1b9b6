"""Import and export of stations: CSV and GeoJSON, bad rows reported by line, the rest kept."""
from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from common.gcj02 import wgs84_to_gcj02
from stations.models import Station
from stations.transfer import export_csv, export_geojson, import_text
from tests.helpers import make_station

pytestmark = pytest.mark.django_db
HEADER = "slug,name,address,phone,description,lat,lng,coordinate_system,amenities,opening_hours,follows_national_calendar,published,managers\n"
GOOD_AND_BAD = HEADER + (
    'shiyiyuan,市医院中队,东昌西路67号,0635-1,,36.4565,115.9740,wgs84,wifi;restroom,"Mo-Fr 08:00-18:00; PH off",true,true,station_manager\n'
    "dengta,灯塔中队,,,,36.47,115.99,,,Mo-Fr 25:00-26:00,,true,\n"
    "huxi,湖西中队,,,,north,115.96,,,24/7,,true,\n"
    "beishun,北顺中队,,,,36.49,115.98,,sauna,24/7,,true,\n"
    "qichexizhan,汽车西站,,,,36.455,115.936,,,24/7,,yes,nobody\n"
    "bad slug!,坏,,,,36.4,115.9,,,24/7,,,\n"
    "last,最后一站,,,,36.44,115.95,,cooling,24/7,,1,\n"
)


def test_bad_rows_are_reported_by_line_and_good_rows_kept(station_manager):
    report = import_text(GOOD_AND_BAD, fmt="csv")

    assert sorted(report.created) == ["last", "shiyiyuan"]
    assert [error.line for error in report.errors] == [3, 4, 5, 6, 7]
    messages = {error.line: error.message for error in report.errors}
    assert "opening_hours" in messages[3]
    assert "lat" in messages[4]
    assert "sauna" in messages[5]
    assert "nobody" in messages[6]
    # In the site's language (Chinese by default), naming the CSV column as the file does.
    assert messages[6].endswith("没有这个用户：nobody。")
    assert "slug" in messages[7]
    station = Station.objects.get(slug="shiyiyuan")
    assert station.amenities == ["restroom", "wifi"]
    assert list(station.managers.all()) == [station_manager]
    assert Station.objects.count() == 2


def test_import_updates_existing_station_by_slug(db):
    make_station("shiyiyuan", name="旧名")

    report = import_text(HEADER + "shiyiyuan,新名,,,,36.45,115.97,,,24/7,,true,\n", fmt="csv")

    assert report.updated == ["shiyiyuan"] and report.created == []
    assert Station.objects.get(slug="shiyiyuan").name == "新名"


def test_gcj02_rows_are_converted_to_wgs84(db):
    gcj_lat, gcj_lng = wgs84_to_gcj02(36.45, 115.98)

    import_text(HEADER + f"a,甲,,,,{gcj_lat!r},{gcj_lng!r},gcj02,,24/7,,true,\n", fmt="csv")

    station = Station.objects.get(slug="a")
    assert station.lat == pytest.approx(36.45, abs=1e-7) and station.lng == pytest.approx(115.98, abs=1e-7)


def test_csv_and_geojson_round_trip(db, station_manager):
    original = make_station("shiyiyuan", name="市医院中队", phone="0635", amenities=["wifi", "first_aid"], opening_hours="Mo-Su 07:00-21:00")
    original.managers.add(station_manager)
    make_station("dengta", name="灯塔中队", published=False, follows_national_calendar=False)
    csv_text = export_csv(Station.objects.all())
    geojson_text = json.dumps(export_geojson(Station.objects.all()))
    before = sorted(Station.objects.values_list("slug", "name", "lat", "lng", "amenities", "opening_hours", "published", "follows_national_calendar", "phone"))
    Station.objects.all().delete()

    assert import_text(csv_text, fmt="csv").ok
    after_csv = sorted(Station.objects.values_list("slug", "name", "lat", "lng", "amenities", "opening_hours", "published", "follows_national_calendar", "phone"))
    Station.objects.all().delete()
    assert import_text(geojson_text, fmt="geojson").ok
    after_geojson = sorted(Station.objects.values_list("slug", "name", "lat", "lng", "amenities", "opening_hours", "published", "follows_national_calendar", "phone"))

    assert after_csv == before
    assert after_geojson == before
    assert list(Station.objects.get(slug="shiyiyuan").managers.all()) == [station_manager]


def test_geojson_bad_feature_is_reported_by_number(db):
    document = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [115.98, 36.45]}, "properties": {"slug": "a", "name": "甲", "opening_hours": "24/7"}},
            {"type": "Feature", "geometry": None, "properties": {"slug": "b", "name": "乙", "opening_hours": "24/7"}},
        ],
    }

    report = import_text(json.dumps(document), fmt="geojson")

    assert report.created == ["a"]
    assert [error.line for error in report.errors] == [2]


def test_a_file_without_required_columns_is_one_clear_error(db):
    report = import_text("slug,name\na,b\n", fmt="csv")

    assert not report.created
    assert "lat" in report.errors[0].message


def test_import_command_reports_lines_and_keeps_the_rest(tmp_path, station_manager):
    path = tmp_path / "stations.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_stations", str(path), stdout=out, stderr=err)

    assert "2 created, 0 updated, 5 rejected" in out.getvalue()
    assert "line 3:" in err.getvalue() and "line 7:" in err.getvalue()
    assert "100%" in err.getvalue()  # the progress bar reached the end
    assert Station.objects.count() == 2


def test_export_command_writes_csv_and_geojson(tmp_path, db):
    make_station("shiyiyuan")
    out = io.StringIO()

    call_command("export_stations", "--format", "csv", stdout=out)
    call_command("export_stations", "--format", "geojson", "-o", str(tmp_path / "s.geojson"), stderr=io.StringIO())

    assert out.getvalue().startswith(HEADER.strip())
    assert json.loads((tmp_path / "s.geojson").read_text())["features"][0]["properties"]["slug"] == "shiyiyuan"


def test_admin_import_view_reports_bad_lines(client, admin, station_manager):
    client.force_login(admin)
    client.cookies["django_language"] = "en"

    r = client.post("/admin/stations/station/import/", {"file": SimpleUploadedFile("s.csv", GOOD_AND_BAD.encode()), "format": ""})

    assert r.status_code == 200
    page = r.content.decode()
    assert "Line 3:" in page and "Line 7:" in page
    assert Station.objects.count() == 2


def test_admin_export_actions(client, admin):
    make_station("shiyiyuan")
    make_station("dengta")
    client.force_login(admin)
    ids = list(Station.objects.values_list("pk", flat=True))

    csv_response = client.post("/admin/stations/station/", {"action": "export_csv_action", "_selected_action": ids})
    geojson_response = client.post("/admin/stations/station/", {"action": "export_geojson_action", "_selected_action": ids})
    all_csv = client.get("/admin/stations/station/export/csv/")

    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.decode().count("\n") == 3
    assert len(json.loads(geojson_response.content)["features"]) == 2
    assert all_csv.status_code == 200 and "dengta" in all_csv.content.decode()

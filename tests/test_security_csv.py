"""CSV exports cannot carry spreadsheet formulas (issue 9, defect 7)."""
from __future__ import annotations

import csv
import io

import pytest

from stations.models import Station
from stations.transfer import export_csv, import_text
from tests.helpers import make_station

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", HOSTILE)
def test_admin_csv_export_escapes_formula_cells(client, admin, name):
    station = make_station("evil", name=name, address="=1+2", phone="+86 635", description="@x")
    client.force_login(admin)
    response = client.post(
        "/admin/stations/station/", {"action": "export_csv_action", "_selected_action": [station.pk]}
    )
    assert response.status_code == 200
    row = _rows(response.content.decode())[0]
    assert row["name"] == "'" + name
    assert row["address"] == "'=1+2"
    assert row["phone"] == "'+86 635"
    assert row["description"] == "'@x"


def test_csv_export_leaves_numbers_and_plain_text_alone(db):
    make_station("plain", name="市医院中队", lat=-12.5, lng=115.98)
    row = _rows(export_csv(Station.objects.all()))[0]
    assert row["name"] == "市医院中队"
    assert row["lat"] == "-12.5"


def test_escaped_export_reads_back_as_the_original(db):
    make_station("evil", name="=HYPERLINK(1)", address="-A")
    text = export_csv(Station.objects.all())
    Station.objects.all().delete()
    assert import_text(text, fmt="csv").ok
    station = Station.objects.get(slug="evil")
    assert (station.name, station.address) == ("=HYPERLINK(1)", "-A")

"""/dispatch/figures/: who may see it, the SVG charts, the jobs behind a figure, the CSV exports."""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client

from tests.figures_support import build_known_day, build_shifts


@pytest.fixture
def known(db, officer, other_officer, third_officer):
    known = build_known_day(officer, other_officer, third_officer)
    build_shifts(known.day, officer, other_officer)
    return known


@pytest.fixture
def desk(dispatcher) -> Client:
    client = Client()
    client.force_login(dispatcher)
    return client


def _day(known) -> str:
    return f"from={known.day.isoformat()}&to={known.day.isoformat()}"


def _svgs(html: str) -> dict[str, ET.Element]:
    """Every inline SVG of the page, parsed as XML (so each one is well-formed), by its title's id."""
    found = {}
    for text in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        svg = ET.fromstring(text)
        if svg.get("aria-labelledby"):  # the charts, not the brand mark
            found[svg.get("aria-labelledby").removesuffix("-title")] = svg
    return found


def test_anonymous_goes_to_the_login_page(client, db):
    response = client.get("/dispatch/figures/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", ["/dispatch/figures/", "/dispatch/figures/jobs/?figure=rct",
                                  "/dispatch/figures/export/jobs.csv"])
def test_officers_get_403(client, officer, path):
    client.force_login(officer.user)
    assert client.get(path).status_code == 403


def test_admins_see_the_page(client, admin):
    client.force_login(admin)
    assert client.get("/dispatch/figures/").status_code == 200


def test_the_page_shows_every_figure_with_its_definition_and_list(desk, known):
    html = desk.get(f"/dispatch/figures/?{_day(known)}").content.decode()
    for key in ("dispatch_delay", "receipt_delay", "response", "travel", "rct", "ict"):
        row = re.search(rf'<tr id="figure-{key}">(.*?)</tr>', html, flags=re.S).group(1)
        assert f"/dispatch/figures/jobs/?{_day(known)}&figure={key}".replace("&", "&amp;") in row
        assert 'class="def"' in row
    response_row = re.search(r'<tr id="figure-response">(.*?)</tr>', html, flags=re.S).group(1)
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', response_row, flags=re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells] == ["11.2 分钟", "12.2 分钟", "3", "2"]


def test_the_charts_are_well_formed_with_a_bar_per_day_and_kind(desk, known):
    first, last = known.day - timedelta(days=1), known.day + timedelta(days=1)
    html = desk.get(f"/dispatch/figures/?from={first.isoformat()}&to={last.isoformat()}").content.decode()
    svgs = _svgs(html)
    assert set(svgs) >= {"chart-days", "chart-trend", "chart-heat", "chart-rescues"}
    bars = svgs["chart-days"].findall("rect")
    # One "other" the day before, four kinds on day D, one "other" the day after.
    assert len(bars) == 6
    assert sorted(bar.get("class") for bar in bars).count("bar k-other") == 2
    assert len(svgs["chart-heat"].findall("rect")) == 7 * 24
    assert len(svgs["chart-rescues"].findall("rect")) == 1


def test_the_jobs_behind_a_figure_and_its_missing_ones(desk, known):
    html = desk.get(f"/dispatch/figures/jobs/?figure=response&{_day(known)}&missing=1").content.decode()
    numbers = re.findall(r'<th scope="row">(F\d)</th>', html)
    assert numbers == ["F6", "F3"]  # in the order they were reported
    html = desk.get(f"/dispatch/figures/jobs/?figure=response&{_day(known)}").content.decode()
    assert re.findall(r'<th scope="row">(F\d)</th>', html) == ["F1", "F6", "F2", "F3", "F4"]


def test_an_unknown_figure_is_404(desk, db):
    assert desk.get("/dispatch/figures/jobs/?figure=nosuch").status_code == 404


def _csv(desk, table: str, query: str) -> tuple[bytes, list[dict[str, str]]]:
    response = desk.get(f"/dispatch/figures/export/{table}.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="luchang-{table}-')
    raw = response.content
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_jobs_csv_starts_with_a_bom_and_keeps_chinese_and_every_step(desk, known):
    raw, rows = _csv(desk, "jobs", _day(known))
    assert raw.startswith(b"\xef\xbb\xbfnumber,kind,kind_name,status,summary,t1_reported_at,t2_dispatched_at,")
    by_number = {row["number"]: row for row in rows}
    assert set(by_number) == {"F1", "F2", "F3", "F4", "F5", "F6"}
    assert by_number["F3"]["summary"] == "货车抛锚"
    assert by_number["F1"]["t3_on_scene_at"] == f"{known.day.isoformat()} 09:06:40"
    assert by_number["F1"]["rct_s"] == "1300.0" and by_number["F3"]["response_s"] == ""
    # A cell a spreadsheet would run as a formula is escaped.
    assert by_number["F2"]["summary"] == "'=HYPERLINK(\"x\")"


def test_the_durations_csv_has_the_header_and_the_chinese_definitions(desk, known, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    raw, rows = _csv(desk, "durations", _day(known))
    assert raw.decode("utf-8-sig").splitlines()[0] == "figure,name,per,p50_s,p90_s,n,missing,definition"
    response = next(row for row in rows if row["figure"] == "response")
    assert (response["p50_s"], response["p90_s"], response["n"], response["missing"]) == ("670.0", "734.0", "3", "2")
    assert response["name"] == "响应时间"


@pytest.mark.parametrize("table", ["counts", "days", "weeks", "heatmap", "rescues", "attendance", "attendance_days",
                                   "gaps", "assignments"])
def test_every_table_exports(desk, known, table):
    raw, rows = _csv(desk, table, _day(known))
    assert raw.startswith(b"\xef\xbb\xbf") and rows


def test_the_attendance_csv_names_the_officer_in_chinese(desk, known):
    _raw, rows = _csv(desk, "attendance", _day(known))
    mine = next(row for row in rows if row["call_sign"] == "铁骑01")
    assert (mine["name"], mine["on_duty_h"], mine["gaps"], mine["longest_gap_min"]) == ("王军", "4.0", "1", "60.0")


def test_a_bad_range_falls_back_to_30_days_with_a_message(desk, db):
    response = desk.get("/dispatch/figures/?from=2026-99-01&to=2026-01-01")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_desk_links_to_the_figures(desk, db):
    assert 'href="/dispatch/figures/"' in desk.get("/dispatch/").content.decode()

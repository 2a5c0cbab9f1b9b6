"""Station managers' pages: who may see what, and what a form saves."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from stations.models import Closure, PlaylistItem, Slogan, Station

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, stations_city):
    for url in ("/stations/manage/", "/stations/manage/shiyiyuan/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_officer_gets_403(client, officer, stations_city):
    client.force_login(officer.user)
    assert client.get("/stations/manage/").status_code == 403
    assert client.get("/stations/manage/shiyiyuan/").status_code == 403


def test_manager_lists_only_their_own_stations(client, station_manager, stations_city):
    client.force_login(station_manager)
    html = client.get("/stations/manage/").content.decode()
    assert "市医院中队" in html
    assert "灯塔中队" not in html


def test_other_managers_station_is_404_and_unchanged(client, station_manager, stations_city):
    client.force_login(station_manager)
    assert client.get("/stations/manage/dengta/").status_code == 404
    response = client.post("/stations/manage/dengta/", {"action": "closed-now", "closed-closed_now": "on", "closed-closed_reason": "x"})
    assert response.status_code == 404
    assert Station.objects.get(slug="dengta").closed_now is False


def test_manager_saves_hours_of_own_station(client, station_manager, stations_city):
    client.force_login(station_manager)
    response = client.post(
        "/stations/manage/shiyiyuan/",
        {"action": "hours", "hours-opening_hours": "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off", "hours-follows_national_calendar": "on"},
    )
    assert response.status_code == 302
    station = Station.objects.get(slug="shiyiyuan")
    assert station.opening_hours == "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"
    assert station.follows_national_calendar is True


def test_bad_hours_expression_shows_the_error_and_saves_nothing(client, station_manager, stations_city):
    client.force_login(station_manager)
    response = client.post(
        "/stations/manage/shiyiyuan/", {"action": "hours", "hours-opening_hours": "Mo-Fr 25:00-99:00 nonsense"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field-error"' in html
    assert "Mo-Fr 25:00-99:00 nonsense" in html  # the manager's input is kept for correcting
    assert Station.objects.get(slug="shiyiyuan").opening_hours == "24/7"


def test_hours_preview_shows_seven_days_without_saving(client, station_manager, stations_city):
    client.force_login(station_manager)
    response = client.post(
        "/stations/manage/shiyiyuan/", {"action": "hours", "preview": "1", "hours-opening_hours": "Mo-Su 10:00-12:00"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    preview = html.split('id="hours-preview"')[1].split("</ul>")[0]
    assert preview.count("<li>") == 7
    assert "10:00" in preview
    assert Station.objects.get(slug="shiyiyuan").opening_hours == "24/7"


def test_manager_switches_closed_now_with_reason(client, station_manager, stations_city):
    client.force_login(station_manager)
    client.post("/stations/manage/shiyiyuan/", {"action": "closed-now", "closed-closed_now": "on", "closed-closed_reason": "外出执勤"})
    station = Station.objects.get(slug="shiyiyuan")
    assert station.closed_now is True and station.closed_reason == "外出执勤"
    # The finder shows it closed at once.
    html = client.get("/stations/").content.decode()
    assert 'data-slug="shiyiyuan" data-state="closed"' in html


def test_closed_now_needs_a_reason(client, station_manager, stations_city):
    client.force_login(station_manager)
    response = client.post("/stations/manage/shiyiyuan/", {"action": "closed-now", "closed-closed_now": "on", "closed-closed_reason": ""})
    assert response.status_code == 400
    assert Station.objects.get(slug="shiyiyuan").closed_now is False


def test_manager_adds_and_removes_a_closure(client, station_manager, stations_city):
    client.force_login(station_manager)
    response = client.post(
        "/stations/manage/shiyiyuan/",
        {"action": "closure", "closure-start_date": "2030-12-01", "closure-end_date": "2030-12-20", "closure-reason": "装修"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get(station__slug="shiyiyuan")
    assert closure.reason == "装修" and closure.opening_hours == ""
    client.post("/stations/manage/shiyiyuan/", {"action": "closure-delete", "closure_id": closure.pk})
    assert not Closure.objects.filter(pk=closure.pk).exists()


def test_closure_ending_before_it_starts_is_refused(client, station_manager, stations_city):
    client.force_login(station_manager)
    response = client.post(
        "/stations/manage/shiyiyuan/",
        {"action": "closure", "closure-start_date": "2030-12-20", "closure-end_date": "2030-12-01", "closure-reason": "装修"},
    )
    assert response.status_code == 400
    assert not Closure.objects.exists()


def test_a_refused_closure_is_shown_where_the_form_is_and_says_why(client, station_manager, stations_city):
    """The page answers a refusal scrolled to the form (its action ends in #closures), not at the top,
    2,500 px above the error; a closure already over is refused, since the page lists from today on;
    and bad special hours get a day's example, not a week's expression."""
    client.force_login(station_manager)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        "/stations/manage/shiyiyuan/",
        {"action": "closure", "closure-start_date": "2020-01-01", "closure-end_date": yesterday, "closure-reason": "装修"},
    )
    assert response.status_code == 400
    assert not Closure.objects.exists()
    page = response.content.decode()
    assert "此次闭站已经结束" in page
    assert re.search(r'<form method="post" action="#closures" novalidate>[^<]*<input[^>]*name="csrfmiddlewaretoken"[^>]*>'
                     r'<input type="hidden" name="action" value="closure">', page)
    response = client.post(
        "/stations/manage/shiyiyuan/",
        {"action": "closure", "closure-start_date": "2030-12-01", "closure-end_date": "2030-12-01",
         "closure-reason": "检修", "closure-opening_hours": "9点到12点"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("分两段开放就写 08:00-12:00,14:00-18:00") == 1


def test_manager_cannot_delete_another_stations_closure(client, station_manager, stations_city):
    other = Closure.objects.create(station=stations_city["dengta"], start_date="2030-01-01", end_date="2030-01-02", reason="x")
    client.force_login(station_manager)
    response = client.post("/stations/manage/shiyiyuan/", {"action": "closure-delete", "closure_id": other.pk})
    assert response.status_code == 404
    assert Closure.objects.filter(pk=other.pk).exists()


def test_manager_saves_amenities(client, station_manager, stations_city):
    client.force_login(station_manager)
    client.post("/stations/manage/shiyiyuan/", {"action": "amenities", "amenities-amenities": ["heating", "first_aid"]})
    assert Station.objects.get(slug="shiyiyuan").amenities == ["heating", "first_aid"]


def test_manager_moves_a_video_down_the_playlist(client, station_manager, screen_station):
    first = PlaylistItem.objects.filter(station=screen_station).order_by("position").first()
    client.force_login(station_manager)
    client.post("/stations/manage/shiyiyuan/", {"action": "playlist-move", "item_id": first.pk, "direction": "down"})
    titles = list(PlaylistItem.objects.filter(station=screen_station).order_by("position").values_list("video__title", flat=True))
    assert titles == ["礼让行人", "安全头盔"]


def test_manager_adds_and_hides_a_slogan(client, station_manager, stations_city):
    client.force_login(station_manager)
    client.post("/stations/manage/shiyiyuan/", {"action": "slogan-add", "slogan-text": "礼让斑马线"})
    slogan = Slogan.objects.get(station__slug="shiyiyuan", text="礼让斑马线")
    client.post("/stations/manage/shiyiyuan/", {"action": "slogan-toggle", "slogan_id": slogan.pk, "active": "0"})
    slogan.refresh_from_db()
    assert slogan.active is False


def test_manager_page_renders_every_section(client, station_manager, screen_station):
    client.force_login(station_manager)
    html = client.get("/stations/manage/shiyiyuan/").content.decode()
    for anchor in ("closed-now", "hours", "closures", "amenities", "playlist", "slogans"):
        assert f'id="{anchor}"' in html
    assert "安全头盔" in html and "一盔一带 安全常在" in html


def test_the_manager_is_told_when_the_holiday_calendar_lacks_a_year(client, station_manager, stations_city):
    """Only admins saw it; the manager's hours editor said nothing while 2027's holidays were missing.
    The hours editor also names the rule it follows in words, not the PH of the expression."""
    from stations.models import HolidayCalendar

    client.force_login(station_manager)
    HolidayCalendar.objects.all().delete()
    page = client.get("/stations/manage/shiyiyuan/").content.decode()
    year = timezone.localdate().year
    assert f"国家节假日日历还没有 {year}, {year + 1} 年的日期" in page
    assert "按 PH" not in page and "法定节假日按上面“法定节假日”的设置" in page
    HolidayCalendar.objects.create(date=date(year, 10, 1), kind="statutory_holiday", name="国庆节")
    HolidayCalendar.objects.create(date=date(year + 1, 1, 1), kind="statutory_holiday", name="元旦")
    assert "国家节假日日历还没有" not in client.get("/stations/manage/shiyiyuan/").content.decode()

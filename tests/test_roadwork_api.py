"""Road work through HTTP: permissions per role, presence now from the track, hazards to sign-off, Open311."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp import roadwork_services as services
from fieldapp.models import CongestionPoint, Hazard, HazardEvent, TrackFix, TrafficSample

ALL_DAY = "Mo-Su 00:00-24:00"
CENTRE = (36.4560, 115.9850)


@pytest.fixture
def point(db, squad, officer) -> CongestionPoint:
    return services.point_create(
        name="东昌路与柳园路口", kind="intersection", lat=CENTRE[0], lng=CENTRE[1], radius_m=150, squad=squad,
        officer=officer, post_windows=ALL_DAY,
    )


@pytest.fixture
def hazard(db, officer) -> Hazard:
    return services.hazard_report(reporter=officer.user, kind="signals", description="信号灯黄闪", address="东昌路")


def track(officer, minutes: int, *, lat: float = CENTRE[0] + 0.0004, step_s: int = 60) -> None:
    now = timezone.now()
    TrackFix.objects.bulk_create([
        TrackFix(officer=officer, lat=lat, lng=CENTRE[1], accuracy_m=8, at=now - timedelta(seconds=s), device_at=None)
        for s in range(0, minutes * 60 + 1, step_s)
    ])


DESK_ONLY = [
    ("get", "/api/v1/roadwork/points/"),
    ("get", "/dispatch/roadwork/"),
    ("get", "/dispatch/roadwork/points/new/"),
    ("get", "/dispatch/roadwork/hazards/"),
]


@pytest.mark.parametrize("method,url", DESK_ONLY)
def test_desk_pages_and_points_are_for_dispatchers_and_admins_only(client, api, officer, station_manager, dispatcher, admin, method, url):
    for user, allowed in ((officer.user, False), (station_manager, False), (dispatcher, True), (admin, True)):
        client.force_login(user)
        assert (client.get(url).status_code == 200) is allowed, (user, url)
    client.logout()
    assert client.get(url).status_code in (302, 401, 403)


def test_hazard_detail_notice_and_move_are_for_the_desk(client, api, officer, dispatcher, hazard):
    client.force_login(officer.user)
    assert client.get(f"/dispatch/roadwork/hazards/{hazard.pk}/").status_code == 403
    api.force_authenticate(officer.user)
    r = api.post(f"/api/v1/roadwork/hazards/{hazard.pk}/move/", {"to": "confirmed"}, format="json")
    assert r.status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == "reported"
    client.force_login(dispatcher)
    assert client.get(f"/dispatch/roadwork/hazards/{hazard.pk}/").status_code == 200


def test_officer_pages_need_an_officer(client, officer, dispatcher, station_manager):
    client.force_login(officer.user)
    assert client.get("/field/roadwork/posts/").status_code == 200
    assert client.get("/field/roadwork/hazards/new/").status_code == 200
    assert client.get("/field/roadwork/outreach/new/").status_code == 200
    client.force_login(station_manager)
    for url in ("/field/roadwork/posts/", "/field/roadwork/hazards/new/", "/dispatch/roadwork/outreach/"):
        assert client.get(url).status_code == 403
    client.force_login(dispatcher)
    assert client.get("/field/roadwork/posts/").status_code == 403


def test_the_desk_sees_who_is_at_a_point_and_that_the_window_is_covered(api, dispatcher, officer, point):
    track(officer, 12)
    api.force_authenticate(dispatcher)
    [row] = api.get("/api/v1/roadwork/points/").json()
    assert row["coverage"] == "covered"
    assert row["present"] == [{"id": officer.pk, "call_sign": "铁骑01", "minutes": 12}]


def test_a_point_nobody_visits_is_not_covered(api, dispatcher, officer, point):
    track(officer, 12, lat=CENTRE[0] + 0.01)  # a kilometre away
    api.force_authenticate(dispatcher)
    [row] = api.get("/api/v1/roadwork/points/").json()
    assert (row["coverage"], row["present"]) == ("uncovered", [])


def test_my_posts_say_on_post_for_minutes_and_take_a_traffic_tap(api, officer, other_officer, point):
    track(officer, 12)
    api.force_authenticate(officer.user)
    [post] = api.get("/api/v1/me/posts/").json()
    assert post["here_minutes"] == 12
    r = api.post(f"/api/v1/me/posts/{point.pk}/traffic/", {"state": "slow"}, format="json")
    assert r.status_code == 201
    assert TrafficSample.objects.get().state == "slow"
    api.force_authenticate(other_officer.user)
    assert api.get("/api/v1/me/posts/").json() == []
    assert api.post(f"/api/v1/me/posts/{point.pk}/traffic/", {"state": "slow"}, format="json").status_code == 404


def test_a_bad_post_window_expression_is_refused_in_the_envelope(api, dispatcher):
    api.force_authenticate(dispatcher)
    r = api.post("/api/v1/roadwork/points/", {"name": "x", "lat": 36.4, "lng": 115.9, "post_windows": "Mo-Fr 7-9 banana"}, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert "post_windows" in r.json()["fields"]


def test_a_hazard_goes_through_to_sign_off_and_keeps_its_history_when_reopened(api, dispatcher, hazard):
    api.force_authenticate(dispatcher)
    move = lambda body: api.post(f"/api/v1/roadwork/hazards/{hazard.pk}/move/", body, format="json")  # noqa: E731
    assert move({"to": "notified", "unit": "市政", "deadline": "2026-12-10"}).status_code == 409
    assert move({"to": "confirmed"}).status_code == 200
    assert move({"to": "notified"}).json()["code"] == "transition_refused"  # no unit, no deadline
    assert move({"to": "notified", "unit": "市政养护处", "deadline": "2026-12-10"}).status_code == 200
    assert move({"to": "rectifying"}).status_code == 200
    r = move({"to": "closed", "note": "已修复"})
    assert r.json()["status"] == "closed" and r.json()["closed_at"]
    r = move({"to": "confirmed", "note": "又坏了"})
    body = r.json()
    assert body["status"] == "confirmed" and body["closed_at"] is None
    assert [(e["from"], e["to"]) for e in body["events"]] == [
        ("", "reported"), ("reported", "confirmed"), ("confirmed", "notified"), ("notified", "rectifying"),
        ("rectifying", "closed"), ("closed", "confirmed"),
    ]
    assert HazardEvent.objects.filter(hazard=hazard).count() == 6


def test_an_officer_reads_only_the_hazards_they_reported(api, officer, other_officer, hazard):
    api.force_authenticate(other_officer.user)
    assert api.get("/api/v1/roadwork/hazards/").json() == []
    assert api.get(f"/api/v1/roadwork/hazards/{hazard.pk}/").status_code == 404
    r = api.post("/api/v1/roadwork/hazards/", {"kind": "sight", "description": "树枝挡住标志", "address": "柳园路"}, format="json")
    assert r.status_code == 201 and r.json()["number"].startswith("YH")
    assert [h["id"] for h in api.get("/api/v1/roadwork/hazards/").json()] == [r.json()["id"]]


def test_overdue_hazards_are_flagged(api, dispatcher, hazard):
    services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="confirmed")
    services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="notified", unit="市政", deadline=timezone.localdate() - timedelta(days=1))
    api.force_authenticate(dispatcher)
    [row] = api.get("/api/v1/roadwork/hazards/?overdue=1").json()
    assert row["overdue"] is True


def test_outreach_is_recorded_by_officers_and_dispatchers_not_station_managers(api, officer, dispatcher, station_manager):
    body = {"day": "2026-11-20", "place": "交运集团", "kind": "company", "audience": 80, "officers": [officer.pk]}
    for user, code in ((officer.user, 201), (dispatcher, 201), (station_manager, 403)):
        api.force_authenticate(user)
        assert api.post("/api/v1/roadwork/outreach/", body, format="json").status_code == code
    api.force_authenticate(dispatcher)
    assert len(api.get("/api/v1/roadwork/outreach/?kind=company").json()) == 2


GEOREPORT_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}


def test_open311_lists_confirmed_hazards_with_the_georeport_fields_and_no_personal_data(client, dispatcher, hazard, officer):
    assert client.get("/open311/v2/requests.json").json() == []  # a bare report is not yet public
    services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="confirmed")
    services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="notified", unit="市政养护处", deadline=timezone.localdate())
    [row] = client.get("/open311/v2/requests.json").json()
    assert set(row) == GEOREPORT_FIELDS
    assert row["status"] == "open" and "市政养护处" in row["status_notes"]
    text = str(row)
    for personal in (officer.user.username, "王军", "周指挥", officer.phone, officer.call_sign):
        assert personal not in text
    assert client.get(f"/open311/v2/requests/{hazard.number}.json").json() == [row]
    services_list = client.get("/open311/v2/services.json").json()
    assert {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} <= set(services_list[0])
    services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="rectifying")
    services.hazard_move(hazard_id=hazard.pk, actor=dispatcher, to="closed")
    assert client.get("/open311/v2/requests.json?status=closed").json()[0]["status"] == "closed"


def test_the_point_page_saves_windows_from_the_week_editor(client, dispatcher, squad):
    client.force_login(dispatcher)
    form = {
        "name": "实验小学门口", "kind": "school_gate", "lat": "36.45", "lng": "115.98", "radius_m": "120",
        "status": "active", "windows-editor": "week", "windows-shown_expression": "", "windows-opening_hours": "",
        "windows-holidays": "closed", "windows-follows_national_calendar": "on",
    }
    for code in ("mo", "tu", "we", "th", "fr"):
        form.update({f"windows-{code}_open": "on", f"windows-{code}_from1": "07:00", f"windows-{code}_to1": "08:00",
                     f"windows-{code}_from2": "16:30", f"windows-{code}_to2": "17:30"})
    r = client.post("/dispatch/roadwork/points/new/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert CongestionPoint.objects.get().post_windows == "Mo-Fr 07:00-08:00,16:30-17:30; PH off"


def test_admin_lists_the_road_work_and_keeps_hazards_read_only(client, admin, hazard, point):
    client.force_login(admin)
    for name in ("roadarea", "congestionpoint", "hazard", "outreachevent", "trafficsample"):
        assert client.get(f"/admin/fieldapp/{name}/").status_code == 200, name
    assert client.get(f"/admin/fieldapp/hazard/{hazard.pk}/change/").status_code == 200
    assert client.get("/admin/fieldapp/hazard/add/").status_code == 403


def test_a_hazard_sent_twice_by_the_outbox_is_recorded_once_at_the_tap_time(api, officer):
    api.force_authenticate(officer.user)
    tapped = (timezone.now() - timedelta(minutes=30)).isoformat()
    body = {"kind": "road_surface", "description": "坑槽", "address": "东昌路", "device_time": tapped}
    first = api.post("/api/v1/roadwork/hazards/", body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    again = api.post("/api/v1/roadwork/hazards/", body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    hazard = Hazard.objects.get()
    assert abs((hazard.reported_at - timezone.now()).total_seconds() - -1800) < 60

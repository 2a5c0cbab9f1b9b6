"""The dispatch REST API through HTTP: shapes, errors, idempotency, schema."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from fieldapp.models import Assignment, IdempotencyRecord, Job, JobEvent, OfficerMessage
from tests.helpers import dispatch, new_job, on_duty


def test_dispatcher_creates_a_job_with_a_daily_number(api, dispatcher):
    api.force_authenticate(dispatcher)
    response = api.post(
        "/api/v1/jobs/",
        {"kind": "accident", "priority": 3, "summary": "两车追尾", "lat": 36.4561, "lng": 115.9855,
         "source": "video_patrol", "address": "东昌路/柳园路口"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"\d{8}-0001", body["number"])
    assert body["status"] == "open" and body["priority"] == 3 and body["assignments"] == []
    assert body["created_by"] == {"id": dispatcher.pk, "name": "周指挥"}
    assert [event["kind"] for event in body["events"]] == ["job.created"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "accident", "summary": "x", "lat": 91, "lng": 115.9}, "lat"),
        ({"kind": "accident", "summary": "x", "lat": 36.4, "lng": -181}, "lng"),
        ({"kind": "meteor", "summary": "x", "lat": 36.4, "lng": 115.9}, "kind"),
        ({"kind": "accident", "lat": 36.4, "lng": 115.9}, "summary"),
        ({"kind": "accident", "summary": "x", "lat": "north", "lng": 115.9}, "lat"),
        ({"kind": "accident", "summary": "x", "lat": 36.4, "lng": 115.9, "priority": 7}, "priority"),
    ],
)
def test_invalid_job_gives_400_with_detail_code_and_fields(api, dispatcher, body, field):
    api.force_authenticate(dispatcher)
    response = api.post("/api/v1/jobs/", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "invalid" and payload["detail"] and field in payload["fields"]
    assert Job.objects.count() == 0


def test_malformed_json_gives_400_not_500(api, dispatcher):
    api.force_authenticate(dispatcher)
    response = api.generic("POST", "/api/v1/jobs/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid", "parse_error")


def test_job_detail_has_assignments_and_events(api, dispatcher, assignment):
    api.force_authenticate(dispatcher)
    body = api.get(f"/api/v1/jobs/{assignment.job_id}/").json()
    (listed,) = body["assignments"]
    assert listed["id"] == assignment.pk and "job" not in listed
    assert listed["officer"]["call_sign"] == "铁骑01"
    assert listed["officer"]["squad"]["name"] == "市医院中队"
    assert [event["kind"] for event in body["events"]] == ["job.created", "assignment.dispatched"]


def test_list_filters_by_status(api, dispatcher, job):
    other = new_job(dispatcher)
    api.force_authenticate(dispatcher)
    api.post(f"/api/v1/jobs/{other.pk}/cancel/", {"reason": "重复"}, format="json")
    assert [j["id"] for j in api.get("/api/v1/jobs/").json()] == [job.pk]
    assert [j["id"] for j in api.get("/api/v1/jobs/?status=cancelled").json()] == [other.pk]
    assert len(api.get("/api/v1/jobs/?status=all").json()) == 2
    assert api.get("/api/v1/jobs/?status=nonsense").status_code == 400


def test_candidates_response(api, dispatcher, job, duty_officer, other_officer):
    api.force_authenticate(dispatcher)
    body = api.get(f"/api/v1/jobs/{job.pk}/candidates/?limit=2").json()
    assert body["job_id"] == job.pk and body["limit"] == 2
    (candidate,) = body["candidates"]
    assert candidate["officer"] == {
        "id": duty_officer.pk, "name": "王军", "call_sign": "铁骑01",
        "squad": {"id": duty_officer.squad_id, "code": "shiyiyuan", "name": "市医院中队"},
    }
    assert candidate["distance_m"] == 0 and candidate["fix_age_s"] >= 0 and candidate["fix"]["stale"] is False
    assert body["shortfall"]["found"] == 1 and body["shortfall"]["wanted"] == 2
    assert api.get(f"/api/v1/jobs/{job.pk}/candidates/?limit=0").status_code == 400
    assert api.get("/api/v1/jobs/999999/candidates/").status_code == 404


def test_dispatch_response_and_off_duty_409(api, dispatcher, job, duty_officer, other_officer):
    api.force_authenticate(dispatcher)
    refused = api.post(f"/api/v1/jobs/{job.pk}/dispatch/", {"officers": [duty_officer.pk, other_officer.pk]}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "officer_off_duty" and "铁骑02" in refused.json()["detail"]
    assert Assignment.objects.count() == 0
    response = api.post(f"/api/v1/jobs/{job.pk}/dispatch/", {"officers": [duty_officer.pk]}, format="json")
    assert response.status_code == 200
    body = response.json()
    (created,) = body["created"]
    assert created["status"] == "dispatched" and created["received_at"] is None and created["unreceived"] is False
    assert created["next_step"] == "accepted"
    assert created["next_steps"] == ["accepted", "en_route", "on_scene", "cleared", "declined"]
    assert created["job"]["id"] == job.pk and body["skipped"] == []
    again = api.post(f"/api/v1/jobs/{job.pk}/dispatch/", {"officers": [duty_officer.pk]}, format="json").json()
    assert again["created"] == [] and again["skipped"] == [{"officer_id": duty_officer.pk, "code": "already_assigned"}]


def test_dispatch_of_unknown_officer_is_400(api, dispatcher, job):
    api.force_authenticate(dispatcher)
    response = api.post(f"/api/v1/jobs/{job.pk}/dispatch/", {"officers": [424242]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_busy_officer_dispatch_needs_force(api, dispatcher, duty_officer):
    first, second = new_job(dispatcher), new_job(dispatcher)
    dispatch(first, dispatcher, duty_officer)
    api.force_authenticate(dispatcher)
    url = f"/api/v1/jobs/{second.pk}/dispatch/"
    assert api.post(url, {"officers": [duty_officer.pk]}, format="json").json()["code"] == "officer_busy"
    forced = api.post(url, {"officers": [duty_officer.pk], "force": True}, format="json")
    assert forced.status_code == 200 and forced.json()["created"][0]["forced"] is True


def test_unreceived_after_30_seconds(api, dispatcher, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(dispatched_at=timezone.now() - timedelta(seconds=31))
    api.force_authenticate(dispatcher)
    (listed,) = api.get(f"/api/v1/jobs/{assignment.job_id}/").json()["assignments"]
    assert listed["unreceived"] is True and listed["receive_deadline"]


def test_advance_illegal_step_is_409_and_changes_nothing(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    url = f"/api/v1/assignments/{assignment.pk}/advance/"
    assert api.post(url, {"to": "on_scene", "lat": 36.45, "lng": 115.98}, format="json").status_code == 200
    response = api.post(url, {"to": "accepted"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_step"
    assignment.refresh_from_db()
    assert assignment.status == "on_scene" and assignment.accepted_at is None
    assert api.post(url, {"to": "flying"}, format="json").status_code == 400
    assert api.post(url, {"to": "cleared", "lat": 36.45}, format="json").status_code == 400


def test_advance_after_withdrawal_is_409(api, dispatcher, assignment, duty_officer):
    api.force_authenticate(dispatcher)
    assert api.post(f"/api/v1/assignments/{assignment.pk}/withdraw/", {"reason": "换人"}, format="json").status_code == 200
    api.force_authenticate(duty_officer.user)
    response = api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "accepted"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "assignment_ended"


def test_advance_with_device_time_keeps_it_in_the_log(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    device_at = (timezone.now() - timedelta(seconds=20)).isoformat()
    api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "accepted", "at": device_at}, format="json")
    event = JobEvent.objects.get(assignment=assignment, kind="assignment.step")
    assert event.device_at is not None and event.device_at < event.at


def test_advance_takes_device_time_like_every_officer_action(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    tapped = (timezone.now() - timedelta(seconds=45)).replace(microsecond=0)
    response = api.post(
        f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "accepted", "device_time": tapped.isoformat()}, format="json"
    )
    assert response.status_code == 200
    event = JobEvent.objects.get(assignment=assignment, kind="assignment.step")
    assert event.device_at == tapped and event.at > tapped


def test_decline_is_offered_only_before_accepting(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    accepted = api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "accepted"}, format="json").json()
    assert "declined" not in accepted["next_steps"]
    response = api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "declined"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_step"


def test_me_for_an_officer(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    body = api.get("/api/v1/me/").json()
    assert body["roles"] == ["officer"]
    assert body["officer"]["state"] == "busy" and body["officer"]["fix"]["stale"] is False
    assert [a["id"] for a in body["assignments_today"]] == [assignment.pk]
    assert body["feed_seq"] == 1


def test_me_for_a_dispatcher(api, dispatcher):
    api.force_authenticate(dispatcher)
    body = api.get("/api/v1/me/").json()
    assert body["officer"] is None and body["roles"] == ["dispatcher"] and body["feed_seq"] == 0


def test_duty_and_position(api, officer):
    api.force_authenticate(officer.user)
    assert api.post("/api/v1/me/position/", {"lat": 36.45, "lng": 115.98}, format="json").json()["code"] == "off_duty"
    assert api.post("/api/v1/me/duty/", {"on_duty": True}, format="json").json()["state"] == "available"
    fix = api.post("/api/v1/me/position/", {"lat": 36.45, "lng": 115.98, "accuracy": 9}, format="json").json()
    assert fix["lat"] == 36.45 and fix["accuracy_m"] == 9 and fix["stale"] is False
    assert api.post("/api/v1/me/position/", {"lat": 100, "lng": 115.98}, format="json").status_code == 400


def test_officers_board(api, dispatcher, assignment, other_officer):
    api.force_authenticate(dispatcher)
    board = {o["call_sign"]: o for o in api.get("/api/v1/officers/").json()}
    assert board["铁骑01"]["state"] == "busy" and board["铁骑01"]["active_assignments"][0]["id"] == assignment.pk
    assert board["铁骑02"]["state"] == "off_duty" and board["铁骑02"]["fix"] is None


# --- idempotency -----------------------------------------------------------

def test_retry_with_the_same_key_replays_and_changes_nothing(api, assignment, duty_officer):
    api.force_authenticate(duty_officer.user)
    url = f"/api/v1/assignments/{assignment.pk}/advance/"
    first = api.post(url, {"to": "accepted"}, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    api.post(url, {"to": "en_route"}, format="json")  # the state moves on meanwhile
    replay = api.post(url, {"to": "accepted"}, format="json", HTTP_IDEMPOTENCY_KEY="tap-1")
    assert replay.status_code == first.status_code == 200
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert JobEvent.objects.filter(assignment=assignment, kind="assignment.step").count() == 2
    assignment.refresh_from_db()
    assert assignment.status == "en_route"


def test_same_key_different_body_is_422(api, dispatcher):
    api.force_authenticate(dispatcher)
    body = {"kind": "accident", "summary": "A", "lat": 36.4, "lng": 115.9}
    assert api.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    response = api.post("/api/v1/jobs/", {**body, "summary": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Job.objects.count() == 1


def test_replayed_create_makes_one_job(api, dispatcher):
    api.force_authenticate(dispatcher)
    body = {"kind": "accident", "summary": "A", "lat": 36.4, "lng": 115.9}
    first = api.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1").json()
    second = api.post("/api/v1/jobs/", body, format="json", HTTP_IDEMPOTENCY_KEY="create-1").json()
    assert first == second and Job.objects.count() == 1


def test_a_refusal_is_replayed_too(api, dispatcher, job, officer):
    api.force_authenticate(dispatcher)
    url = f"/api/v1/jobs/{job.pk}/dispatch/"
    first = api.post(url, {"officers": [officer.pk]}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.status_code == 409
    on_duty(officer)
    again = api.post(url, {"officers": [officer.pk]}, format="json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert again.status_code == 409 and Assignment.objects.count() == 0


def test_keys_are_per_user(api, dispatcher, duty_officer, job):
    api.force_authenticate(dispatcher)
    api.post(f"/api/v1/jobs/{job.pk}/close/", {}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    api.force_authenticate(duty_officer.user)
    response = api.post("/api/v1/me/duty/", {"on_duty": True}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 200


TRUNCATED_DUTY = b'{"on_duty": tru'  # what a flaky network makes of {"on_duty": true}


@pytest.mark.parametrize("key", [None, "duty-1"])
def test_an_unparsable_body_is_a_400_and_changes_nothing_with_or_without_a_key(api, duty_officer, key):
    api.force_authenticate(duty_officer.user)
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    response = api.post("/api/v1/me/duty/", TRUNCATED_DUTY, content_type="application/json", **headers)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"
    duty_officer.refresh_from_db()
    assert duty_officer.on_duty is True
    assert not IdempotencyRecord.objects.exists()


def test_a_different_unparsable_body_under_the_same_key_is_not_replayed(api, duty_officer):
    api.force_authenticate(duty_officer.user)
    first = api.post("/api/v1/me/duty/", TRUNCATED_DUTY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    second = api.post("/api/v1/me/duty/", b'{"on_duty": fal', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, second.status_code) == (400, 400)
    assert "Idempotent-Replayed" not in second
    assert second.json()["code"] == "parse_error"
    duty_officer.refresh_from_db()
    assert duty_officer.on_duty is True


def test_the_whole_body_sent_again_under_the_key_of_a_truncated_one_is_done(api, duty_officer):
    """The phone never meant the truncated body; its retry with the full body must not be refused."""
    api.force_authenticate(duty_officer.user)
    api.post("/api/v1/me/duty/", TRUNCATED_DUTY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    response = api.post("/api/v1/me/duty/", {"on_duty": False}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 200, response.content
    duty_officer.refresh_from_db()
    assert duty_officer.on_duty is False


def test_an_unparsable_body_under_a_key_already_used_is_still_a_400(api, duty_officer):
    api.force_authenticate(duty_officer.user)
    assert api.post("/api/v1/me/duty/", {"on_duty": True}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 200
    response = api.post("/api/v1/me/duty/", TRUNCATED_DUTY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    duty_officer.refresh_from_db()
    assert duty_officer.on_duty is True


def test_dispatch_replay_does_not_push_twice(api, dispatcher, job, duty_officer):
    api.force_authenticate(dispatcher)
    for _ in range(3):
        api.post(f"/api/v1/jobs/{job.pk}/dispatch/", {"officers": [duty_officer.pk]}, format="json",
                 HTTP_IDEMPOTENCY_KEY="d-2")
    assert OfficerMessage.objects.filter(officer=duty_officer).count() == 1


def test_schema_generates_without_warnings_for_dispatch(api):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in ("/api/v1/jobs/", "/api/v1/jobs/{job_id}/dispatch/", "/api/v1/assignments/{assignment_id}/advance/",
                 "/api/v1/me/", "/api/v1/officers/", "/api/v1/jobs/{job_id}/candidates/"):
        assert path in paths
    advance = paths["/api/v1/assignments/{assignment_id}/advance/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in advance["parameters"])
    ours = ("fieldapp", "Job", "Assignment", "Officer", "Candidate", "NextStep", "Shortfall", '"status"', '"kind"')
    dispatch_warnings = [w for w in GENERATOR_STATS._warn_cache if any(name in w for name in ours)]
    assert dispatch_warnings == []


def test_a_job_carries_its_navigation_links_from_the_shared_builder(api, dispatcher, job):
    from common.maps import navigation_links

    api.force_authenticate(dispatcher)
    body = api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["navigation"] == navigation_links(
        lat=job.lat, lng=job.lng, name=job.summary, source="webapp.luchang.field"
    )
    assert "coordinate=wgs84" in body["navigation"]["amap"]


def test_candidates_word_the_distance_and_list_busy_officers_nearby(api, dispatcher, job, duty_officer, other_officer):
    # 铁骑02 is busy on another job 1.3 km north; 铁骑01 stands 300 m north of this one.
    on_duty(duty_officer, lat=job.lat + 0.0027, lng=job.lng)
    on_duty(other_officer, lat=job.lat + 0.012, lng=job.lng)
    dispatch(new_job(dispatcher, summary="另一起"), dispatcher, other_officer)
    api.force_authenticate(dispatcher)
    body = api.get(f"/api/v1/jobs/{job.pk}/candidates/?limit=5").json()
    (candidate,) = body["candidates"]
    assert (candidate["officer"]["id"], candidate["distance_text"]) == (duty_officer.pk, "300 米")
    (busy,) = body["busy_nearby"]
    assert (busy["officer"]["id"], busy["distance_text"]) == (other_officer.pk, "1.3 公里")


@pytest.mark.parametrize("content_type", ["multipart", "urlencoded", "json"])
def test_a_duty_post_without_on_duty_is_refused_and_leaves_the_officer_on_duty(api, duty_officer, content_type):
    """Issue 9, defect 6: DRF reads a missing HTML form field as false, which took the officer off duty."""
    api.force_authenticate(duty_officer.user)
    if content_type == "multipart":
        response = api.post("/api/v1/me/duty/", {})
    elif content_type == "urlencoded":
        response = api.post("/api/v1/me/duty/", "", content_type="application/x-www-form-urlencoded")
    else:
        response = api.post("/api/v1/me/duty/", {}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and "on_duty" in response.json()["fields"]
    duty_officer.refresh_from_db()
    assert duty_officer.on_duty is True


def test_a_form_encoded_duty_post_with_on_duty_false_still_goes_off_duty(api, duty_officer):
    api.force_authenticate(duty_officer.user)
    response = api.post("/api/v1/me/duty/", "on_duty=false", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    duty_officer.refresh_from_db()
    assert duty_officer.on_duty is False

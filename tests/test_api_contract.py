"""The answers agree with the schema, at the edges a hostile test found (issue 9, defect 9)."""
from __future__ import annotations

import pytest


def test_an_api_url_that_matches_no_route_answers_the_json_envelope(api, dispatcher):
    api.force_authenticate(dispatcher)

    response = api.get("/api/v1/jobs/abc/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    assert set(response.json()) == {"detail", "code"}


def test_a_page_that_does_not_exist_is_still_an_html_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_dispatch_error_about_one_officer_is_a_list_of_messages(api, dispatcher, job):
    api.force_authenticate(dispatcher)

    response = api.post(f"/api/v1/jobs/{job.pk}/dispatch/", {"officers": [0]}, format="json")

    assert response.status_code == 400
    officers = response.json()["fields"]["officers"]
    assert isinstance(officers, list) and all(isinstance(message, str) for message in officers)
    assert officers[0].startswith("0: ")


def test_an_empty_day_for_the_figures_is_400(api, dispatcher):
    api.force_authenticate(dispatcher)

    response = api.get("/api/v1/figures/?day=")

    assert response.status_code == 400
    assert response.json()["fields"]["day"]


@pytest.mark.parametrize("query", ["limit=", "lat=&lng=", "open_now="])
def test_an_empty_station_search_parameter_is_400(api, db, query):
    response = api.get(f"/api/v1/stations/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_empty_candidates_limit_is_400(api, dispatcher, job):
    api.force_authenticate(dispatcher)

    assert api.get(f"/api/v1/jobs/{job.pk}/candidates/?limit=").status_code == 400


@pytest.mark.parametrize("start, end", [("0265-01-01", "0265-01-02"), ("2026-12-01", "9999-12-31"), ("1999-12-31", "2000-01-02")])
def test_a_closure_outside_2000_to_2100_is_refused(api, managed_station, station_manager, start, end):
    api.force_authenticate(station_manager)

    response = api.post(
        f"/api/v1/stations/{managed_station.slug}/closures/", {"start_date": start, "end_date": end, "reason": "装修"}, format="json"
    )

    assert response.status_code == 400
    assert not managed_station.closures.exists()


def test_a_closure_in_this_century_is_kept(api, managed_station, station_manager):
    api.force_authenticate(station_manager)

    response = api.post(
        f"/api/v1/stations/{managed_station.slug}/closures/",
        {"start_date": "2026-12-01", "end_date": "2026-12-03", "reason": "装修"},
        format="json",
    )

    assert response.status_code == 201


def test_the_schema_says_distance_m_may_be_null(api, managed_station, station_manager):
    schema = api.get("/api/v1/schema/?format=json").json()
    api.force_authenticate(station_manager)

    detail = api.get(f"/api/v1/stations/{managed_station.slug}/").json()

    assert detail["distance_m"] is None
    distance = schema["components"]["schemas"]["StationDetailOut"]["properties"]["distance_m"]
    assert distance["type"] == "integer" and distance.get("nullable") is True


def test_every_operation_documents_the_error_envelope(api, db):
    schema = api.get("/api/v1/schema/?format=json").json()

    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["responses"]["default"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }, (method, path)


def test_an_unknown_format_answers_the_envelope(api, db):
    response = api.get("/api/v1/stations.geojson?format=%C2%91")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_geojson_documents_both_of_its_types(api, db):
    schema = api.get("/api/v1/schema/?format=json").json()

    content = schema["paths"]["/api/v1/stations.geojson"]["get"]["responses"]["200"]["content"]
    assert {"application/geo+json", "application/json"} <= set(content)



def test_a_cached_model_serializer_builds_its_fields_once_and_gives_each_instance_its_own(db, dispatcher):
    """Fields are built from the model once per class; binding them to one instance must not touch another's."""
    from common.serializers import CachedModelSerializer
    from fieldapp.models import Job
    from fieldapp.serializers import JobSummaryOut
    from tests.helpers import new_job

    class Probe(CachedModelSerializer):
        class Meta:
            model = Job
            fields = ["id", "number"]

    first, second = new_job(dispatcher), new_job(dispatcher)
    one, other = JobSummaryOut(first), JobSummaryOut(second)
    assert one.fields["number"] is not other.fields["number"]
    assert one.fields["number"].parent is one and other.fields["number"].parent is other
    assert (one.data["number"], other.data["number"]) == (first.number, second.number)
    # Each class has its own: a subclass never shows its parent's fields.
    assert "_fields_built" in vars(JobSummaryOut)
    assert list(Probe(first).data) == ["id", "number"] and "_fields_built" in vars(Probe)

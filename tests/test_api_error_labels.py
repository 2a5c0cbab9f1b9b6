"""An API error's detail names the field by its label in the user's language, not by its key.

The officer phone's outbox keeps the detail as the reason a report was refused and /field/
shows it, so it is read by people; `fields` stays keyed by the names clients send.
"""
from __future__ import annotations

from django.utils import translation
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

HAZARDS = "/api/v1/roadwork/hazards/"
NO_DESCRIPTION = {"kind": "sight", "description": "", "address": "柳园路"}


def test_a_refused_hazard_report_names_the_field_by_its_chinese_label(api, officer):
    api.force_authenticate(officer.user)

    response = api.post(HAZARDS, NO_DESCRIPTION, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "详细描述：该字段不能为空。",
        "code": "invalid",
        "fields": {"description": ["该字段不能为空。"]},
    }


def test_a_refused_hazard_report_names_the_field_by_its_english_label_in_english(api, officer):
    api.cookies["django_language"] = "en"
    api.force_authenticate(officer.user)

    response = api.post(HAZARDS, NO_DESCRIPTION, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Description: This field may not be blank."
    assert response.json()["fields"] == {"description": ["This field may not be blank."]}


def test_every_field_of_a_hazard_report_has_a_chinese_label(api, officer):
    api.force_authenticate(officer.user)
    bad = {"kind": "x", "description": "", "found_by": "x", "point": 0, "address": "x" * 201,
           "lat": "x", "lng": "x", "device_time": "x"}

    for name, value in bad.items():
        body = {**NO_DESCRIPTION, "description": "树枝挡住标志", name: value}
        detail = api.post(HAZARDS, body, format="json").json()["detail"]
        label = detail.split("：")[0]
        assert label and not label.isascii(), (name, detail)


def test_an_error_raised_without_a_serializer_names_the_field_by_its_key(api, dispatcher):
    api.force_authenticate(dispatcher)

    response = api.get("/api/v1/jobs/", {"status": "bogus"})

    assert response.status_code == 400
    assert response.json()["detail"] == "status：可选值：open、closed、cancelled、all。"
    assert list(response.json()["fields"]) == ["status"]


class NoSerializerApi(GenericAPIView):
    """A generic view without a serializer class: its get_serializer() raises."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    def get(self, request: Request) -> Response:
        raise exceptions.ValidationError({"day": ["Pick a day."]})


def test_a_generic_view_without_a_serializer_still_answers_400_by_the_key(db):
    request = APIRequestFactory().get("/")

    with translation.override("en"):
        response = NoSerializerApi.as_view()(request)

    assert response.status_code == 400
    assert response.data == {"detail": "day: Pick a day.", "code": "invalid", "fields": {"day": ["Pick a day."]}}


def test_cached_serializer_labels_do_not_depend_on_the_language_of_the_first_request():
    from fieldapp.roadwork_serializers import PointIn

    PointIn._fields_built = None  # as a fresh process has it
    try:
        with translation.override("en"):
            assert PointIn().fields  # the process's first request is in English
        with translation.override("zh-hans"):
            chinese = {name: str(field.label) for name, field in PointIn().fields.items()}
        with translation.override("en"):
            english = {name: str(field.label) for name, field in PointIn().fields.items()}
    finally:
        PointIn._fields_built = None
    assert (chinese["name"], chinese["status"]) == ("名称", "状态")
    assert (english["name"], english["status"]) == ("Name", "Status")


def test_the_officers_refused_items_name_their_fields_in_chinese(api, duty_officer, assignment):
    api.force_authenticate(duty_officer.user)

    step = api.post(f"/api/v1/assignments/{assignment.pk}/advance/", {"to": "accepted", "accuracy": -3}, format="json")
    found = api.post("/api/v1/jobs/found/", {"kind": "ufo", "lat": 36.45, "lng": 115.98}, format="json")
    duty = api.post("/api/v1/me/duty/", {"on_duty": True, "device_time": "yesterday"}, format="json")

    assert (step.status_code, step.json()["detail"]) == (400, "定位精度（米）：请确保该值大于或者等于 0。")
    assert step.json()["fields"] == {"accuracy": ["请确保该值大于或者等于 0。"]}
    assert (found.status_code, found.json()["detail"].split("：")[0]) == (400, "类型")
    assert (duty.status_code, duty.json()["detail"].split("：")[0]) == (400, "手机上的时间")


def fields_labelled_in_english(inputs: list[type]) -> list[str]:
    """Serializer.field for each field whose label, in Chinese, is still the English one made from its name."""
    with translation.override("zh-hans"):
        return [
            f"{serializer.__name__}.{name}" for serializer in inputs for name, field in serializer().fields.items()
            if str(field.label).isascii()
        ]


def test_every_input_the_phone_and_the_desk_send_has_a_chinese_label():
    from fieldapp import records_serializers, serializers

    inputs = [
        serializers.AdvanceIn, serializers.DutyIn, serializers.PositionIn, serializers.JobCreateIn,
        serializers.DispatchIn, serializers.CancelIn, serializers.WithdrawIn, serializers.FiguresIn,
        records_serializers.FoundJobIn, records_serializers.PhotoIn, records_serializers.PartyIn,
        records_serializers.QuickClearanceIn, records_serializers.RescueIn,
    ]
    assert fields_labelled_in_english(inputs) == []


def test_a_station_managers_refused_closure_reads_in_chinese(api, managed_station, station_manager):
    api.force_authenticate(station_manager)

    response = api.post(
        f"/api/v1/stations/{managed_station.slug}/closures/",
        {"start_date": "2026-12-03", "end_date": "2026-12-01", "reason": "检修"}, format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "结束日期：结束日期不能早于开始日期。"
    assert response.json()["fields"] == {"end_date": ["结束日期不能早于开始日期。"]}


def test_every_input_of_the_stations_api_has_a_chinese_label():
    from stations import serializers

    inputs = [
        serializers.StationPatchIn, serializers.ClosureIn, serializers.ClosurePatchIn, serializers.PlaylistAddIn,
        serializers.PlaylistItemPatchIn, serializers.PlaylistOrderIn, serializers.SloganIn, serializers.SloganPatchIn,
        serializers.SloganOrderIn, serializers.SafetyVideoIn,
    ]
    assert fields_labelled_in_english(inputs) == []

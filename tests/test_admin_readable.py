"""Admin in plain Chinese: the station-manager picker and the dispatch audit log."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import django
import pytest
from django.test import Client
from django.utils import timezone, translation

from fieldapp import services
from fieldapp.models import JobEvent
from stations.models import Station

pytestmark = pytest.mark.django_db

SELECT_FILTER_JS = Path(django.__file__).parent / "contrib/admin/static/admin/js/SelectFilter2.js"


@pytest.fixture
def admin_client_(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def picker_strings() -> list[str]:
    """Every string the two-box picker of filter_horizontal passes to gettext()."""
    source = SELECT_FILTER_JS.read_text()
    found = re.findall(r"gettext\('((?:[^'\\]|\\.)*)'\)", source)
    return sorted({text.replace("\\'", "'") for text in found})


def test_the_station_manager_picker_is_in_chinese(admin_client_):
    station = Station.objects.create(name="十里营", slug="shiliying", lat=36.45, lng=115.98, opening_hours="Mo-Su 08:00-18:00")
    form = admin_client_.get(f"/admin/stations/station/{station.pk}/change/").content.decode()
    assert 'src="/admin/jsi18n/"' in form
    assert "SelectFilter2.js" in form

    script = admin_client_.get("/admin/jsi18n/").content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.DOTALL).group(1))

    strings = picker_strings()
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in strings
    assert [text for text in strings if not catalogue.get(text)] == []
    assert catalogue["Choose all %s"] == "全选%s"
    assert catalogue['Choose %s by selecting them and then select the "Choose" arrow button.'] == "选中要添加的%s，再点击“选择”箭头按钮。"


@pytest.fixture
def dispatched_job(dispatcher, officer):
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)
    services.officer_record_position(officer_id=officer.pk, lat=36.45, lng=115.98, accuracy=10.0, at=timezone.now())
    job = services.job_create(created_by=dispatcher, kind="accident", summary="两车追尾", lat=36.45, lng=115.98)
    services.job_dispatch(job_id=job.pk, officer_ids=[officer.pk], dispatcher=dispatcher)
    return job


def test_an_audit_log_row_is_titled_in_words_and_local_time(dispatched_job):
    created = JobEvent.objects.get(job=dispatched_job, kind=JobEvent.Kind.JOB_CREATED)
    local = timezone.localtime(created.at)
    assert local.utcoffset() == timedelta(hours=8)

    with translation.override("zh-hans"):
        title = str(created)

    assert title == f"警情创建 · {local:%Y-%m-%d %H:%M:%S}"
    assert "job.created" not in title


def test_the_audit_log_shows_details_as_lines_not_json(admin_client_, dispatched_job):
    page = admin_client_.get(f"/admin/fieldapp/job/{dispatched_job.pk}/change/").content.decode()
    listing = admin_client_.get("/admin/fieldapp/jobevent/").content.decode()

    for body in (page, listing):
        assert "<div>强制派遣: 否</div>" in body
        assert "警员 ID: " in body
        assert '{"officer_id"' not in body
        assert "&quot;forced&quot;" not in body
    assert "派遣警员 · " in page
    assert "assignment.dispatched" not in page


def test_the_admin_index_names_every_section_and_model_in_chinese(admin_client_):
    """No English left in the sidebar: django-axes' models and the stored road-work presence
    (found by a fresh-eyes review), which once read "AXES", "Access attempts", "Settled window presence"."""
    index = admin_client_.get("/admin/").content.decode()
    for chinese in ("登录保护", "登录尝试", "登录失败", "登录记录", "岗点时段到岗记录"):
        assert chinese in index
    for english in ("Axes", "Access attempts", "Access failures", "Access logs", "Settled window presence"):
        assert english not in index
    presence = admin_client_.get("/admin/fieldapp/settledpresence/").content.decode()
    assert "<title>选择岗点时段到岗记录查看" in presence


def test_api_refusals_are_in_chinese(api, officer, dispatcher):
    """A role's refusal and a body that is not JSON are said in the user's language, not DRF's English."""
    api.force_authenticate(officer.user)
    refused = api.post("/api/v1/jobs/", {"kind": "hazard"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 403 and refused.json()["detail"] == "只有调度员可以这样做。"
    api.force_authenticate(dispatcher)
    broken = api.post("/api/v1/jobs/", data='{"kind": "haz', content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert broken.status_code == 400
    assert broken.json() == {"detail": "请求内容不是有效的 JSON。", "code": "parse_error"}

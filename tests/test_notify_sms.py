"""SMS through the providers' own SDKs, each pointed at a local server that checks the signed request."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from fieldapp.models import NotificationAttempt
from fieldapp.notify import base
from fieldapp.notify import services as notify
from fieldapp.notify.sms import AliyunSmsChannel, TencentSmsChannel
from tests.notify_support import (
    Seen,
    acs3_signature_ok,
    json_answer,
    provider_settings,
    serving,
    tc3_signature_ok,
)

AK, SECRET = "LTAI-test-key", "aliyun-test-secret"
TC_ID, TC_KEY = "AKID-test-id", "tencent-test-key"


class Behaviour:
    mode = "ok"


@pytest.fixture(scope="module")
def aliyun():
    def answer(seen: Seen):
        if "LTAI-unknown" in seen.headers.get("authorization", ""):
            return json_answer({"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found.",
                                "RequestId": "R-404"}, status=404)
        if not acs3_signature_ok(seen, SECRET):
            return json_answer({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched.",
                                "RequestId": "R-400"}, status=400)
        if Behaviour.mode == "slow":
            time.sleep(1.5)
        if Behaviour.mode == "limit":
            return json_answer({"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1",
                                "RequestId": "R-limit"})
        return json_answer({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R-ok"})

    yield from serving(answer)


@pytest.fixture(scope="module")
def tencent():
    def answer(seen: Seen):
        if not tc3_signature_ok(seen, TC_KEY):
            return json_answer({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                       "Message": "The provided credentials could not be validated."},
                                             "RequestId": "T-auth"}}, content_type="application/json")
        if Behaviour.mode == "slow":
            time.sleep(2.5)
        request = seen.json()
        code, message = ("Ok", "send success") if Behaviour.mode == "ok" else (
            "LimitExceeded.PhoneNumberDailyLimit", "the number of SMS messages sent from a single mobile number every day exceeds the upper limit")
        return json_answer({"Response": {"SendStatusSet": [{
            "SerialNo": "2028:f825e6b16e23f73f4123", "PhoneNumber": request["PhoneNumberSet"][0], "Fee": 1,
            "SessionContext": request.get("SessionContext", ""), "Code": code, "Message": message, "IsoCode": "CN",
        }], "RequestId": "T-ok"}}, content_type="application/json")

    yield from serving(answer)


@pytest.fixture
def aliyun_settings(settings, aliyun):
    Behaviour.mode = "ok"
    return provider_settings(
        settings, aliyun, name="NOTIFY_ALIYUN", timeout_s=0.5, access_key_id=AK, access_key_secret=SECRET,
        protocol="http", sms_endpoint=aliyun.host, sms_sign_name="路畅", sms_template_code="SMS_465000001",
    )


@pytest.fixture
def tencent_settings(settings, tencent):
    Behaviour.mode = "ok"
    return provider_settings(
        settings, tencent, name="NOTIFY_TENCENT", timeout_s=1, secret_id=TC_ID, secret_key=TC_KEY,
        protocol="http", endpoint=tencent.host, sdk_app_id="1400000001", sign_name="路畅", template_id="2000001",
    )


@pytest.fixture
def context(assignment, duty_officer):
    duty_officer.phone = "13800138000"
    duty_officer.save(update_fields=["phone"])
    assignment.refresh_from_db()
    return notify.attempt_context(assignment=assignment, step="sms")


# --- Alibaba Cloud --------------------------------------------------------

def test_aliyun_sms_is_a_signed_send_sms_with_the_job_in_the_template(aliyun_settings, aliyun, context, assignment):
    result = AliyunSmsChannel().send(context)
    assert (result.result, result.provider_message_id) == ("sent", "900619746936498440^0")
    (seen,) = aliyun.requests
    assert seen.headers["x-acs-action"] == "SendSms" and seen.headers["x-acs-version"] == "2017-05-25"
    assert acs3_signature_ok(seen, SECRET)
    assert seen.query["PhoneNumbers"] == ["13800138000"]
    assert seen.query["SignName"] == ["路畅"] and seen.query["TemplateCode"] == ["SMS_465000001"]
    job = assignment.job
    assert json.loads(seen.query["TemplateParam"][0]) == {
        "number": job.number, "kind": context.kind_label, "address": job.summary,
        "link": f"http://127.0.0.1:8000/field/?job={job.pk}",
    }


def test_aliyun_provider_error_code_is_a_failed_attempt(aliyun_settings, context):
    Behaviour.mode = "limit"
    result = AliyunSmsChannel().send(context)
    assert result.result == "failed"
    assert result.reason.startswith("isv.BUSINESS_LIMIT_CONTROL")


def test_aliyun_time_out_is_a_failed_attempt_within_the_setting(aliyun_settings, context):
    Behaviour.mode = "slow"
    started = time.monotonic()
    result = AliyunSmsChannel().send(context)
    assert time.monotonic() - started < 1.4
    assert result.result == "failed"
    assert "timed out" in result.reason.lower() or "timeout" in result.reason.lower()


def test_aliyun_wrong_secret_fails_the_signature_check(aliyun_settings, context):
    aliyun_settings.NOTIFY_ALIYUN = {**aliyun_settings.NOTIFY_ALIYUN, "access_key_secret": "wrong"}
    result = AliyunSmsChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("SignatureDoesNotMatch")


def test_aliyun_unknown_key_is_a_failed_attempt(aliyun_settings, context):
    aliyun_settings.NOTIFY_ALIYUN = {**aliyun_settings.NOTIFY_ALIYUN, "access_key_id": "LTAI-unknown"}
    result = AliyunSmsChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("InvalidAccessKeyId.NotFound")


def test_no_phone_number_is_skipped_without_a_request(aliyun_settings, aliyun, assignment, duty_officer):
    duty_officer.phone = ""
    duty_officer.save(update_fields=["phone"])
    assignment.refresh_from_db()
    context = notify.attempt_context(assignment=assignment, step="sms")
    assert AliyunSmsChannel().send(context).result == "skipped"
    assert aliyun.requests == []


def test_the_worker_sends_one_aliyun_sms_after_a_missed_receipt(aliyun_settings, aliyun, context, assignment):
    aliyun_settings.NOTIFY_CHANNELS = ["fieldapp.notify.sms.AliyunSmsChannel"]
    base._load.cache_clear()
    try:
        for seconds in (0, 20, 21, 30):
            notify.run_due(worker="test", now=assignment.dispatched_at + timedelta(seconds=seconds))
    finally:
        base._load.cache_clear()
    assert len(aliyun.requests) == 1
    attempt = NotificationAttempt.objects.get(assignment=assignment, channel="sms")
    assert (attempt.result, attempt.provider_message_id) == ("sent", "900619746936498440^0")


# --- Tencent Cloud --------------------------------------------------------

def test_tencent_sms_is_a_signed_send_sms_with_the_job_in_the_template(tencent_settings, tencent, context, assignment):
    result = TencentSmsChannel().send(context)
    assert (result.result, result.provider_message_id) == ("sent", "2028:f825e6b16e23f73f4123")
    (seen,) = tencent.requests
    assert seen.headers["x-tc-action"] == "SendSms" and seen.headers["x-tc-version"] == "2021-01-11"
    assert tc3_signature_ok(seen, TC_KEY)
    request = seen.json()
    job = assignment.job
    assert request["PhoneNumberSet"] == ["+8613800138000"]
    assert (request["SmsSdkAppId"], request["SignName"], request["TemplateId"]) == ("1400000001", "路畅", "2000001")
    assert request["TemplateParamSet"] == [
        job.number, context.kind_label, job.summary, f"http://127.0.0.1:8000/field/?job={job.pk}",
    ]


def test_tencent_per_number_error_code_is_a_failed_attempt(tencent_settings, context):
    Behaviour.mode = "limit"
    result = TencentSmsChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("LimitExceeded.PhoneNumberDailyLimit")


def test_tencent_time_out_is_a_failed_attempt(tencent_settings, context):
    Behaviour.mode = "slow"
    started = time.monotonic()
    result = TencentSmsChannel().send(context)
    assert time.monotonic() - started < 2.4
    assert result.result == "failed"


def test_tencent_bad_credential_is_a_failed_attempt(tencent_settings, context):
    tencent_settings.NOTIFY_TENCENT = {**tencent_settings.NOTIFY_TENCENT, "secret_key": "wrong"}
    result = TencentSmsChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("AuthFailure.SignatureFailure")

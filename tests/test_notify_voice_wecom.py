"""Voice calls (Alibaba Cloud TTS, its own SDK) and WeCom text cards (httpx), each against a local server."""
from __future__ import annotations

import json
import time

import pytest

from fieldapp.notify import services as notify
from fieldapp.notify import wecom as wecom_module
from fieldapp.notify.voice import AliyunVoiceChannel
from fieldapp.notify.wecom import WeComChannel
from tests.notify_support import Seen, acs3_signature_ok, json_answer, provider_settings, serving

AK, SECRET = "LTAI-voice-key", "aliyun-voice-secret"


class Mode:
    voice = "ok"
    wecom = "ok"


@pytest.fixture(scope="module")
def vms():
    def answer(seen: Seen):
        if not acs3_signature_ok(seen, SECRET):
            return json_answer({"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched.",
                                "RequestId": "V-400"}, status=400)
        if Mode.voice == "slow":
            time.sleep(0.9)
        if Mode.voice == "error":
            return json_answer({"Code": "isv.OUT_OF_SERVICE", "Message": "业务停机", "RequestId": "V-err"})
        return json_answer({"Code": "OK", "Message": "OK", "CallId": "116012354148^10281378", "RequestId": "V-ok"})

    yield from serving(answer)


@pytest.fixture(scope="module")
def qyapi():
    def answer(seen: Seen):
        if seen.path == "/cgi-bin/gettoken":
            if seen.query.get("corpsecret") != ["wecom-secret"]:
                return json_answer({"errcode": 40001, "errmsg": "invalid credential"})
            return json_answer({"errcode": 0, "errmsg": "ok", "access_token": "TOKEN-1", "expires_in": 7200})
        if seen.path == "/cgi-bin/message/send":
            if seen.query.get("access_token") != ["TOKEN-1"]:
                return json_answer({"errcode": 40014, "errmsg": "invalid access_token"})
            if Mode.wecom == "slow":
                time.sleep(0.9)
            if Mode.wecom == "error":
                return json_answer({"errcode": 81013, "errmsg": "user & party & tag all invalid"})
            return json_answer({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": "MSG-42"})
        return json_answer({"errcode": 404}, status=404)

    yield from serving(answer)


@pytest.fixture
def context(assignment):
    return notify.attempt_context(assignment=assignment, step="voice")


@pytest.fixture
def voice_settings(settings, vms):
    Mode.voice = "ok"
    return provider_settings(
        settings, vms, name="NOTIFY_ALIYUN", timeout_s=0.3, access_key_id=AK, access_key_secret=SECRET,
        protocol="http", voice_endpoint=vms.host, voice_tts_code="TTS_10001", voice_show_number="057100000000",
    )


@pytest.fixture
def wecom_settings(settings, qyapi):
    Mode.wecom = "ok"
    wecom_module._token.clear()
    return provider_settings(
        settings, qyapi, name="NOTIFY_WECOM", timeout_s=0.3, corp_id="ww0123", secret="wecom-secret",
        agent_id="1000002", base_url=f"http://{qyapi.host}",
    )


def test_voice_call_is_a_signed_single_call_by_tts(voice_settings, vms, context, assignment):
    result = AliyunVoiceChannel().send(context)
    assert (result.result, result.provider_message_id) == ("sent", "116012354148^10281378")
    (seen,) = vms.requests
    assert seen.headers["x-acs-action"] == "SingleCallByTts" and seen.headers["x-acs-version"] == "2017-05-25"
    assert seen.query["CalledNumber"] == [assignment.officer.phone]
    assert seen.query["TtsCode"] == ["TTS_10001"] and seen.query["CalledShowNumber"] == ["057100000000"]
    assert json.loads(seen.query["TtsParam"][0])["number"] == assignment.job.number


def test_voice_provider_error_code_is_a_failed_attempt(voice_settings, context):
    Mode.voice = "error"
    result = AliyunVoiceChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("isv.OUT_OF_SERVICE")


def test_voice_time_out_is_a_failed_attempt(voice_settings, context):
    Mode.voice = "slow"
    started = time.monotonic()
    assert AliyunVoiceChannel().send(context).result == "failed"
    assert time.monotonic() - started < 0.85


def test_voice_bad_credential_is_a_failed_attempt(voice_settings, context):
    voice_settings.NOTIFY_ALIYUN = {**voice_settings.NOTIFY_ALIYUN, "access_key_secret": "wrong"}
    result = AliyunVoiceChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("SignatureDoesNotMatch")


def test_wecom_sends_a_text_card_with_the_link_to_the_badge_number(wecom_settings, qyapi, context, assignment):
    result = WeComChannel().send(context)
    assert (result.result, result.provider_message_id) == ("sent", "MSG-42")
    token, send = qyapi.requests
    assert token.query["corpid"] == ["ww0123"]
    message = send.json()
    assert message["touser"] == assignment.officer.badge_number
    assert message["msgtype"] == "textcard" and message["agentid"] == 1000002
    assert message["textcard"]["url"] == f"http://127.0.0.1:8000/field/?job={assignment.job_id}"
    assert assignment.job.number in message["textcard"]["title"]


def test_wecom_keeps_its_token_between_messages(wecom_settings, qyapi, context):
    WeComChannel().send(context)
    WeComChannel().send(context)
    assert [seen.path for seen in qyapi.requests] == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]


def test_wecom_error_code_is_a_failed_attempt(wecom_settings, context):
    Mode.wecom = "error"
    result = WeComChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("81013")


def test_wecom_time_out_is_a_failed_attempt(wecom_settings, context):
    Mode.wecom = "slow"
    started = time.monotonic()
    assert WeComChannel().send(context).result == "failed"
    assert time.monotonic() - started < 0.85


def test_wecom_bad_secret_is_a_failed_attempt(wecom_settings, context):
    wecom_settings.NOTIFY_WECOM = {**wecom_settings.NOTIFY_WECOM, "secret": "wrong"}
    result = WeComChannel().send(context)
    assert result.result == "failed" and result.reason.startswith("40001")

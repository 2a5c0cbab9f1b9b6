"""SMS through the providers' own SDKs: Alibaba Cloud (dysmsapi 2017-05-25) and Tencent Cloud (sms 2021-01-11).

Enable one (or both, the second as a fallback) in NOTIFY_CHANNELS:
`fieldapp.notify.sms.AliyunSmsChannel`, `fieldapp.notify.sms.TencentSmsChannel`.
The template is approved at the provider; it gets the job number, the kind,
the address and the link (Aliyun by name: number, kind, address, link;
Tencent by position {1}..{4}).
"""
from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from fieldapp.notify.base import AttemptContext, Channel, Result


def template_values(context: AttemptContext) -> dict[str, str]:
    return {
        "number": context.job_number,
        "kind": context.kind_label,
        "address": (context.address or context.summary)[:35],
        "link": context.link,
    }


def _aliyun_runtime():  # type: ignore[no-untyped-def]
    from alibabacloud_tea_util import models as util_models

    timeout_ms = int(settings.NOTIFY_TIMEOUT_S * 1000)
    return util_models.RuntimeOptions(
        read_timeout=timeout_ms, connect_timeout=timeout_ms, autoretry=False, max_attempts=1
    )


def _aliyun_config(endpoint: str):  # type: ignore[no-untyped-def]
    from alibabacloud_tea_openapi import models as open_api_models

    conf = settings.NOTIFY_ALIYUN
    return open_api_models.Config(
        access_key_id=conf["access_key_id"], access_key_secret=conf["access_key_secret"],
        endpoint=endpoint, protocol=conf.get("protocol") or "https",
    )


_clients: dict[tuple[Any, ...], Any] = {}


def aliyun_client(client_class: type, endpoint: str) -> Any:
    """One SDK client per class and configuration: building one costs several milliseconds."""
    conf = settings.NOTIFY_ALIYUN
    key = (client_class, endpoint, conf["access_key_id"], conf["access_key_secret"], conf.get("protocol"))
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = client_class(_aliyun_config(endpoint))
    return client


def aliyun_failure(exc: Exception) -> Result:
    """A Tea SDK error in words: the provider's code and message, or the transport's."""
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc)
    if code:
        return Result.failed(f"{code}: {message}")
    return Result.failed(f"{exc.__class__.__name__}: {message}")


class AliyunSmsChannel(Channel):
    name = "sms"

    def send(self, context: AttemptContext) -> Result:
        from alibabacloud_dysmsapi20170525 import models as sms_models
        from alibabacloud_dysmsapi20170525.client import Client

        conf = settings.NOTIFY_ALIYUN
        if not context.phone:
            return Result.skipped(_("No phone number for this officer."))
        if not (conf["access_key_id"] and conf["sms_sign_name"] and conf["sms_template_code"]):
            return Result.skipped(_("Alibaba Cloud SMS is not configured."))
        request = sms_models.SendSmsRequest(
            phone_numbers=context.phone, sign_name=conf["sms_sign_name"], template_code=conf["sms_template_code"],
            template_param=json.dumps(template_values(context), ensure_ascii=False),
            out_id=f"assignment-{context.assignment_id}",
        )
        try:
            response = aliyun_client(Client, conf["sms_endpoint"]).send_sms_with_options(request, _aliyun_runtime())
        except Exception as exc:  # noqa: BLE001 - the SDK raises for refusals, credentials and time-outs alike.
            return aliyun_failure(exc)
        body = response.body
        if body.code != "OK":
            return Result.failed(f"{body.code}: {body.message}", provider_message_id=body.request_id or "")
        return Result.sent(provider_message_id=body.biz_id or "")


class TencentSmsChannel(Channel):
    name = "sms"

    def send(self, context: AttemptContext) -> Result:
        from tencentcloud.common import credential
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models, sms_client

        conf = settings.NOTIFY_TENCENT
        if not context.phone:
            return Result.skipped(_("No phone number for this officer."))
        if not (conf["secret_id"] and conf["sdk_app_id"] and conf["sign_name"] and conf["template_id"]):
            return Result.skipped(_("Tencent Cloud SMS is not configured."))
        http = HttpProfile(
            protocol=conf.get("protocol") or "https", endpoint=conf["endpoint"],
            reqTimeout=max(1, round(settings.NOTIFY_TIMEOUT_S)),
        )
        client = sms_client.SmsClient(
            credential.Credential(conf["secret_id"], conf["secret_key"]), conf["region"],
            ClientProfile(httpProfile=http),
        )
        request = models.SendSmsRequest()
        phone = context.phone if context.phone.startswith("+") else f"+86{context.phone}"
        values = template_values(context)
        request.PhoneNumberSet = [phone]
        request.SmsSdkAppId = conf["sdk_app_id"]
        request.SignName = conf["sign_name"]
        request.TemplateId = conf["template_id"]
        request.TemplateParamSet = [values["number"], values["kind"], values["address"], values["link"]]
        request.SessionContext = f"assignment-{context.assignment_id}"
        try:
            response = client.SendSms(request)
        except TencentCloudSDKException as exc:
            return Result.failed(f"{exc.get_code()}: {exc.get_message()}", provider_message_id=exc.get_request_id() or "")
        except Exception as exc:  # noqa: BLE001 - transport errors.
            return Result.failed(f"{exc.__class__.__name__}: {exc}")
        (status,) = response.SendStatusSet
        if status.Code != "Ok":
            return Result.failed(f"{status.Code}: {status.Message}", provider_message_id=status.SerialNo or "")
        return Result.sent(provider_message_id=status.SerialNo or "")

"""Voice notification by TTS template through Alibaba Cloud (dyvmsapi 2017-05-25): `fieldapp.notify.voice.AliyunVoiceChannel`.

The TTS template reads the job number, the kind and the address (number, kind, address).
"""
from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _

from fieldapp.notify.base import AttemptContext, Channel, Result
from fieldapp.notify.sms import _aliyun_runtime, aliyun_client, aliyun_failure


class AliyunVoiceChannel(Channel):
    name = "voice"

    def send(self, context: AttemptContext) -> Result:
        from alibabacloud_dyvmsapi20170525 import models as vms_models
        from alibabacloud_dyvmsapi20170525.client import Client

        conf = settings.NOTIFY_ALIYUN
        if not context.phone:
            return Result.skipped(_("No phone number for this officer."))
        if not (conf["access_key_id"] and conf["voice_tts_code"]):
            return Result.skipped(_("Alibaba Cloud voice is not configured."))
        request = vms_models.SingleCallByTtsRequest(
            called_number=context.phone, called_show_number=conf["voice_show_number"] or None,
            tts_code=conf["voice_tts_code"],
            tts_param=json.dumps(
                {"number": context.job_number, "kind": context.kind_label,
                 "address": (context.address or context.summary)[:35]},
                ensure_ascii=False,
            ),
            out_id=f"assignment-{context.assignment_id}",
        )
        try:
            response = aliyun_client(Client, conf["voice_endpoint"]).single_call_by_tts_with_options(
                request, _aliyun_runtime()
            )
        except Exception as exc:  # noqa: BLE001 - the SDK raises for refusals, credentials and time-outs alike.
            return aliyun_failure(exc)
        body = response.body
        if body.code != "OK":
            return Result.failed(f"{body.code}: {body.message}", provider_message_id=body.request_id or "")
        return Result.sent(provider_message_id=body.call_id or "")

"""WeCom (企业微信) application message, a text card with a link, over plain HTTP (httpx): `fieldapp.notify.wecom.WeComChannel`.

The access token is fetched with the corp id and the app's secret and kept in
the process until shortly before it expires (WeCom: 7200 s).
"""
from __future__ import annotations

import threading
import time

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fieldapp.notify.base import AttemptContext, Channel, Result

_token_lock = threading.Lock()
_token: dict[str, tuple[str, float]] = {}
# WeCom's codes for a token that has expired or is invalid: fetch a new one and try once more.
TOKEN_ERRORS = {40014, 42001}


class WeComError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def _access_token(client: httpx.Client, conf: dict[str, str], *, fresh: bool = False) -> str:
    key = f"{conf['base_url']}|{conf['corp_id']}|{conf['agent_id']}"
    with _token_lock:
        cached = _token.get(key)
        if cached and not fresh and cached[1] > time.monotonic():
            return cached[0]
        answer = client.get(
            f"{conf['base_url']}/cgi-bin/gettoken", params={"corpid": conf["corp_id"], "corpsecret": conf["secret"]}
        ).json()
        if answer.get("errcode", 0) != 0:
            raise WeComError(answer.get("errcode", -1), answer.get("errmsg", ""))
        _token[key] = (answer["access_token"], time.monotonic() + int(answer.get("expires_in", 7200)) - 300)
        return answer["access_token"]


class WeComChannel(Channel):
    name = "wecom"

    def send(self, context: AttemptContext) -> Result:
        conf = settings.NOTIFY_WECOM
        if not (conf["corp_id"] and conf["secret"] and conf["agent_id"]):
            return Result.skipped(_("WeCom is not configured."))
        if not context.wecom_userid:
            return Result.skipped(_("No WeCom user for this officer."))
        description = "<br>".join(
            part for part in (context.kind_label, context.summary, context.address, context.distance_text) if part
        )
        message = {
            "touser": context.wecom_userid, "msgtype": "textcard", "agentid": int(conf["agent_id"]),
            "textcard": {
                "title": _("New job %(number)s") % {"number": context.job_number},
                "description": description, "url": context.link, "btntxt": pgettext("wecom card button", "Open"),
            },
        }
        try:
            with httpx.Client(timeout=settings.NOTIFY_TIMEOUT_S) as client:
                answer = self._post(client, conf, message)
                if answer.get("errcode") in TOKEN_ERRORS:
                    answer = self._post(client, conf, message, fresh=True)
        except WeComError as exc:
            return Result.failed(str(exc))
        except (httpx.HTTPError, ValueError) as exc:
            return Result.failed(f"{exc.__class__.__name__}: {exc}")
        if answer.get("errcode", -1) != 0:
            return Result.failed(f"{answer.get('errcode')}: {answer.get('errmsg', '')}")
        return Result.sent(provider_message_id=str(answer.get("msgid", "")))

    def _post(self, client: httpx.Client, conf: dict[str, str], message: dict, *, fresh: bool = False) -> dict:
        token = _access_token(client, conf, fresh=fresh)
        response = client.post(f"{conf['base_url']}/cgi-bin/message/send", params={"access_token": token}, json=message)
        return response.json()

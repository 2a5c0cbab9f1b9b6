"""Helpers of the notification tests: recording channels and a local fake provider server."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fieldapp.notify.base import AttemptContext, Channel, Result

SENT: list[tuple[str, AttemptContext]] = []


class RecordingSms(Channel):
    name = "sms"

    def send(self, context: AttemptContext) -> Result:
        SENT.append((self.name, context))
        return Result.sent(provider_message_id=f"sms-{len(SENT)}")


class RecordingVoice(Channel):
    name = "voice"

    def send(self, context: AttemptContext) -> Result:
        SENT.append((self.name, context))
        return Result.sent(provider_message_id=f"call-{len(SENT)}")


class FailingSms(Channel):
    name = "sms"

    def send(self, context: AttemptContext) -> Result:
        SENT.append(("sms-failing", context))
        return Result.failed("provider down")


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class FakeProvider:
    """A threaded HTTP server on 127.0.0.1; `answer(seen) -> (status, headers, body)` decides the reply."""

    answer: Callable[[Seen], tuple[int, dict[str, str], bytes]]
    requests: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> FakeProvider:
        import time

        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes; without this, Nagle and the client's delayed ACK add 40 ms.
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(
                    self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic(),
                )
                provider.requests.append(seen)
                status, headers, reply = provider.answer(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def serving(answer: Callable[[Seen], tuple[int, dict[str, str], bytes]]) -> Iterator[FakeProvider]:
    """The body of a module fixture (`yield from serving(answer)`): a local provider server, stopped at the end."""
    server = FakeProvider(answer).start()
    yield server
    server.stop()


def provider_settings(settings: Any, provider: FakeProvider, *, name: str, timeout_s: float, **values: Any) -> Any:
    """Point the provider setting `name` at the local server, with a short timeout and no requests seen yet."""
    provider.requests.clear()
    settings.NOTIFY_TIMEOUT_S = timeout_s
    setattr(settings, name, {**getattr(settings, name), **values})
    return settings


def json_answer(
    payload: Any, status: int = 200, content_type: str = "application/json;charset=utf-8"
) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": content_type}, json.dumps(payload).encode()


# --- provider signatures, checked as the providers check them --------------

def _sha256_hex(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    import hashlib
    import hmac

    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def acs3_signature_ok(seen: Seen, secret: str) -> bool:
    """Alibaba Cloud's ACS3-HMAC-SHA256 (V3 signature), recomputed from what arrived."""
    import hmac as hmac_module
    from urllib.parse import quote

    auth = seen.headers.get("authorization", "")
    if not auth.startswith("ACS3-HMAC-SHA256 "):
        return False
    fields = dict(part.split("=", 1) for part in auth[len("ACS3-HMAC-SHA256 "):].split(","))
    signed = fields["SignedHeaders"].split(";")
    pairs = sorted(
        (quote(key, safe="~"), quote(value, safe="~")) for key, values in seen.query.items() for value in values
    )
    canonical = "\n".join([
        seen.method, seen.path or "/", "&".join(f"{k}={v}" for k, v in pairs),
        "".join(f"{name}:{seen.headers.get(name, '').strip()}\n" for name in signed),
        fields["SignedHeaders"], seen.headers.get("x-acs-content-sha256", ""),
    ])
    if seen.headers.get("x-acs-content-sha256") != _sha256_hex(seen.body):
        return False
    string_to_sign = f"ACS3-HMAC-SHA256\n{_sha256_hex(canonical.encode())}"
    expected = _hmac(secret.encode(), string_to_sign).hex()
    return hmac_module.compare_digest(expected, fields["Signature"])


def tc3_signature_ok(seen: Seen, secret_key: str) -> bool:
    """Tencent Cloud's TC3-HMAC-SHA256, recomputed from what arrived."""
    import hmac as hmac_module
    from datetime import datetime

    auth = seen.headers.get("authorization", "")
    if not auth.startswith("TC3-HMAC-SHA256 "):
        return False
    fields = dict(part.strip().split("=", 1) for part in auth[len("TC3-HMAC-SHA256 "):].split(","))
    _secret_id, date, service, _end = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    canonical = "\n".join([
        seen.method, "/", "", "".join(f"{name}:{seen.headers.get(name, '').strip().lower() if name == 'content-type' else seen.headers.get(name, '').strip()}\n" for name in signed),
        fields["SignedHeaders"], _sha256_hex(seen.body),
    ])
    timestamp = seen.headers.get("x-tc-timestamp", "")
    if datetime.fromtimestamp(int(timestamp), tz=UTC).strftime("%Y-%m-%d") != date:
        return False
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical.encode())}"
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac_module.compare_digest(_hmac(key, string_to_sign).hex(), fields["Signature"])

"""Helpers of the notification tests: recording channels and a local fake provider server."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
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


def json_answer(payload: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(payload).encode()

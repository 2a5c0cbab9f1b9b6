"""What every WebSocket of the app shares: the origin check, frame limits and JSON parsing.

A socket is a door anyone on the network can knock at, so each one checks the
same things before a consumer sees a frame: the handshake comes from the
page's own origin (scheme, host and port), a frame is at most
WS_MAX_FRAME_BYTES, a connection sends at most WS_FRAME_BURST frames at once
and WS_FRAME_RATE_PER_S after that, and a frame is a JSON object.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host

log = logging.getLogger(__name__)

# RFC 6455's "message too big", and our own "too many frames" (reconnect with backoff).
CLOSE_TOO_BIG = 1009
CLOSE_TOO_MANY_FRAMES = 4429

DEFAULT_PORTS = {"http": 80, "https": 443}


# --- origin ------------------------------------------------------------------

def _origin_parts(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _origin_matches(origin: tuple[str, str, int], pattern: str) -> bool:
    # CSRF_TRUSTED_ORIGINS may name every subdomain: "https://*.example.com".
    wildcard = "://*." in pattern
    allowed = _origin_parts(pattern.replace("://*.", "://", 1))
    if allowed is None or (origin[0], origin[2]) != (allowed[0], allowed[2]):
        return False
    return is_same_domain(origin[1], f".{allowed[1]}") if wildcard else origin[1] == allowed[1]


def _is_secure(scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    if settings.SECURE_PROXY_SSL_HEADER:
        name, value = settings.SECURE_PROXY_SSL_HEADER
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        return headers.get(header, b"").decode("latin1") == value
    return False


def origin_allowed(scope: dict[str, Any]) -> bool:
    """The handshake's Origin is the page's own (the Host it asked for), or a CSRF-trusted origin.

    The same rule as Django's CSRF check for a POST, so a page the app serves
    can open its sockets and no other page can, whatever port it is on.
    """
    headers = {name: value for name, value in scope.get("headers", [])}
    try:
        origin = headers.get(b"origin", b"").decode("ascii")
        host = headers.get(b"host", b"").decode("ascii")
    except UnicodeDecodeError:
        return False
    parsed = _origin_parts(origin)
    domain, _port = split_domain_port(host)
    if parsed is None or not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    own = f"{'https' if _is_secure(scope, headers) else 'http'}://{host}"
    return any(_origin_matches(parsed, pattern) for pattern in (own, *settings.CSRF_TRUSTED_ORIGINS))


class SameOriginValidator:
    """ASGI middleware: refuses (HTTP 403) a WebSocket handshake from any other origin."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


# --- frames ------------------------------------------------------------------

@dataclass
class TokenBucket:
    """`burst` frames at once, then `rate` a second; the caller passes the clock."""

    rate: float
    burst: float
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _size(raw: str | bytes) -> int:
    if isinstance(raw, bytes):
        return len(raw)
    return len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))


class GuardedFrames(AsyncJsonWebsocketConsumer):
    """Parses frames itself, within the limits above; a consumer implements `receive_frame`.

    A frame that is not a JSON object gets a `bad_json` error frame and the
    socket stays open; a frame too big closes it with 1009; a flood gets a
    `rate_limited` error frame and a close with 4429.
    """

    _bucket: TokenBucket | None = None
    _closing = False

    _kept_groups: list[str] = []
    _renewer: asyncio.Future[None] | None = None

    async def receive_frame(self, content: dict[str, Any]) -> None:
        raise NotImplementedError

    # Redis can forget a socket's group membership (a restart without
    # persistence, or the layer's group_expiry), and the socket, alive as
    # ever, would hear no push again. So each socket joins its groups again
    # every WS_GROUP_RENEW_S, by a message to its own channel, so that the
    # renewal runs between handlers like any other message.

    async def keep_groups(self, groups: list[str]) -> None:
        """Join the groups now (this may raise, e.g. with Redis down) and renew them from then on."""
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self._kept_groups = list(groups)
        self._renewer = asyncio.ensure_future(self._renew_every(float(settings.WS_GROUP_RENEW_S)))

    async def leave_groups(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
        for group in self._kept_groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # noqa: BLE001 - the membership expires by itself.
                log.warning("leaving %s failed", group, exc_info=True)

    async def _renew_every(self, period_s: float) -> None:
        # The first renewal comes at a random point of the first period: sockets opened
        # together (a reconnect storm, a shift starting) would otherwise renew together
        # for ever, and an officer's renewal reads the database on the thread that
        # also serves the desk's requests (a dispatch waited behind a burst of them).
        delay = period_s * random.uniform(0.5, 1.0)
        while True:
            await asyncio.sleep(delay)
            delay = period_s
            try:
                await self.channel_layer.send(self.channel_name, {"type": "groups.renew"})
            except Exception:  # noqa: BLE001 - the layer is down; try at the next tick.
                log.warning("group renewal of %s not sent", self.channel_name, exc_info=True)

    async def groups_renew(self, event: dict[str, Any]) -> None:
        for group in self._kept_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.groups_renewed()

    async def groups_renewed(self) -> None:
        """After a renewal; a consumer whose pushes are stored reads what it may have missed."""

    def frame_is_owed(self, content: dict[str, Any]) -> bool:
        """A frame the server asked for (e.g. the ack of a frame it sent) costs no token."""
        return False

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def send_error(self, code: str, detail: str, frame_type: str | None = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
        if frame_type:
            frame["frame_type"] = frame_type
        await self.send_frame(frame)

    async def close_for(self, code: int) -> None:
        # Frames already queued behind this one are not looked at.
        self._closing = True
        await self.close(code=code)

    def _take_token(self) -> bool:
        now = time.monotonic()
        if self._bucket is None:
            burst = float(settings.WS_FRAME_BURST)
            self._bucket = TokenBucket(rate=float(settings.WS_FRAME_RATE_PER_S), burst=burst, tokens=burst, at=now)
        return self._bucket.take(now)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self._closing:
            return
        raw: str | bytes = text_data if text_data is not None else (bytes_data or b"")
        if _size(raw) > settings.WS_MAX_FRAME_BYTES:
            await self.close_for(CLOSE_TOO_BIG)
            return
        content: Any = None
        problem: str | None = None
        try:
            content = json.loads(raw)
        except (ValueError, RecursionError):
            # A UnicodeDecodeError is a ValueError; a RecursionError is JSON nested too deep to read.
            problem = "The frame is not valid JSON."
        else:
            if not isinstance(content, dict):
                problem = "A frame must be a JSON object."
        if not (problem is None and self.frame_is_owed(content)) and not self._take_token():
            await self.send_error("rate_limited", "Too many frames on this socket; reconnect later.")
            await self.close_for(CLOSE_TOO_MANY_FRAMES)
            return
        if problem is not None:
            await self.send_error("bad_json", problem)
            return
        await self.receive_frame(content)


# --- Daphne ------------------------------------------------------------------

def daphne_fails_with_close_frames() -> None:
    """Make Daphne answer a protocol error (e.g. a message over its size limit) with a close frame.

    Autobahn, under Daphne, drops the TCP connection by default ("failByDrop"),
    so a phone that sent too big a frame sees 1006 and cannot tell why. Daphne
    has no option for it, and builds its factory after importing the ASGI
    application, so the application's module sets it here.
    """
    try:
        from daphne.ws_protocol import WebSocketFactory
    except ImportError:  # pragma: no cover - Daphne is a dependency; other servers need nothing.
        return
    if getattr(WebSocketFactory, "luchang_close_frames", False):
        return
    built = WebSocketFactory.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        built(self, *args, **kwargs)
        self.setProtocolOptions(failByDrop=False)

    WebSocketFactory.__init__ = __init__  # type: ignore[method-assign]
    WebSocketFactory.luchang_close_frames = True  # type: ignore[attr-defined]

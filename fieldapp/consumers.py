"""Dispatch WebSockets (thin): /ws/field/ for officers, /ws/dispatch/ for dispatchers.

Frames are described in docs/api-dispatch.md. The officer's feed is stored
before it is pushed; the consumer only decides what to send and when:

- nothing from the feed until the phone said where it stands (resume);
- then every stored frame after that point, in order, then live frames;
- a live push with the next seq is sent as is, one already sent is dropped,
  and one after a gap makes the consumer read the missing frames from the
  database first. Channels runs one handler at a time per consumer, so replay
  and live pushes never interleave.
"""
from __future__ import annotations

import asyncio
import logging
import math
import time
from datetime import datetime
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from common.errors import DomainError
from common.roles import DISPATCHER, user_has_role
from common.websocket import GuardedFrames
from fieldapp import events, ingest, positions, selectors, services
from fieldapp.fixes import iso_local

log = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
# "Try again later" (RFC 6455): the channel layer is down; the phone reconnects with backoff.
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_WRONG_ROLE = 4403
POSITION_BATCH_S = 1.0
# The most sent-but-unacked seqs a connection remembers (their acks cost no rate-limit token).
OWED_ACKS_MAX = 2000


class FrameError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class JsonFrames(GuardedFrames):
    """Hands each frame to its handler; a bad one gets an error frame instead of a dropped socket."""

    handlers: dict[str, str] = {}

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels (4.2+) hops to the database thread before every message, to close
        # old connections. Every database call here goes through database_sync_to_async,
        # which does that itself, so the hop only queued each frame behind other
        # database work: with hundreds of position frames a second it was a quarter
        # of the process's time (bench/bench_ingest.py).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def refuse(self, code: int) -> None:
        # Accept first so the browser sees our close code; a refusal before
        # accept would only show up as a failed handshake.
        await self.accept()
        await self.close(code=code)

    async def join_or_refuse(self, groups: list[str]) -> bool:
        """Join the groups and accept; with the channel layer down, refuse cleanly (never a 500 handshake)."""
        try:
            await self.keep_groups(groups)
        except Exception:  # noqa: BLE001 - Redis down: the client retries on 1013.
            log.warning("socket refused: the channel layer is down", exc_info=True)
            await self.refuse(CLOSE_TRY_AGAIN_LATER)
            return False
        await self.accept()
        return True

    async def receive_frame(self, content: dict[str, Any]) -> None:
        frame_type = content.get("type")
        handler = self.handlers.get(frame_type) if isinstance(frame_type, str) else None
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type: {frame_type!r}.")
            return
        try:
            await getattr(self, handler)(content)
        except FrameError as exc:
            await self.send_error(exc.code, exc.detail, frame_type)
        except DomainError as exc:
            await self.send_error(exc.code if exc.code != "invalid" else "bad_frame", exc.message, frame_type)

    async def on_ping(self, content: dict[str, Any]) -> None:
        await self.send_frame({"type": "pong"})


def _seq(content: dict[str, Any], name: str) -> int:
    value = content.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FrameError("bad_frame", f"{name} must be a non-negative integer.")
    return value


def _number(content: dict[str, Any], name: str, *, required: bool = True) -> float | None:
    value = content.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FrameError("bad_frame", f"{name} must be a number.")
    return float(value)


def _time(content: dict[str, Any], name: str) -> datetime | None:
    value = content.get(name)
    if value is None:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise FrameError("bad_frame", f"{name} must be an ISO 8601 time with an offset.")
    return parsed


@database_sync_to_async
def _officer_of(user: Any):  # type: ignore[no-untyped-def]
    if not user.is_authenticated:
        return None
    return selectors.officer_for_user(user)


@database_sync_to_async
def _is_dispatcher(user: Any) -> bool:
    return user_has_role(user, DISPATCHER)


class FieldConsumer(JsonFrames):
    handlers = {"resume": "on_resume", "ack": "on_ack", "position": "on_position", "ping": "on_ping"}

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_NOT_LOGGED_IN)
            return
        officer = await _officer_of(user)
        if officer is None:
            await self.refuse(CLOSE_WRONG_ROLE)
            return
        self.officer_id: int = officer.pk
        self.sent_seq: int | None = None  # None until the phone resumes
        self.owed_acks: set[int] = set()
        self.group = events.officer_group(officer.pk)
        if not await self.join_or_refuse([self.group]):
            return
        # The officer was read a moment ago: one database connection fewer per handshake
        # (each costs one under CONN_MAX_AGE=0), which is what a reconnect storm waits on.
        await self.send_frame({"type": "hello", "officer_id": officer.pk, "feed_seq": officer.feed_seq})

    async def disconnect(self, code: int) -> None:
        await self.leave_groups()

    async def groups_renewed(self) -> None:
        # Pushes lost while the group was gone are in the database. The check runs on a
        # thread of its own, not on the one thread that serves the desk's requests:
        # a thousand officers make 33 of these a second.
        if self.sent_seq is None:
            return
        stored = await database_sync_to_async(selectors.feed_seq, thread_sensitive=False)(self.officer_id)
        if stored > self.sent_seq:
            await self._catch_up()

    async def _catch_up(self) -> int:
        sent = 0
        while True:
            assert self.sent_seq is not None
            messages = await database_sync_to_async(selectors.feed_after)(officer_id=self.officer_id, after=self.sent_seq)
            for message in messages:
                await self.send_feed_frame(message.seq, message.frame)
                sent += 1
            if len(messages) < 500:
                return sent

    async def on_resume(self, content: dict[str, Any]) -> None:
        after = _seq(content, "after")
        # A seq beyond the stored feed (a phone that kept a number from another
        # database) must not hold back every future frame: start from the feed's end.
        self.sent_seq = min(after, await database_sync_to_async(selectors.feed_seq)(self.officer_id))
        replayed = await self._catch_up()
        # Frames the phone handled before, whose ack never got stored (the process died first).
        ack_again = await database_sync_to_async(selectors.feed_receipts_missing)(
            officer_id=self.officer_id, upto=min(after, self.sent_seq)
        )
        self._owe(ack_again)
        await self.send_frame(
            {"type": "resumed", "after": after, "replayed": replayed, "feed_seq": self.sent_seq, "ack_again": ack_again}
        )

    def _owe(self, seqs: list[int]) -> None:
        self.owed_acks.update(seqs)
        while len(self.owed_acks) > OWED_ACKS_MAX:
            self.owed_acks.discard(min(self.owed_acks))

    async def send_feed_frame(self, seq: int, frame: dict[str, Any]) -> None:
        await self.send_frame(frame)
        self.sent_seq = seq
        self._owe([seq])

    def frame_is_owed(self, content: dict[str, Any]) -> bool:
        # The phone acks every frame it is sent: a replay of hundreds is not a flood.
        seq = content.get("seq")
        if content.get("type") != "ack" or not isinstance(seq, int) or seq not in self.owed_acks:
            return False
        self.owed_acks.discard(seq)
        return True

    async def on_ack(self, content: dict[str, Any]) -> None:
        await database_sync_to_async(services.feed_ack)(officer_id=self.officer_id, seq=_seq(content, "seq"))

    async def on_position(self, content: dict[str, Any]) -> None:
        lat, lng = _number(content, "lat"), _number(content, "lng")
        accuracy = _number(content, "accuracy", required=False)
        fix = positions.fix_check(
            officer_id=self.officer_id, lat=lat, lng=lng, accuracy=accuracy, device_at=_time(content, "at"), now=timezone.now()
        )
        # Written with this process's next batch (fieldapp.ingest); the answer comes after its commit,
        # from a task of its own so that feed frames are not held up meanwhile.
        asyncio.ensure_future(self._answer_position(ingest.ingest().submit(fix), fix))

    async def _answer_position(self, outcome: asyncio.Future[str | None], fix: positions.Fix) -> None:
        reason = await outcome
        try:
            if reason is None:
                await self.send_frame({"type": "position.saved", "at": iso_local(fix.at)})
            elif reason == positions.OFF_DUTY:
                await self.send_error(reason, positions.off_duty_error().message, "position")
            else:
                await self.send_error(reason, "The server is busy; send the position again later.", "position")
        except Exception:  # noqa: BLE001 - the socket closed in the meantime; the fix is written all the same.
            log.debug("position answer for officer %s not sent", self.officer_id, exc_info=True)

    async def feed_message(self, event: dict[str, Any]) -> None:
        """A stored frame was committed: send it in order, or let resume fetch it."""
        if self.sent_seq is None or event["seq"] <= self.sent_seq:
            return
        if event["seq"] == self.sent_seq + 1:
            await self.send_feed_frame(event["seq"], event["frame"])
            return
        # A frame is missing (a lost or overtaken push): the database has it.
        await self._catch_up()


class DispatchConsumer(JsonFrames):
    handlers = {"ping": "on_ping"}

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(CLOSE_NOT_LOGGED_IN)
            return
        if not await _is_dispatcher(user):
            await self.refuse(CLOSE_WRONG_ROLE)
            return
        self.positions: dict[int, dict[str, Any]] = {}
        self.last_batch = 0.0
        self.flush_task: asyncio.Task | None = None
        if not await self.join_or_refuse([events.DISPATCH_GROUP]):
            return
        await self.send_frame({"type": "hello"})

    async def disconnect(self, code: int) -> None:
        await self.leave_groups()
        task = getattr(self, "flush_task", None)
        if task is not None:
            task.cancel()

    async def desk_frame(self, event: dict[str, Any]) -> None:
        await self.send_frame(event["frame"])

    async def desk_position(self, event: dict[str, Any]) -> None:
        # Keep only the latest fix per officer; one batch a second at most, however many officers move.
        position = event["position"]
        self.positions[position["officer_id"]] = position
        self._batch_soon()

    async def desk_positions(self, event: dict[str, Any]) -> None:
        # A batch written by the position ingest: coalesced the same way.
        for position in event["positions"]:
            self.positions[position["officer_id"]] = position
        self._batch_soon()

    def _batch_soon(self) -> None:
        if self.flush_task is None or self.flush_task.done():
            delay = max(0.0, self.last_batch + POSITION_BATCH_S - time.monotonic())
            self.flush_task = asyncio.ensure_future(self._flush_after(delay))

    async def _flush_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        positions, self.positions = list(self.positions.values()), {}
        self.last_batch = time.monotonic()
        if positions:
            await self.send_frame({"type": "officer.positions", "positions": positions})
        if self.positions:
            # Fixes that came in while this batch was being sent go out in the next one.
            self.flush_task = asyncio.ensure_future(self._flush_after(POSITION_BATCH_S))

"""The channel interface, like Django's EMAIL_BACKEND: NOTIFY_CHANNELS lists dotted paths.

A channel is a class with a `name` (what the plan and the stored attempts call
it: sms, voice, wecom, webpush, log) and one method, `send(context) -> Result`.
It raises nothing for a provider's answer: a refusal, a time-out or a bad
credential is a failed Result with the reason in words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

# The feed and the desk flag always act; they are not listed in NOTIFY_CHANNELS.
BUILTIN_CHANNELS = ("fieldapp.notify.channels.WebSocketChannel", "fieldapp.notify.channels.DeskChannel")
# An officer gets at most one of these per assignment, however often the plan or a retry asks.
ONCE_PER_ASSIGNMENT = ("sms", "voice")


@dataclass(frozen=True)
class AttemptContext:
    """What a channel may say about one assignment. The officer's phone is for the providers only."""

    assignment_id: int
    job_id: int
    job_number: str
    kind: str
    kind_label: str
    priority: int
    summary: str
    address: str
    distance_text: str
    link: str
    officer_id: int
    phone: str
    step: str
    wecom_userid: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def short_text(self) -> str:
        """The SMS line: job number, kind, address, link."""
        place = self.address or self.summary
        return f"{self.job_number} {self.kind_label} {place} {self.link}"


@dataclass(frozen=True)
class Result:
    result: str
    reason: str = ""
    provider_message_id: str = ""

    @classmethod
    def sent(cls, provider_message_id: str = "", reason: str = "") -> Result:
        return cls("sent", reason, provider_message_id)

    @classmethod
    def delivered(cls, provider_message_id: str = "") -> Result:
        return cls("delivered", "", provider_message_id)

    @classmethod
    def failed(cls, reason: str, provider_message_id: str = "") -> Result:
        return cls("failed", reason[:200], provider_message_id)

    @classmethod
    def skipped(cls, reason: str) -> Result:
        return cls("skipped", reason[:200])

    @property
    def reached(self) -> bool:
        return self.result in ("sent", "delivered")


class Channel:
    name: ClassVar[str] = ""

    def send(self, context: AttemptContext) -> Result:  # pragma: no cover - the interface
        raise NotImplementedError


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def channels() -> tuple[Channel, ...]:
    """The enabled channels, built-ins first, in the order of the settings."""
    paths = tuple(dict.fromkeys([*BUILTIN_CHANNELS, *settings.NOTIFY_CHANNELS]))
    return _load(paths)


def channels_named(name: str) -> list[Channel]:
    return [channel for channel in channels() if channel.name == name]

"""Escalation timing: which step of the plan comes next for an assignment, and when.

Pure rules in the manner of stations/hours.py: the caller passes the plan, the
assignment's state and `now`; nothing here reads the database or the clock.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class Step:
    name: str
    after_s: float
    channels: tuple[str, ...]
    min_priority: int = 0


@dataclass(frozen=True)
class NextStep:
    step: Step
    at: datetime

    def is_due(self, now: datetime) -> bool:
        return self.at <= now


def plan_from_settings(raw: Iterable[Mapping[str, Any]]) -> tuple[Step, ...]:
    """The plan in order of time; a step's name is unique in it."""
    steps = tuple(
        Step(
            name=str(item["step"]), after_s=float(item["after_s"]), channels=tuple(item["channels"]),
            min_priority=int(item.get("min_priority", 0)),
        )
        for item in raw
    )
    names = [step.name for step in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"NOTIFY_PLAN names a step twice: {names}")
    return tuple(sorted(steps, key=lambda step: step.after_s))


def next_step(
    *, plan: tuple[Step, ...], priority: int, dispatched_at: datetime, received: bool, active: bool,
    done_steps: Iterable[str],
) -> NextStep | None:
    """The first step of the plan not yet done that applies to this priority; None when nothing is left.

    Nothing is left once the phone has received the assignment or it is no longer
    active (declined, withdrawn, cleared): every step stops at the receipt.
    """
    if received or not active:
        return None
    done = set(done_steps)
    for step in plan:
        if step.name in done or priority < step.min_priority:
            continue
        return NextStep(step=step, at=dispatched_at + timedelta(seconds=step.after_s))
    return None


def stop_reason(*, received: bool, active: bool, on_duty: bool) -> str:
    """Why an assignment's notifications stop, or "" while they go on."""
    if received:
        return "received"
    if not active:
        return "ended"
    if not on_duty:
        return "off_duty"
    return ""

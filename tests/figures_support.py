"""A hand-built day of jobs whose figures are known exactly (tests/test_figures_*.py).

The rows are created directly, with the timestamps a figure is computed from:
the services stamp the present, and these figures are about a past day. The
expected answers are written beside each job.

Day D (five days ago, Asia/Shanghai), from 09:00 (`base`):
  J1 accident, closed. officer (squad): dispatched +60 s, received +64, en route +100, on scene +400,
     cleared +1400; quick-clearance record, lanes open +1300 = exactly 15 min after on scene (quick).
  J2 accident, closed. other_officer (other squad), from +3600: dispatched +120, received +130, en route +150,
     on scene +750, cleared +2000; lanes open +1651 = 15 min 1 s after on scene (not quick).
  J3 breakdown, open, from +7200. officer dispatched +30 and accepted, never received, never on scene.
  J4 help, closed, reported 23:50 and cleared after midnight. third_officer (squad): dispatched +60,
     received +62, en route +70, on scene +670 (00:01:10 of the next day), cleared +3000; rescue, 2 people.
  J5 congestion, cancelled, from +100, nobody sent.
  J6 accident, open, from +500, linked to J1 (secondary), nobody sent.
  J7 "other" at D 00:00 minus 1 s, and J8 "other" at D+1 00:00: outside day D.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from fieldapp.models import Assignment, DutyChange, Job, Officer, QuickClearance, Rescue, TrackFix

LIAOCHENG = (36.45, 115.98)


@dataclass
class KnownDay:
    day: date
    base: datetime
    jobs: dict[str, Job]


def _job(number: str, kind: str, reported_at: datetime, status: str = "open", **extra: Any) -> Job:
    return Job.objects.create(
        number=number, kind=kind, summary=extra.pop("summary", "两车追尾"), lat=LIAOCHENG[0], lng=LIAOCHENG[1],
        reported_at=reported_at, status=status, **extra,
    )


def _assignment(job: Job, officer: Officer, status: str, **offsets: int | None) -> Assignment:
    at = {name: (None if seconds is None else job.reported_at + timedelta(seconds=seconds)) for name, seconds in offsets.items()}
    return Assignment.objects.create(job=job, officer=officer, status=status, **at)


def build_known_day(officer: Officer, other_officer: Officer, third_officer: Officer) -> KnownDay:
    zone = timezone.get_default_timezone()
    day = timezone.localdate() - timedelta(days=5)
    base = datetime.combine(day, time(9, 0), tzinfo=zone)
    midnight = datetime.combine(day, time.min, tzinfo=zone)

    def plus(seconds: int) -> datetime:
        return base + timedelta(seconds=seconds)

    j1 = _job("F1", "accident", base, "closed", closed_at=plus(1500))
    _assignment(j1, officer, "cleared", dispatched_at=60, received_at=64, en_route_at=100, on_scene_at=400,
                cleared_at=1400)
    QuickClearance.objects.create(job=j1, officer=officer, lanes_open_at=plus(1300), status="complete",
                                  received_at=plus(1300))
    j2 = _job("F2", "accident", plus(3600), "closed", closed_at=plus(3600 + 2100), summary="=HYPERLINK(\"x\")")
    _assignment(j2, other_officer, "cleared", dispatched_at=120, received_at=130, en_route_at=150, on_scene_at=750,
                cleared_at=2000)
    QuickClearance.objects.create(job=j2, officer=other_officer, lanes_open_at=plus(3600 + 1651), status="complete",
                                  received_at=plus(3600 + 1651))
    j3 = _job("F3", "breakdown", plus(7200), summary="货车抛锚")
    _assignment(j3, officer, "accepted", dispatched_at=30, accepted_at=50)
    j4 = _job("F4", "help", datetime.combine(day, time(23, 50), tzinfo=zone), "closed", summary="老人走失")
    j4.closed_at = j4.reported_at + timedelta(seconds=3100)
    j4.save(update_fields=["closed_at"])
    _assignment(j4, third_officer, "cleared", dispatched_at=60, received_at=62, en_route_at=70, on_scene_at=670,
                cleared_at=3000)
    Rescue.objects.create(job=j4, officer=third_officer, kind="lost_elder", people_helped=2, status="complete",
                          received_at=j4.reported_at + timedelta(seconds=3000))
    j5 = _job("F5", "congestion", plus(100), "cancelled", closed_at=plus(200))
    j6 = _job("F6", "accident", plus(500), linked_job=j1, summary="二次事故")
    j7 = _job("F7", "other", midnight - timedelta(seconds=1), "closed")
    j8 = _job("F8", "other", midnight + timedelta(days=1), "closed")
    return KnownDay(day=day, base=base, jobs={
        "J1": j1, "J2": j2, "J3": j3, "J4": j4, "J5": j5, "J6": j6, "J7": j7, "J8": j8,
    })


def build_shifts(day: date, officer: Officer, other_officer: Officer) -> None:
    """officer: on 08:00-12:00 on day D, a fix every half hour or less but none from 08:30 to 09:30 (one gap).
    other_officer: on from 22:00 on D to 02:00 the next day, no fix at all."""
    zone = timezone.get_default_timezone()

    def at(hours: int, minutes: int = 0, days: int = 0) -> datetime:
        return datetime.combine(day + timedelta(days=days), time(hours, minutes), tzinfo=zone)

    DutyChange.objects.create(officer=officer, on_duty=True, at=at(8))
    DutyChange.objects.create(officer=officer, on_duty=False, at=at(12))
    for hours, minutes in ((8, 5), (8, 30), (9, 30), (10, 0), (10, 30), (11, 0), (11, 25), (11, 50)):
        TrackFix.objects.create(officer=officer, lat=LIAOCHENG[0], lng=LIAOCHENG[1], accuracy_m=8, at=at(hours, minutes))
    DutyChange.objects.create(officer=other_officer, on_duty=True, at=at(22))
    DutyChange.objects.create(officer=other_officer, on_duty=False, at=at(2, days=1))

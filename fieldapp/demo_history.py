"""Plausible past days of jobs, assignments, records and duty shifts, for the demo and the figures benchmark.

The rows are bulk-created, not made through the services, on purpose: every
service stamps the present (timezone.now()) and refuses times in the past, and
pushes to the desk and the phones after its commit; history is about days
that are over, and nobody is listening to them. Bulk inserts also let the
benchmark make a year of 50,000 jobs in seconds. No JobEvent audit rows are
written: the audit log records what people did, and nobody did this.

A day is made only if it has no history jobs yet (their numbers start with
"H"), so running it again adds nothing, and a later run fills the newer days.
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from fieldapp.models import Assignment, DutyChange, Job, Officer, QuickClearance, Rescue, TrackFix

PREFIX = "H"
# Jobs per hour of the day, relative: the morning (7-9) and evening (17-19) peaks.
HOUR_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.4, 0.8, 2, 5, 6, 4, 3, 3, 3.5, 3, 3, 3.5, 4, 6, 6.5, 4, 3, 2.5, 2, 1.5]
KIND_WEIGHTS = {
    "accident": 30, "breakdown": 15, "congestion": 20, "help": 8, "hazard": 10, "violation": 12, "other": 5,
}
SUMMARIES = {
    "accident": ["两车追尾", "三车连撞，占用两条车道", "电动车与轿车剐蹭", "路口侧面碰撞"],
    "breakdown": ["货车抛锚", "轿车故障停在快车道", "公交车故障"],
    "congestion": ["早高峰拥堵", "学校门口拥堵", "施工路段排队"],
    "help": ["老人走失", "孩子与家人走散", "突发疾病求助", "行人受伤"],
    "hazard": ["路面散落货物", "井盖缺失", "树枝倒伏"],
    "violation": ["违停占用公交车道", "逆行", "占道经营"],
    "other": ["群众咨询", "信号灯故障"],
}
ADDRESSES = ["东昌路与柳园路路口", "湖西路古楼桥东", "花园路与建设路路口", "东昌湖环湖路", "聊城火车站广场", "光岳路中段"]
RESCUE_KINDS = ["escort_illness", "lost_child", "lost_elder", "injured", "other"]
# Two shifts: (on, off) in local wall time.
SHIFTS = [(time(7, 30), time(15, 30)), (time(11, 0), time(19, 30))]
# The demo officer whose phone goes quiet for a long while now and then (the attendance gap).
QUIET_OFFICER_INDEX = 3
# A demo phone sends a fix about every this many seconds (a real one every 10-30 s; fewer rows keep the demo small).
DEMO_FIX_EVERY_S = 300


@dataclass
class Made:
    days: int = 0
    jobs: int = 0
    assignments: int = 0


def _at(day: date, moment: time, zone) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, moment, tzinfo=zone)


def history_days_missing(days: Iterable[date]) -> list[date]:
    """The days that have no history jobs yet."""
    days = list(days)
    numbers = Job.objects.filter(number__startswith=PREFIX).values_list("number", flat=True)
    have = {number[1:9] for number in numbers}
    return [day for day in days if f"{day:%Y%m%d}" not in have]


@transaction.atomic
def history_generate(
    *, days: Iterable[date], officers: list[Officer], jobs_per_day: int = 45, seed: int = 11, traces: bool = True,
) -> Made:
    """Jobs, assignments, records, duty changes and position-track fixes for each of the days without history."""
    zone = timezone.get_default_timezone()
    made = Made()
    if not officers:
        return made
    for day in history_days_missing(days):
        rnd = random.Random(seed * 100_000 + day.toordinal())
        on_shift = _shifts(day, officers, rnd, zone, traces)
        _jobs(day, officers, on_shift, rnd, zone, jobs_per_day, made)
        made.days += 1
    return made


def _shifts(day: date, officers: list[Officer], rnd: random.Random, zone, traces: bool) -> dict[int, tuple[datetime, datetime]]:  # type: ignore[no-untyped-def]
    """Who was on duty when that day; duty changes and a track fix about every DEMO_FIX_EVERY_S, near the officer's beat."""
    shifts: dict[int, tuple[datetime, datetime]] = {}
    changes, fixes = [], []
    for index, officer in enumerate(officers):
        # Each officer has one day off a week, on a different weekday.
        if day.weekday() == index % 7:
            continue
        on_time, off_time = SHIFTS[index % 2]
        on_at = _at(day, on_time, zone) + timedelta(minutes=rnd.randint(-10, 10))
        off_at = _at(day, off_time, zone) + timedelta(minutes=rnd.randint(-5, 25))
        shifts[officer.pk] = (on_at, off_at)
        changes += [DutyChange(officer=officer, on_duty=True, at=on_at), DutyChange(officer=officer, on_duty=False, at=off_at)]
        if not traces:
            continue
        quiet = None
        if index == QUIET_OFFICER_INDEX and day.toordinal() % 3 == 0:
            start = on_at + timedelta(hours=rnd.randint(2, 4))
            quiet = (start, start + timedelta(minutes=rnd.randint(45, 110)))
        # Positions draw from a generator of their own, seeded by officer and day, so they do not shift the jobs drawn after them.
        spot = random.Random(officer.pk * 100_000 + day.toordinal())
        beat = (36.45 + spot.uniform(-0.03, 0.03), 115.98 + spot.uniform(-0.03, 0.03))
        moment = on_at + timedelta(seconds=rnd.randint(20, 200))
        while moment < off_at:
            if quiet is None or not quiet[0] <= moment < quiet[1]:
                fixes.append(TrackFix(
                    officer=officer, lat=beat[0] + spot.uniform(-0.002, 0.002), lng=beat[1] + spot.uniform(-0.002, 0.002),
                    accuracy_m=spot.choice((5.0, 8.0, 12.0, 30.0)), device_at=moment - timedelta(seconds=spot.randint(0, 3)),
                    at=moment,
                ))
            moment += timedelta(seconds=DEMO_FIX_EVERY_S + rnd.randint(0, 40))
    DutyChange.objects.bulk_create(changes, batch_size=2000)
    TrackFix.objects.bulk_create(fixes, batch_size=5000)
    return shifts


def _pick_officer(moment: datetime, officers: list[Officer], shifts: dict, rnd: random.Random) -> Officer:
    working = [o for o in officers if o.pk in shifts and shifts[o.pk][0] <= moment < shifts[o.pk][1]]
    return rnd.choice(working or officers)


def _jobs(day: date, officers: list[Officer], shifts: dict, rnd: random.Random, zone, per_day: int, made: Made) -> None:  # type: ignore[no-untyped-def]
    weekend = day.weekday() >= 5
    count = max(1, int(per_day * (0.75 if weekend else 1.0) * rnd.uniform(0.85, 1.15)))
    hours = rnd.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    kinds = rnd.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    moments = sorted(
        (_at(day, time(hour), zone) + timedelta(seconds=rnd.randint(0, 3599)), kind) for hour, kind in zip(hours, kinds)
    )
    jobs = []
    for number, (reported_at, kind) in enumerate(moments, start=1):
        cancelled = rnd.random() < 0.04
        jobs.append(Job(
            number=f"{PREFIX}{day:%Y%m%d}-{number:04d}", kind=kind, priority=2 if kind == "accident" else 1,
            summary=rnd.choice(SUMMARIES[kind]), address=rnd.choice(ADDRESSES),
            lat=36.45 + rnd.uniform(-0.03, 0.03), lng=115.98 + rnd.uniform(-0.03, 0.03),
            source=rnd.choice(["video_patrol", "phone_call", "citizen", "officer"]), reported_at=reported_at,
            status="cancelled" if cancelled else "closed",
        ))
    Job.objects.bulk_create(jobs, batch_size=2000)
    # SQLite and PostgreSQL both hand back the new ids; the links to earlier jobs need them.
    assignments, records, rescues, linked = [], [], [], []
    earlier_accidents: list[Job] = []
    for job in jobs:
        # A history job was entered when it was reported, not when the demo ran: the desk's
        # "ended today" and its list of jobs, newest entered first, go by it.
        job.created_at = job.reported_at
        end = job.reported_at + timedelta(minutes=rnd.randint(3, 10))
        if job.status == "cancelled":
            job.closed_at = end
            continue
        if job.kind == "accident" and earlier_accidents and rnd.random() < 0.04:
            job.linked_job = rnd.choice(earlier_accidents[-5:])
            linked.append(job)
        if job.kind == "accident":
            earlier_accidents.append(job)
        # One job in twenty-five is closed by the desk without anybody sent.
        if rnd.random() < 0.04:
            job.closed_at = end
            continue
        dispatched_at = job.reported_at + timedelta(seconds=int(rnd.lognormvariate(4.2, 0.6)))
        team = [_pick_officer(dispatched_at, officers, shifts, rnd)]
        if job.kind == "accident" and rnd.random() < 0.2:
            second = _pick_officer(dispatched_at, officers, shifts, rnd)
            if second.pk != team[0].pk:
                team.append(second)
        first_on_scene = None
        last_cleared = dispatched_at
        for position, officer in enumerate(team):
            sent = dispatched_at + timedelta(seconds=position * rnd.randint(30, 120))
            received = None if rnd.random() < 0.05 else sent + timedelta(seconds=rnd.randint(1, 25))
            accepted = sent + timedelta(seconds=rnd.randint(15, 90))
            en_route = None if rnd.random() < 0.06 else accepted + timedelta(seconds=rnd.randint(5, 40))
            on_scene = (en_route or accepted) + timedelta(seconds=int(rnd.lognormvariate(6.1, 0.45)))
            cleared = on_scene + timedelta(seconds=rnd.randint(8, 45) * 60)
            first_on_scene = on_scene if first_on_scene is None else min(first_on_scene, on_scene)
            last_cleared = max(last_cleared, cleared)
            assignments.append(Assignment(
                job=job, officer=officer, status="cleared", dispatched_at=sent, received_at=received,
                accepted_at=accepted, en_route_at=en_route, on_scene_at=on_scene, cleared_at=cleared,
            ))
        job.closed_at = last_cleared + timedelta(seconds=rnd.randint(30, 600))
        if job.kind in ("accident", "breakdown") and rnd.random() < 0.65:
            lanes_open = first_on_scene + timedelta(seconds=rnd.randint(4, 26) * 60)
            records.append(QuickClearance(
                job=job, officer=team[0], outcome="quick", agreement="agreed", vehicles_moved_at=lanes_open
                - timedelta(minutes=2), lanes_open_at=min(lanes_open, last_cleared), status="complete",
                received_at=last_cleared, completed_at=last_cleared,
                vehicle_vs_vehicle=True, property_damage_only=True, vehicles_movable=True, drivers_licensed_sober=True,
                plates_and_insurance=True, no_dangerous_goods=True, tow_called=False,
            ))
        if job.kind == "help":
            rescues.append(Rescue(
                job=job, officer=team[0], kind=rnd.choice(RESCUE_KINDS), people_helped=rnd.choice([1, 1, 1, 2, 3]),
                handed_to_kind=rnd.choice(["family", "hospital"]), outcome="已安全移交",
                started_at=first_on_scene, ended_at=last_cleared, status="complete", received_at=last_cleared,
                completed_at=last_cleared,
            ))
    Job.objects.bulk_update(jobs, ["created_at", "closed_at", "linked_job"], batch_size=2000)
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    QuickClearance.objects.bulk_create(records, batch_size=2000)
    Rescue.objects.bulk_create(rescues, batch_size=2000)
    made.jobs += len(jobs)
    made.assignments += len(assignments)

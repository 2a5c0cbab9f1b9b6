"""Demo dispatch data: officers on duty around Liaocheng, two open jobs. Safe to run again."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fieldapp import services
from fieldapp.models import ACTIVE_STATUSES, Job, Officer

# username -> where their last fix is (WGS-84, around the centre of Liaocheng 36.45 N, 115.98 E).
ON_DUTY = {
    "officer1": (36.4563, 115.9851),  # 东昌路 / 柳园路
    "officer2": (36.4488, 115.9712),
    "officer3": (36.4621, 115.9930),
    "officer4": (36.4405, 115.9655),
    "officer5": (36.4702, 116.0011),
    "officer6": (36.4350, 115.9903),
}
OFF_DUTY = "officer7"
# Demo jobs are recognised by their summary, so a second run does not add more.
JOBS = [
    {"kind": "accident", "priority": 2, "summary": "两车追尾，占用一条车道", "address": "东昌路与柳园路路口",
     "lat": 36.4571, "lng": 115.9866, "source": "video_patrol", "dispatch_to": ["officer1"]},
    {"kind": "breakdown", "priority": 1, "summary": "货车抛锚", "address": "湖西路古楼桥东",
     "lat": 36.4452, "lng": 115.9748, "source": "phone_call", "dispatch_to": []},
]


class Command(BaseCommand):
    help = "Put the demo officers on duty with fresh positions and create two open demo jobs (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        officers = {o.user.username: o for o in Officer.objects.select_related("user").filter(
            user__username__in=[*ON_DUTY, OFF_DUTY])}
        if not officers:
            raise CommandError("No demo officers: run `manage.py demo` first.")
        dispatcher = get_user_model().objects.filter(username="dispatcher").first()
        now = timezone.now()

        for username, (lat, lng) in ON_DUTY.items():
            officer = officers.get(username)
            if officer is None:
                continue
            services.officer_set_duty(officer_id=officer.pk, on_duty=True)
            services.officer_record_position(officer_id=officer.pk, lat=lat, lng=lng, accuracy=8.0, at=now)
            self.stdout.write(f"  on duty   {officer.call_sign} {officer.display_name} at {lat:.4f}, {lng:.4f}")
        if OFF_DUTY in officers:
            officer = officers[OFF_DUTY]
            if officer.on_duty and not officer.assignments.filter(status__in=ACTIVE_STATUSES).exists():
                services.officer_set_duty(officer_id=officer.pk, on_duty=False)
            self.stdout.write(f"  off duty  {officer.call_sign} {officer.display_name}")

        for spec in JOBS:
            spec = dict(spec)
            dispatch_to = spec.pop("dispatch_to")
            job = Job.objects.filter(summary=spec["summary"], status=Job.Status.OPEN).first()
            made = job is None
            if job is None:
                job = services.job_create(created_by=dispatcher, **spec)
            for username in dispatch_to:
                officer = officers.get(username)
                if officer is not None and not job.assignments.filter(officer=officer).exists():
                    services.job_dispatch(job_id=job.pk, officer_ids=[officer.pk], dispatcher=dispatcher, force=True)
            sent = ", ".join(a.officer.call_sign for a in job.assignments.select_related("officer")) or "not dispatched"
            self.stdout.write(f"  job {job.number} {'created' if made else 'exists '} {job.summary} ({sent})")
        self.stdout.write(self.style.SUCCESS("Demo dispatch data ready."))

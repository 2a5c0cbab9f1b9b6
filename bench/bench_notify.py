"""Escalation latency: from a missed acknowledgement to the SMS request reaching the provider.

A Daphne process runs the escalation worker inside it (NOTIFY_WORKER_IN_PROCESS,
the default poll of NOTIFY_POLL_S); the SMS channel is Alibaba Cloud's SDK
pointed at a local server that answers like the provider. BENCH_NOTIFY_N
dispatches (50) are made a little apart and never acknowledged; for each, the
figure is the time the provider server got the SendSms request minus the
moment the acknowledgement was due (dispatched_at + NOTIFY_SMS_AFTER_S).
Baseline: one request from here to the same provider server, the part of the
figure that is the provider's and the loopback's.

    .venv/bin/python bench/bench_notify.py               # sqlite and postgres
    .venv/bin/python bench/bench_notify.py postgres
    QUICK=1 .venv/bin/python bench/bench_notify.py       # postgres, 20 dispatches

Each figure is a row of bench/report.py.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from report import fmt_ms, pct, quick_or, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402
from servers import Daphne, get_times  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
N = quick_or(20, 50, env="BENCH_NOTIFY_N")
SMS_AFTER_S = 2


def main(argv: list[str]) -> int:
    print(f"notification benchmark: {N} dispatches not acknowledged, SMS after {SMS_AFTER_S} s", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-notify")


def child(label: str) -> int:
    import django

    os.environ["NOTIFY_SMS_AFTER_S"] = str(SMS_AFTER_S)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from datetime import timedelta

    from django.contrib.auth import get_user_model

    from fieldapp import services
    from fieldapp.models import Assignment, NotificationAttempt, Officer
    from tests.notify_support import FakeProvider, json_answer

    arrivals: dict[str, float] = {}

    def answer(seen):  # type: ignore[no-untyped-def]
        arrivals.setdefault(seen.query["OutId"][0], time.time())
        return json_answer({"Code": "OK", "Message": "OK", "BizId": "b", "RequestId": "r"})

    provider = FakeProvider(answer).start()
    user = get_user_model().objects.create_user("bench-dispatcher")
    officer_user = get_user_model().objects.create_user("bench-officer")
    officer = Officer.objects.create(user=officer_user, badge_number="B1", call_sign="铁骑B1", phone="13800000000")
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)
    env = {
        "NOTIFY_WORKER_IN_PROCESS": "true", "NOTIFY_CHANNELS": "fieldapp.notify.sms.AliyunSmsChannel",
        "NOTIFY_SMS_AFTER_S": str(SMS_AFTER_S), "ALIYUN_ACCESS_KEY_ID": "k", "ALIYUN_ACCESS_KEY_SECRET": "s",
        "ALIYUN_PROTOCOL": "http", "ALIYUN_SMS_ENDPOINT": provider.host, "ALIYUN_SMS_SIGN_NAME": "路畅",
        "ALIYUN_SMS_TEMPLATE_CODE": "SMS_1", "LOG_LEVEL": "WARNING",
    }
    daphne = None
    try:
        daphne = Daphne(None, env=env)
        ids = []
        for n in range(N):
            job = services.job_create(created_by=user, kind="accident", summary=f"bench {n}", lat=36.45, lng=115.98)
            (assignment,) = services.job_dispatch(job_id=job.pk, officer_ids=[officer.pk], dispatcher=user, force=True).created
            ids.append(assignment.pk)
            time.sleep(0.07)
        deadline = time.monotonic() + 60
        while len(arrivals) < N and time.monotonic() < deadline:
            time.sleep(0.1)
        due = {
            f"assignment-{a.pk}": (a.dispatched_at + timedelta(seconds=SMS_AFTER_S)).timestamp()
            for a in Assignment.objects.filter(pk__in=ids)
        }
        delays = sorted(arrivals[key] - due[key] for key in due if key in arrivals)
        # The attempt is stored just after the provider answers: wait for the last ones too.
        stored = NotificationAttempt.objects.filter(assignment_id__in=ids, step="sms", result="sent")
        while stored.count() < N and time.monotonic() < deadline:
            time.sleep(0.1)
        sent, requests = stored.count(), len(provider.requests)
        print(f"  {len(delays)} of {N} SMS requests at the provider; {sent} SMS attempts stored, {requests} requests",
              flush=True)
        direct = pct(get_times(f"http://{provider.host}/?OutId=baseline", 20), .5)
        p50 = pct(delays, .5)
        row(f"notify, {label}", "missed ack -> SMS request at the provider",
            f"p50 {fmt_ms(p50)} / p95 {fmt_ms(pct(delays, .95))} / max {fmt_ms(delays[-1] * 1000)} ms",
            baseline=f"provider round trip p50 {fmt_ms(direct)} ms", ratio=times(p50, direct))
        return 0 if len(delays) == N and requests == N else 1
    finally:
        if daphne is not None:
            daphne.stop()
        provider.stop()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2]))
    sys.exit(main(sys.argv[1:]))

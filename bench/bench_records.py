"""From tapping 处置完毕 to a saved quick-clearance record with three photos, over the loopback.

What the phone's outbox sends once the officer has filled in the form: three
photos of 1600 × 1200 (as the phone downscales them), the record, then the
"cleared" step, one after another through a real Daphne process. Baseline:
GET /healthz on the same server in the same run.

    .venv/bin/python bench/bench_records.py              # sqlite and postgres
    QUICK=1 .venv/bin/python bench/bench_records.py sqlite

Each figure is a row of bench/report.py. Loopback only; scratch databases,
removed afterwards; stops by itself.
"""
from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import fmt_ms, p50_p95, pct, quick_or, row, times  # noqa: E402
from scratch import run_on_scratch_databases  # noqa: E402
from servers import Daphne, get_times  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RECORDS = quick_or(5, 20, env="BENCH_RECORDS")
SLOTS = ("front_side", "rear_side", "impact")
CHECKLIST = {name: True for name in ("vehicle_vs_vehicle", "property_damage_only", "vehicles_movable",
                                     "drivers_licensed_sober", "plates_and_insurance", "no_dangerous_goods")}


def main(argv: list[str]) -> int:
    print(f"quick-clearance records benchmark: {RECORDS} records with three photos each", flush=True)
    return run_on_scratch_databases(__file__, argv, prefix="bench-records")


def camera_photo(seed: int) -> bytes:
    """A 1600 × 1200 JPEG with some texture, about the size a downscaled phone photo is."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1200), (90 + seed % 100, 120, 140))
    draw = ImageDraw.Draw(image)
    for index in range(400):
        x, y = (index * 37 + seed * 11) % 1600, (index * 53 + seed * 7) % 1200
        draw.rectangle((x, y, x + 40, y + 25), fill=((index * 13) % 256, (index * 29) % 256, (index * 7) % 256))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def request(url: str, token: str, *, body: bytes | None = None, content_type: str | None = None,
            method: str = "POST") -> tuple[int, bytes]:
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": str(uuid.uuid4())}
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, response.read()


def multipart(fields: dict[str, str], photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="photo.jpg"\r\n'
                 "Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def child(label: str) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", f"/tmp/bench-records-{os.getpid()}")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from fieldapp import services
    from fieldapp.models import Officer

    call_command("migrate", verbosity=0)
    users = get_user_model()
    dispatcher = users.objects.create_user("bench-dispatcher", password=None)
    dispatcher.groups.add(Group.objects.get_or_create(name="dispatcher")[0])
    user = users.objects.create_user("bench-officer", password=None, first_name="王军")
    user.groups.add(Group.objects.get_or_create(name="officer")[0])
    officer = Officer.objects.create(user=user, badge_number="900001", call_sign="测试01")
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)
    token = Token.objects.create(user=user).key
    photos = [camera_photo(seed) for seed in range(3)]
    print(f"[{label}] photo size: {statistics.mean(len(p) for p in photos) / 1024:.0f} KB each", flush=True)

    server = Daphne(None)
    try:
        photo_times, record_times, clear_times, totals = [], [], [], []
        health = get_times(f"{server.url}/healthz", RECORDS * 3)
        for index in range(RECORDS):
            job = services.job_create(kind="accident", priority=2, summary=f"两车追尾 {index}", lat=36.4561, lng=115.9855,
                                      source="video_patrol", address="东昌路/柳园路口", created_by=dispatcher)
            result = services.job_dispatch(job_id=job.pk, officer_ids=[officer.pk], dispatcher=dispatcher)
            assignment = result.created[0]
            for step in ("accepted", "en_route", "on_scene"):
                services.assignment_advance(assignment_id=assignment.pk, officer=officer, to=step)
            base = f"{server.url}/api/v1/jobs/{job.pk}/quick-clearance/"
            tapped = time.perf_counter()
            for slot, photo in zip(SLOTS, photos):
                body, content_type = multipart({"slot": slot, "device_time": timezone.now().isoformat()}, photo)
                started = time.perf_counter()
                status, _ = request(f"{base}photos/", token, body=body, content_type=content_type)
                photo_times.append(time.perf_counter() - started)
                assert status == 201, status
            now = timezone.now().isoformat()
            record = {**CHECKLIST, "agreement": "agreed", "vehicles_moved_at": now, "lanes_open_at": now,
                      "tow_called": False, "status": "complete", "device_time": now,
                      "parties": [{"plate": "鲁P12345", "vehicle_type": "小型轿车"}, {"plate": "鲁P6789A", "vehicle_type": "SUV"}]}
            started = time.perf_counter()
            status, _ = request(base, token, body=json.dumps(record).encode(), content_type="application/json", method="PATCH")
            record_times.append(time.perf_counter() - started)
            assert status == 200, status
            started = time.perf_counter()
            status, _ = request(f"{server.url}/api/v1/assignments/{assignment.pk}/advance/", token,
                                body=json.dumps({"to": "cleared", "device_time": now}).encode(),
                                content_type="application/json")
            clear_times.append(time.perf_counter() - started)
            assert status == 200, status
            totals.append(time.perf_counter() - tapped)
    finally:
        server.stop()
    health50 = pct(health, .5)
    scenario = f"records, {label}"
    for figure, samples in (("one photo POST (1600 x 1200 JPEG)", photo_times), ("the record PATCH", record_times),
                            ("the cleared step", clear_times), ("tap -> saved record with three photos", totals)):
        row(scenario, figure, p50_p95(samples), baseline=f"/healthz p50 {fmt_ms(health50)} ms",
            ratio=times(pct(samples, .5), health50))
    return 0


def _entry(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(argv[1])
    return main(argv)


if __name__ == "__main__":
    sys.exit(_entry(sys.argv[1:]))


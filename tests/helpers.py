"""Plain helpers the tests import: services a test needs, personas, jobs, stations.

Fixtures live in conftest.py; this module holds no fixture, so importing it
never changes which fixtures a test module sees.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from fieldapp import services
from fieldapp.models import Assignment, Job, Officer
from stations.models import SafetyVideo, Station

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_TEST_URL = os.environ.get("REDIS_URL") or os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"
PASSWORD = "correct-horse-battery"


def require(available: bool, what: str) -> None:
    """Skip on a developer machine without the service; fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available on this machine")


def redis_available(url: str = REDIS_TEST_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


# --- personas -------------------------------------------------------------

def make_user(username: str, *, group: str | None = None, full_name: str = "", **extra: Any) -> Any:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=full_name, **extra)
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def ws_headers(user: Any | None, origin: str = "http://testserver") -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={session_cookie(user)}".encode()))
    return headers


# --- threads --------------------------------------------------------------

def at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run call(i) in `count` threads released together; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call(index)
        except Exception as exc:  # noqa: BLE001 - reported through the results
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- dispatch -------------------------------------------------------------

LIAOCHENG = (36.45, 115.98)
DISPATCH_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"


def on_duty(officer: Officer, *, lat: float = LIAOCHENG[0], lng: float = LIAOCHENG[1], age_s: int = 0) -> Officer:
    """Put an officer on duty with a fix of the given age."""
    services.officer_set_duty(officer_id=officer.pk, on_duty=True)
    services.officer_record_position(
        officer_id=officer.pk, lat=lat, lng=lng, accuracy=10.0, at=timezone.now() - timedelta(seconds=age_s)
    )
    officer.refresh_from_db()
    return officer


def new_job(by: Any, *, lat: float = LIAOCHENG[0], lng: float = LIAOCHENG[1], **extra: Any) -> Job:
    return services.job_create(
        created_by=by, kind=extra.pop("kind", "accident"), summary=extra.pop("summary", "两车追尾"), lat=lat, lng=lng,
        **extra,
    )


def finish_later(job: Job, officer: Officer) -> None:
    """The officer marks the job's quick-clearance record "to finish later", which lets an accident be cleared."""
    from fieldapp.records_services import quick_clearance_save

    quick_clearance_save(job_id=job.pk, officer=officer, changes={}, status="later")


def dispatch(job: Job, by: Any, *officers: Officer, force: bool = False) -> list[Assignment]:
    return services.job_dispatch(job_id=job.pk, officer_ids=[o.pk for o in officers], dispatcher=by, force=force).created


# --- stations -------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_WEEKENDS = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"
# A point in the city where the closed station of stations_city is the nearest of all.
NEAR_BEISHUN = (36.4950, 115.9850)


def at(text: str) -> datetime:
    """An aware moment from Shanghai wall time, e.g. at("2026-10-05 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def make_station(slug: str = "shiyiyuan", **fields: Any) -> Station:
    """A published station with weekday and weekend hours."""
    defaults: dict[str, Any] = {
        "name": f"驿站 {slug}",
        "lat": 36.4561,
        "lng": 115.9854,
        "opening_hours": WEEKDAYS_WEEKENDS,
        "published": True,
        "amenities": ["drinking_water", "restroom"],
    }
    defaults.update(fields)
    return Station.objects.create(slug=slug, **defaults)


def make_city_station(slug: str, name: str, lat: float, lng: float, **fields: Any) -> Station:
    """A station of the UI tests' city, open 24/7 unless told otherwise.

    Open and closed states must not depend on the clock the tests run at, so
    open stations use "24/7" and closed ones the "closed now" switch.
    """
    fields.setdefault("opening_hours", "24/7")
    fields.setdefault("published", True)
    fields.setdefault("amenities", ["drinking_water", "phone_charging"])
    return Station.objects.create(
        slug=slug, name=name, lat=lat, lng=lng, address=f"聊城市东昌府区{name}", phone="0635-8888001", **fields
    )


def make_video(title: str, filename: str) -> SafetyVideo:
    """A safety video from tests/data, saved under the current MEDIA_ROOT."""
    video = SafetyVideo(title=title, duration_seconds=2)
    video.file.save(filename, ContentFile((DATA / filename).read_bytes()), save=False)
    video.save()
    return video

"""Fixtures and helpers for the dispatch tests (import with `from tests.dispatch_fixtures import *`)."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fieldapp import services
from fieldapp.models import Assignment, Job, Officer
from tests.conftest import make_user

__all__ = [
    "DISPATCH_REDIS_URL", "LIAOCHENG", "assignment", "dispatch", "duty_officer", "job", "new_job", "on_duty",
    "session_cookie", "third_officer", "ws_headers",
]

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


def dispatch(job: Job, by: Any, *officers: Officer, force: bool = False) -> list[Assignment]:
    return services.job_dispatch(job_id=job.pk, officer_ids=[o.pk for o in officers], dispatcher=by, force=force).created


def session_cookie(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def ws_headers(user: Any | None, origin: str = "http://testserver") -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={session_cookie(user)}".encode()))
    return headers


@pytest.fixture
def job(dispatcher) -> Job:
    return new_job(dispatcher)


@pytest.fixture
def duty_officer(officer) -> Officer:
    return on_duty(officer)


@pytest.fixture
def assignment(job, dispatcher, duty_officer) -> Assignment:
    (created,) = dispatch(job, dispatcher, duty_officer)
    return created


@pytest.fixture
def third_officer(db, squad) -> Officer:
    user = make_user("third_officer", group="officer", full_name="张伟")
    return Officer.objects.create(user=user, badge_number="371503", call_sign="铁骑03", squad=squad)

"""schemathesis against /api/v1/schema/ as every role: no 5xx, and every answer as the schema says (issue 9).

The app runs in-process through Django's WSGI handler, on the test database.
For each role, every operation gets a few schema-valid requests and a few
schema-violating ones, from a fixed seed, and each answer goes through
schemathesis's checks (no server error, documented status and content type,
the response schema, valid data accepted, invalid data refused, ...).
`make fuzz` runs the same test with many more examples.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS

from tests.helpers import on_duty

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
# The JSON API; the schema also lists /open311/ (issue 12), whose own contract is its owner's.
API_PREFIX = "/api/v1/"
ROLES = ["anonymous", "officer", "dispatcher", "station_manager", "admin"]
# The marker sets the test database up before the personas are made.
# The fuzz runs once in CI, in the SQLite run, which has time to spare: it is the slowest test here.
pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# Where a schema-valid request may still be refused with 400, and why: rules
# across fields or against the clock that OpenAPI 3.0 cannot state.
RULES_THE_SCHEMA_CANNOT_STATE = {
    ("GET", "/api/v1/stations/"): "lat and lng come together",
    ("GET", "/api/v1/stations.geojson"): "lat and lng come together",
    ("GET", "/api/v1/figures/"): "a day after today is refused",
    ("POST", "/api/v1/assignments/{assignment_id}/advance/"): "lat and lng come together",
    ("POST", "/api/v1/auth/token/"): "a wrong password is 400 invalid_credentials",
    ("POST", "/api/v1/stations/{slug}/closures/"): "the last day is not before the first",
    ("PATCH", "/api/v1/stations/{slug}/closures/{closure_id}/"): "the last day is not before the first",
}

_handler = get_wsgi_application()


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Django's WSGI handler without closing the database at each request's end.

    Like Django's test client: the test's own connection holds the personas
    in a transaction, and closing it would end the test's database.
    """
    # The WSGI transport does not undo gzip; over HTTP the client would.
    environ.pop("HTTP_ACCEPT_ENCODING", None)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = _handler(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass
class Run:
    examples: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def api_schema() -> Any:
    # drf-spectacular builds the schema without the database.
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", app)


@pytest.fixture
def role_headers(db, officer, dispatcher, station_manager, admin, managed_station, job) -> dict[str, dict[str, str]]:
    """Authorization headers by role; the officer is on duty, the manager has a station, and a job is open."""
    on_duty(officer)
    users = {"officer": officer.user, "dispatcher": dispatcher, "station_manager": station_manager, "admin": admin}
    headers = {role: {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"} for role, user in users.items()}
    return {"anonymous": {}, **headers}


def _fuzz_operation(operation: Any, mode: GenerationMode, role_headers: dict[str, dict[str, str]], run: Run) -> None:
    excluded = []
    if (operation.method.upper(), operation.path) in RULES_THE_SCHEMA_CANNOT_STATE:
        excluded.append(CHECKS.get_one("positive_data_acceptance"))

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        # Drawing a case costs far more than sending it, so each case goes out
        # once as every role: the same requests a run per role would send.
        key = (case.headers or {}).get("Idempotency-Key")
        for role, headers in role_headers.items():
            run.examples[role] = run.examples.get(role, 0) + 1
            if key is not None and 1 <= len(key.strip()) <= 255:
                # A phone sends a fresh key per request; generated keys repeat ("0") and
                # would replay another example's answer or be refused as reused (422).
                case.headers["Idempotency-Key"] = uuid.uuid4().hex
            try:
                case.call_and_validate(headers=headers, excluded_checks=excluded)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is reported, then the test fails.
                run.failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}, {role}): {exc}")

    try:
        check()
    except Unsatisfiable:
        # Nothing can be invalid in a request that takes no input (GET /api/v1/me/).
        pass


def test_api_answers_as_its_schema_says_to_every_role(api_schema, role_headers):
    run = Run()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(API_PREFIX):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, role_headers, run)

    for role in ROLES:
        print(f"\nfuzz {role}: {run.examples.get(role, 0)} requests")
    print(f"fuzz: {len(run.failures)} failures")
    assert set(run.examples) == set(ROLES)
    assert run.failures == [], "\n\n".join(run.failures)

"""Token authentication and the health check."""
from __future__ import annotations

import pytest
from django.test import override_settings

from tests.helpers import PASSWORD


def test_token_is_issued_for_good_credentials_and_works(api, officer):
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/schema/").status_code == 200


def test_token_is_refused_for_a_bad_password_with_a_message(api, officer):
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"]
    assert response.json()["code"] == "invalid_credentials"


def test_token_request_without_fields_is_a_400(api, db):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_a_bad_token_is_a_401(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = api.get("/api/v1/schema/")
    assert response.status_code == 401


def test_healthz_reports_database_and_channel_layer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["channel_layer"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_channel_layer_is_unreachable(client):
    unreachable = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:9/0"}]},
        }
    }
    with override_settings(CHANNEL_LAYERS=unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["channel_layer"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    from django.db import connection

    class DownConnection:
        vendor = connection.vendor

        def cursor(self):
            raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr("fieldapp.project.pages.connection", DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "vendor": connection.vendor, "error": "OperationalError", "pool": None}

"""Login throttling and API token lifetime (issue 9, defect 4)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.helpers import PASSWORD

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _fail_api(api, username: str, times: int, address: str = "10.0.0.1") -> list[int]:
    return [
        api.post(TOKEN, {"username": username, "password": "wrong"}, format="json", REMOTE_ADDR=address).status_code
        for _ in range(times)
    ]


def test_repeated_wrong_passwords_lock_the_account_out_of_the_api_with_429(api, dispatcher):
    assert _fail_api(api, "dispatcher", 3) == [400, 400, 429]

    response = api.post(TOKEN, {"username": "dispatcher", "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "15" in response.json()["detail"]
    assert response["Retry-After"] == "900"


def test_failures_on_the_form_and_the_api_count_together(client, api, dispatcher):
    client.post("/login/", {"username": "dispatcher", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    client.post("/login/", {"username": "dispatcher", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    assert _fail_api(api, "dispatcher", 1, address="10.0.0.4") == [429]


def test_the_login_form_says_how_long_the_lock_lasts(client, dispatcher):
    client.cookies["django_language"] = "en"
    for _ in range(3):
        response = client.post("/login/", {"username": "dispatcher", "password": "wrong"})

    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
    right = client.post("/login/", {"username": "dispatcher", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_message_is_chinese_by_default(client, dispatcher):
    for _ in range(3):
        response = client.post("/login/", {"username": "dispatcher", "password": "wrong"})

    assert "15 分钟" in response.content.decode()


def test_one_address_trying_many_accounts_is_locked_out(api, dispatcher, station_manager):
    statuses = [
        api.post(TOKEN, {"username": name, "password": "wrong"}, format="json", REMOTE_ADDR="10.0.0.7").status_code
        for name in ("a", "b", "c")
    ]
    assert statuses[-1] == 429
    other = api.post(TOKEN, {"username": "station_manager", "password": PASSWORD}, format="json", REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 429


def test_an_admin_unlocks_by_deleting_the_attempts(client, api, admin, dispatcher):
    _fail_api(api, "dispatcher", 3)
    client.force_login(admin)
    attempts = client.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "dispatcher" in attempts.content.decode()

    AccessAttempt.objects.all().delete()

    response = api.post(TOKEN, {"username": "dispatcher", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_a_wrong_password_answers_the_envelope(api, dispatcher):
    response = api.post(TOKEN, {"username": "dispatcher", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert set(response.json()) == {"detail", "code"}


def test_a_token_stops_working_after_its_lifetime(api, dispatcher, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    token = Token.objects.create(user=dispatcher)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=31))

    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_logging_in_again_replaces_an_expired_token(api, dispatcher):
    token = Token.objects.create(user=dispatcher)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=31))

    response = api.post(TOKEN, {"username": "dispatcher", "password": PASSWORD}, format="json", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["token"] != token.key
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}").status_code == 200


def test_a_client_revokes_its_own_token(api, dispatcher):
    key = api.post(TOKEN, {"username": "dispatcher", "password": PASSWORD}, format="json").json()["token"]

    revoked = api.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {key}")

    assert revoked.status_code == 204
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert not Token.objects.filter(user=dispatcher).exists()


def test_admins_see_the_tokens_with_their_expiry(client, admin, dispatcher):
    Token.objects.create(user=dispatcher)
    client.force_login(admin)
    client.cookies["django_language"] = "en"

    page = client.get("/admin/authtoken/tokenproxy/").content.decode()

    assert "dispatcher" in page and "Expires" in page

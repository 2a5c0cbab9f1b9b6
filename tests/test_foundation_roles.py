"""Each role lands on its own home, and every home is closed to the other roles."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers import PASSWORD

HOMES = {
    "officer": "/field/",
    "dispatcher": "/dispatch/",
    "station_manager": "/stations/manage/",
    "admin": "/admin/",
}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def personas(officer, dispatcher, station_manager, admin):
    return {"officer": officer.user, "dispatcher": dispatcher, "station_manager": station_manager, "admin": admin}


@pytest.mark.parametrize("role", list(HOMES))
def test_login_form_sends_each_role_to_its_home(client, personas, role):
    response = client.post("/login/", {"username": personas[role].username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == HOMES[role]
    assert response.status_code == 200


@pytest.mark.parametrize("home", [h for h in HOMES.values() if h != "/admin/"])
@pytest.mark.parametrize("role", list(HOMES))
def test_role_homes_are_only_for_their_role(personas, role, home):
    response = client_for(personas[role]).get(home)
    # Admins manage every care station, so the managers' page is theirs too.
    if HOMES[role] == home or (role == "admin" and home == "/stations/manage/"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("home", list(HOMES.values()))
def test_anonymous_users_are_sent_to_login(client, db, home):
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") or response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["officer", "dispatcher", "station_manager"])
def test_admin_site_is_closed_to_non_staff(personas, role):
    response = client_for(personas[role]).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_wrong_password_shows_a_form_error_and_stays_on_login(client, officer):
    response = client.post("/login/", {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert "errors" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_user_without_role_is_told_so(client, db):
    from tests.helpers import make_user

    client.force_login(make_user("nobody"))
    response = client.get("/home/")
    assert response.status_code == 403
    assert "角色" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(officer):
    client = client_for(officer.user)
    response = client.post("/logout/")
    assert response.status_code == 200
    assert client.get("/field/").status_code == 302


# --- roles read with the API token ----------------------------------------

def _token_client(user) -> "APIClient":
    from rest_framework.test import APIClient

    from common.tokens import token_for_user

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for_user(user).key}")
    return api


def test_a_role_taken_away_counts_on_the_next_request_with_the_same_token(dispatcher):
    api = _token_client(dispatcher)
    assert api.get("/api/v1/officers/").status_code == 200
    dispatcher.groups.clear()
    assert api.get("/api/v1/officers/").status_code == 403


def test_a_role_given_counts_on_the_next_request_with_the_same_token(officer):
    from django.contrib.auth.models import Group

    api = _token_client(officer.user)
    assert api.get("/api/v1/officers/").status_code == 403
    officer.user.groups.add(Group.objects.get_or_create(name="dispatcher")[0])
    assert api.get("/api/v1/officers/").status_code == 200


def test_a_revoked_token_is_refused_on_the_next_request(dispatcher):
    api = _token_client(dispatcher)
    assert api.post("/api/v1/auth/token/revoke/").status_code in (200, 204)
    r = api.get("/api/v1/officers/")
    assert r.status_code == 401


def test_a_token_request_reads_the_roles_with_the_token(dispatcher, django_assert_num_queries):
    api = _token_client(dispatcher)
    # The token, its user and their roles in one query; the board (no officers, nothing to prefetch) in one.
    with django_assert_num_queries(2):
        assert api.get("/api/v1/officers/").status_code == 200

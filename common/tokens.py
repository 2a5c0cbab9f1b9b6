"""API tokens with a lifetime (settings.API_TOKEN_LIFETIME_DAYS).

DRF's tokens never expire. Here a token older than the lifetime is refused
with 401 `token_expired`, and the token endpoint hands out a fresh one in its
place. A client can revoke its own token (POST /api/v1/auth/token/revoke/),
and admins see every token with its expiry in the admin.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from common.roles import remember_roles, role_bits


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("The API token has expired: ask for a new one at /api/v1/auth/token/.")
    default_code = "token_expired"


def token_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def token_expires_at(token: Token) -> datetime:
    return token.created + token_lifetime()


def token_is_expired(token: Token, *, now: datetime | None = None) -> bool:
    return token_expires_at(token) <= (now or timezone.now())


def token_for_user(user: object) -> Token:
    """The user's token, a new one when there is none or it has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_is_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`, refused once the token is older than its lifetime."""

    def authenticate_credentials(self, key: str):  # type: ignore[no-untyped-def]
        # DRF's read, with the user's roles in the same query. Read on every
        # request, never kept across requests: a revoked token or a changed role counts at once.
        try:
            user_id = f"{connection.ops.quote_name(Token._meta.db_table)}.{connection.ops.quote_name('user_id')}"
            token = Token.objects.select_related("user").annotate(**role_bits(user_id)).get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_is_expired(token):
            raise TokenExpired()
        remember_roles(token.user, token)
        return token.user, token

"""Roles are Django groups; staff and superusers are admins."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

OFFICER = "officer"
DISPATCHER = "dispatcher"
STATION_MANAGER = "station_manager"
ADMIN = "admin"
GROUPS = (OFFICER, DISPATCHER, STATION_MANAGER)

# URL names (for reverse/redirect) of each role's home page.
HOME_URL_NAMES = {
    OFFICER: "field-home",
    DISPATCHER: "dispatch-home",
    STATION_MANAGER: "stations:manage",
    ADMIN: "admin:index",
}


def user_has_role(user: AbstractBaseUser | AnonymousUser | None, role: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if role == ADMIN:
        return bool(user.is_staff or user.is_superuser)
    # Cache the group names on the user object: several checks run per request.
    names = getattr(user, "_luchang_groups", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._luchang_groups = names
    return role in names


def role_bits(user_id_sql: str) -> dict[str, RawSQL]:
    """An annotation, `roles`, with a bit set for each role group the user is in, so a query that
    reads the user (the API token's) brings their roles too, instead of a query of its own.

    `user_id_sql`: the outer query's column holding the user's id, as SQL. One
    plain SQL subquery, not an Exists() per role: the ORM would build those on
    every request, which costs more than the query they save.
    """
    quote = connection.ops.quote_name
    member = quote(get_user_model().groups.through._meta.db_table)
    group = quote(Group._meta.db_table)
    bits = " ".join(f"WHEN %s THEN {1 << index}" for index in range(len(GROUPS)))
    sql = (
        f"SELECT COALESCE(SUM(CASE {group}.{quote('name')} {bits} ELSE 0 END), 0) FROM {member} "
        f"JOIN {group} ON {group}.{quote('id')} = {member}.{quote('group_id')} WHERE {member}.{quote('user_id')} = {user_id_sql}"
    )
    return {"roles": RawSQL(sql, GROUPS, output_field=IntegerField())}


def remember_roles(user: AbstractBaseUser, row: Any) -> None:
    """Keep the roles a row annotated with role_bits() read, as user_has_role() keeps them, for this request."""
    user._luchang_groups = {role for index, role in enumerate(GROUPS) if row.roles & (1 << index)}


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    """The user's primary role, which decides their home page."""
    for role in (OFFICER, DISPATCHER, STATION_MANAGER, ADMIN):
        if user_has_role(user, role):
            return role
    return None


def role_required(*roles: str) -> Callable:
    """Page decorator: anonymous users go to login, other roles get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user_has_role(request.user, role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    role: str = ""

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_has_role(request.user, self.role)


class IsOfficer(HasRole):
    role = OFFICER
    message = gettext_lazy("Only motorcycle officers may do this.")


class IsDispatcher(HasRole):
    role = DISPATCHER
    message = gettext_lazy("Only dispatchers may do this.")

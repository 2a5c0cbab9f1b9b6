from __future__ import annotations

from django.http import HttpRequest

from common.roles import role_of


def luchang(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {"role": role_of(user) if user is not None else None}

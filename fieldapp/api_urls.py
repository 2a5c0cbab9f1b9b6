"""REST routes of field operations, mounted under /api/v1/."""
from __future__ import annotations

urlpatterns: list = []

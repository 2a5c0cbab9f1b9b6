"""REST routes of the care stations, mounted under /api/v1/."""
from __future__ import annotations

urlpatterns: list = []

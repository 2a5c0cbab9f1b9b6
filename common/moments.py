"""Moments read in bulk: the database sends them as numbers, Python makes the datetimes.

Django reads each PostgreSQL timestamp through psycopg's pure-Python ISO parser
(it registers its own time-zone-aware loader); over hundreds of thousands of
rows that costs more than the query. A float loads in C, and `moment` makes the
aware datetime back, exact to the millisecond. Used where a read takes a year
of step times (fieldapp/figures_selectors.py) or a month of position fixes
(fieldapp/roadwork_selectors.py).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Expression, F, FloatField, Func, QuerySet


class EpochMs(Func):
    """A moment as whole milliseconds since 1970, computed by the database."""

    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="ROUND(EXTRACT(EPOCH FROM %(expressions)s) * 1000)::float8", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps SQLite datetimes as UTC text, which julianday() reads.
        return self.as_sql(compiler, connection, template="ROUND((julianday(%(expressions)s) - 2440587.5) * 86400000.0)", **extra)


def moment(ms: float | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def values_with_moments(queryset: QuerySet, plain: list[str], moments: list[str | Expression]) -> list[tuple[Any, ...]]:
    """values_list of the plain fields, then each moment (a field's name or an expression) as an aware datetime."""
    names = {f"ms_{index}": EpochMs(F(name) if isinstance(name, str) else name) for index, name in enumerate(moments)}
    rows = queryset.annotate(**names).values_list(*plain, *names)
    cut = len(plain)
    return [(*row[:cut], *map(moment, row[cut:])) for row in rows]

"""Filters of the figures page: durations in the desk's words, shares, hours."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats

from fieldapp.labels import duration_labels

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """'45 s' under 90 s, '12.5 min' under 90 min, then '2.3 h'; '–' when there is no value."""
    if seconds is None:
        return "–"
    words = duration_labels()
    if seconds < 90:
        return words["seconds"].replace("{n}", f"{seconds:.0f}")
    if seconds < 90 * 60:
        return words["minutes"].replace("{n}", formats.number_format(round(seconds / 60, 1), 1))
    return words["hours"].replace("{n}", formats.number_format(round(seconds / 3600, 1), 1))


@register.filter
def share(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f}%"


@register.filter
def hours(seconds: float | None) -> str:
    if not seconds:
        return "0"
    return formats.number_format(round(seconds / 3600, 1), 1)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None

"""The road work section of the figures page: {% roadwork_rates first last %}.

An inclusion tag, so the figures page gains the three rates with one line in
its template and its view stays as it is.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from fieldapp import roadwork_config as config
from fieldapp.roadwork_selectors import rates_for_range

register = template.Library()


@register.inclusion_tag("fieldapp/roadwork/_figures_rates.html")
def roadwork_rates(first: date, last: date) -> dict[str, Any]:
    return {
        "rates": rates_for_range(first=first, last=last),
        "covered_minutes": config.covered_minutes(),
        "gap_minutes": config.join_gap_minutes(),
        "max_accuracy": config.max_accuracy_m(),
    }

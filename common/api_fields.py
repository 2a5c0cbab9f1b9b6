"""Serializer fields whose schema says exactly what they accept."""
from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
# The years FIRST_DAY to LAST_DAY, for the schema; the field checks the date itself.
DAY_PATTERN = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"


@extend_schema_field({"type": "string", "format": "date", "pattern": DAY_PATTERN})
class BoundedDateField(serializers.DateField):
    """A plain ISO day from 2000 to 2100: a closure in the year 0265 is a typo, not a plan."""

    default_error_messages = {"out_of_range": _("Pick a day between 2000-01-01 and 2100-12-31.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail("out_of_range")
        return day

"""AmenitiesField: a list of amenity codes in Python, a bit set in the database."""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup

from stations import amenities


class AmenitiesField(models.PositiveIntegerField):
    """Stores amenity codes as an integer bit set (see stations.amenities).

    Filter with ``amenities__has_all=["wifi", "restroom"]``, which becomes
    ``(amenities & 1040) = 1040`` on every database.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list, dict]:
        name, _path, args, kwargs = super().deconstruct()
        return name, "stations.fields.AmenitiesField", args, kwargs

    def from_db_value(self, value: int | None, expression: Any, connection: Any) -> list[str]:
        return amenities.from_mask(value or 0)

    def to_python(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, int):
            return amenities.from_mask(value)
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",") if part.strip()]
        try:
            return amenities.from_mask(amenities.to_mask(code.strip() for code in value))
        except amenities.UnknownAmenity as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def get_prep_value(self, value: Any) -> int:
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        return amenities.to_mask(self.to_python(value))

    def get_default(self) -> list[str]:
        default = super().get_default()
        return amenities.from_mask(default) if isinstance(default, int) else list(default or [])

    def value_to_string(self, obj: models.Model) -> str:
        return ",".join(self.value_from_object(obj))

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        # The integer validators of the parent do not apply to a list of codes.
        self.to_python(value)

    def run_validators(self, value: Any) -> None:
        return None

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": amenities.CHOICES,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        # Admin maps every IntegerField to a number input; a bit set needs checkboxes.
        widget = kwargs.pop("widget", None)
        if isinstance(widget, forms.SelectMultiple) or (isinstance(widget, type) and issubclass(widget, forms.SelectMultiple)):
            defaults["widget"] = widget
        defaults.update(kwargs)
        # Bypass IntegerField.formfield, which would force an IntegerField.
        return forms.TypedMultipleChoiceField(
            **{key: value for key, value in defaults.items() if key not in ("form_class", "choices_form_class", "max_value", "min_value")}
        )


@AmenitiesField.register_lookup
class HasAll(Lookup):
    """``amenities__has_all=[codes]``: the station offers every one of them."""

    lookup_name = "has_all"

    def get_prep_lookup(self) -> int:
        if isinstance(self.rhs, str):
            return amenities.to_mask([self.rhs])
        return amenities.to_mask(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) = {rhs}", [*lhs_params, *rhs_params, *rhs_params]

"""The fixed list of amenities a care station can offer, stored as a bit set.

A station's amenities live in one integer column: bit ``i`` set means the
``i``-th amenity below is offered. ``(amenities & mask) = mask`` filters on
SQLite and PostgreSQL alike without JSON operators. The order of AMENITIES is
therefore part of the database format: append new amenities, never reorder.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy


class Amenity(NamedTuple):
    code: str
    label: str | Promise
    icon: str  # an emoji: renders everywhere without an icon font or a request


AMENITIES: tuple[Amenity, ...] = (
    Amenity("cooling", pgettext_lazy("amenity", "Cool rest / air conditioning"), "❄️"),
    Amenity("heating", pgettext_lazy("amenity", "Heating"), "🔥"),
    Amenity("drinking_water", pgettext_lazy("amenity", "Drinking water"), "🚰"),
    Amenity("hot_water", pgettext_lazy("amenity", "Hot water"), "♨️"),
    Amenity("phone_charging", pgettext_lazy("amenity", "Phone charging"), "🔋"),
    Amenity("ebike_charging", pgettext_lazy("amenity", "E-bike charging"), "🛵"),
    Amenity("restroom", pgettext_lazy("amenity", "Restroom"), "🚻"),
    Amenity("first_aid", pgettext_lazy("amenity", "First aid"), "⛑️"),
    Amenity("microwave", pgettext_lazy("amenity", "Microwave"), "🍱"),
    Amenity("seating", pgettext_lazy("amenity", "Seats / rest"), "🪑"),
    Amenity("wifi", pgettext_lazy("amenity", "Wi-Fi"), "📶"),
    Amenity("reading", pgettext_lazy("amenity", "Reading"), "📖"),
    Amenity("rain_gear", pgettext_lazy("amenity", "Rain gear"), "☂️"),
    Amenity("repair_tools", pgettext_lazy("amenity", "Tyre pump / repair tools"), "🔧"),
)
BY_CODE: dict[str, Amenity] = {amenity.code: amenity for amenity in AMENITIES}
BIT: dict[str, int] = {amenity.code: 1 << index for index, amenity in enumerate(AMENITIES)}
CHOICES: list[tuple[str, str | Promise]] = [(amenity.code, amenity.label) for amenity in AMENITIES]


class UnknownAmenity(ValueError):
    pass


def to_mask(codes: Iterable[str]) -> int:
    mask = 0
    for code in codes:
        if code not in BIT:
            raise UnknownAmenity(f"unknown amenity {code!r}; choose from {', '.join(BIT)}")
        mask |= BIT[code]
    return mask


def from_mask(mask: int) -> list[str]:
    """The codes in the fixed order of AMENITIES, whatever order they were given in."""
    return [amenity.code for amenity in AMENITIES if mask & BIT[amenity.code]]


_LABELS: dict[str | None, dict[str, str]] = {}


def labels() -> dict[str, str]:
    """Every amenity's label in the active language, translated once per language (a list
    of 20 stations asked gettext a hundred times otherwise)."""
    language = get_language()
    found = _LABELS.get(language)
    if found is None:
        found = _LABELS[language] = {amenity.code: str(amenity.label) for amenity in AMENITIES}
    return found


def describe(codes: Iterable[str]) -> list[dict[str, str]]:
    """The JSON shape of a station's amenities: code, translated label and icon."""
    label = labels()
    return [{"code": code, "label": label[code], "icon": BY_CODE[code].icon} for code in codes]

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
from django.utils.translation import gettext_lazy as _


class Amenity(NamedTuple):
    code: str
    label: str | Promise
    icon: str  # an emoji: renders everywhere without an icon font or a request


AMENITIES: tuple[Amenity, ...] = (
    Amenity("cooling", _("Cool rest / air conditioning"), "❄️"),
    Amenity("heating", _("Heating"), "🔥"),
    Amenity("drinking_water", _("Drinking water"), "🚰"),
    Amenity("hot_water", _("Hot water"), "♨️"),
    Amenity("phone_charging", _("Phone charging"), "🔋"),
    Amenity("ebike_charging", _("E-bike charging"), "🛵"),
    Amenity("restroom", _("Restroom"), "🚻"),
    Amenity("first_aid", _("First aid"), "⛑️"),
    Amenity("microwave", _("Microwave"), "🍱"),
    Amenity("seating", _("Seats / rest"), "🪑"),
    Amenity("wifi", _("Wi-Fi"), "📶"),
    Amenity("reading", _("Reading"), "📖"),
    Amenity("rain_gear", _("Rain gear"), "☂️"),
    Amenity("repair_tools", _("Tyre pump / repair tools"), "🔧"),
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


def describe(codes: Iterable[str]) -> list[dict[str, str]]:
    """The JSON shape of a station's amenities: code, translated label and icon."""
    return [{"code": code, "label": str(BY_CODE[code].label), "icon": BY_CODE[code].icon} for code in codes]

"""Import and export of stations as CSV and GeoJSON (admin actions and management commands).

An import is a list of rows, each upserted by slug in its own savepoint: a
bad row is reported with its line number (CSV) or feature number (GeoJSON)
and every good row is kept.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.csv_safe import SafeDictWriter, csv_unescape
from common.gcj02 import gcj02_to_wgs84
from stations import amenities, services
from stations.models import Station
from stations.validators import validate_opening_hours

CSV_COLUMNS = [
    "slug", "name", "address", "phone", "description", "lat", "lng", "coordinate_system",
    "amenities", "opening_hours", "follows_national_calendar", "published", "managers",
]
TRUE_WORDS = {"1", "true", "yes", "y", "是", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "f", ""}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.errors)} rejected"


class StationRowForm(forms.Form):
    """One imported row, validated the way admin validates a station."""

    slug = forms.SlugField(max_length=64)
    name = forms.CharField(max_length=80)
    address = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=32, required=False)
    description = forms.CharField(required=False)
    lat = forms.FloatField(min_value=-90, max_value=90)
    lng = forms.FloatField(min_value=-180, max_value=180)
    coordinate_system = forms.ChoiceField(choices=[("wgs84", "WGS-84"), ("gcj02", "GCJ-02")], required=False)
    amenities = forms.CharField(required=False)
    opening_hours = forms.CharField(max_length=255, validators=[validate_opening_hours])
    follows_national_calendar = forms.CharField(required=False)
    published = forms.CharField(required=False)
    managers = forms.CharField(required=False)

    def clean_amenities(self) -> list[str]:
        raw = self.cleaned_data.get("amenities") or ""
        codes = [code.strip() for code in raw.replace(",", ";").replace("|", ";").split(";") if code.strip()]
        try:
            return amenities.from_mask(amenities.to_mask(codes))
        except amenities.UnknownAmenity as exc:
            raise ValidationError(str(exc)) from exc

    def _flag(self, name: str, default: bool) -> bool:
        raw = (self.cleaned_data.get(name) or "").strip().lower()
        if raw == "":
            return default
        if raw in TRUE_WORDS:
            return True
        if raw in FALSE_WORDS:
            return False
        # `name` is the CSV column, as the file being imported names it.
        raise ValidationError(_("%(column)s must be true or false, not “%(value)s”.") % {"column": name, "value": raw})

    def clean_follows_national_calendar(self) -> bool:
        return self._flag("follows_national_calendar", True)

    def clean_published(self) -> bool:
        return self._flag("published", False)

    def clean_managers(self) -> list[Any]:
        names = [name.strip() for name in (self.cleaned_data.get("managers") or "").replace(",", ";").split(";") if name.strip()]
        users = list(get_user_model().objects.filter(username__in=names))
        missing = sorted(set(names) - {user.get_username() for user in users})
        if missing:
            raise ValidationError(_("No such user: %(names)s.") % {"names": ", ".join(missing)})
        return users

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("coordinate_system") == "gcj02" and data.get("lat") is not None and data.get("lng") is not None:
            data["lat"], data["lng"] = gcj02_to_wgs84(data["lat"], data["lng"])
        return data


def _form_errors(form: forms.Form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = "row" if name == "__all__" else name
        parts.append(f"{label}: {' '.join(str(error) for error in errors)}")
    return "; ".join(parts)


def import_rows(
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    total: int | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Upsert each (line, row) by slug; a bad row is reported and skipped."""
    report = ImportReport()
    for done, (line, row) in enumerate(rows, start=1):
        form = StationRowForm(data={key: ("" if value is None else str(value)) for key, value in row.items()})
        if not form.is_valid():
            report.errors.append(RowError(line, _form_errors(form)))
        else:
            try:
                created = _save_row(form.cleaned_data)
            except Exception as exc:  # noqa: BLE001 - one bad row must not stop the others
                report.errors.append(RowError(line, str(exc)))
            else:
                (report.created if created else report.updated).append(form.cleaned_data["slug"])
        if on_progress:
            on_progress(done, total)
    return report


IMPORT_FIELDS = ("slug", "name", "address", "phone", "description", "lat", "lng", "amenities", "opening_hours",
                 "follows_national_calendar", "published", "managers")


def _save_row(data: dict[str, Any]) -> bool:
    _station, created = services.station_import(**{name: data[name] for name in IMPORT_FIELDS})
    return created


# --- reading ----------------------------------------------------------------

def csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) for every data row; the header is line 1."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"slug", "name", "lat", "lng", "opening_hours"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"the CSV header lacks column(s): {', '.join(sorted(missing))}")
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        yield reader.line_num, {key: csv_unescape(value) for key, value in row.items() if key is not None}


def geojson_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(feature number, row); coordinates are [lng, lat] as GeoJSON says."""
    document = json.loads(text)
    if document.get("type") != "FeatureCollection":
        raise ValueError("a GeoJSON FeatureCollection is expected")
    for number, feature in enumerate(document.get("features") or [], start=1):
        properties = dict(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        coordinates = geometry.get("coordinates") if geometry.get("type") == "Point" else None
        if isinstance(coordinates, list) and len(coordinates) >= 2:
            properties["lng"], properties["lat"] = coordinates[0], coordinates[1]
        else:
            properties.setdefault("lat", "")
            properties.setdefault("lng", "")
        for key in ("amenities", "managers"):
            if isinstance(properties.get(key), list):
                properties[key] = ";".join(
                    str(item.get("code") if isinstance(item, dict) else item) for item in properties[key]
                )
        for key in ("published", "follows_national_calendar"):
            if isinstance(properties.get(key), bool):
                properties[key] = "true" if properties[key] else "false"
        row = {key: properties.get(key, "") for key in CSV_COLUMNS}
        row["coordinate_system"] = properties.get("coordinate_system") or "wgs84"
        yield number, row


def count_rows(text: str, fmt: str) -> int:
    if fmt == "geojson":
        return len(json.loads(text).get("features") or [])
    return max(0, sum(1 for _row in csv.reader(io.StringIO(text.lstrip("\ufeff")))) - 1)


def import_text(text: str, *, fmt: str, on_progress: Callable[[int, int | None], None] | None = None) -> ImportReport:
    if fmt not in ("csv", "geojson"):
        raise ValueError(f"unknown format {fmt!r}: csv or geojson")
    try:
        total = count_rows(text, fmt)
        rows = list(geojson_rows(text) if fmt == "geojson" else csv_rows(text))
    except (ValueError, csv.Error) as exc:
        report = ImportReport()
        report.errors.append(RowError(1, str(exc)))
        return report
    return import_rows(rows, total=total, on_progress=on_progress)


# --- writing ----------------------------------------------------------------

def _managers(station: Station) -> str:
    return ";".join(sorted(user.get_username() for user in station.managers.all()))


def station_row(station: Station) -> dict[str, Any]:
    return {
        "slug": station.slug,
        "name": station.name,
        "address": station.address,
        "phone": station.phone,
        "description": station.description,
        "lat": repr(station.lat),
        "lng": repr(station.lng),
        "coordinate_system": "wgs84",
        "amenities": ";".join(station.amenities),
        "opening_hours": station.opening_hours,
        "follows_national_calendar": "true" if station.follows_national_calendar else "false",
        "published": "true" if station.published else "false",
        "managers": _managers(station),
    }


def export_csv(stations: QuerySet[Station] | Iterable[Station]) -> str:
    buffer = io.StringIO()
    writer = SafeDictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for station in _with_managers(stations):
        writer.writerow(station_row(station))
    return buffer.getvalue()


def export_geojson(stations: QuerySet[Station] | Iterable[Station]) -> dict[str, Any]:
    features = []
    for station in _with_managers(stations):
        properties = station_row(station)
        properties.pop("lat")
        properties.pop("lng")
        properties.pop("coordinate_system")
        properties["amenities"] = list(station.amenities)
        properties["managers"] = [name for name in properties["managers"].split(";") if name]
        properties["published"] = station.published
        properties["follows_national_calendar"] = station.follows_national_calendar
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [station.lng, station.lat]}, "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def _with_managers(stations: QuerySet[Station] | Iterable[Station]) -> Iterable[Station]:
    if isinstance(stations, QuerySet):
        return stations.order_by("slug").prefetch_related("managers").iterator(chunk_size=500)
    return stations

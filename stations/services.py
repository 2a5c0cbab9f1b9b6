"""Every write of the care stations.

Each service runs in one transaction, locks the station row first (so two
managers editing the same playlist queue instead of interleaving), bumps
station.updated_at (the screen's version) and nudges finder and screen after
the commit through stations.events. Services do not check permissions: the
caller has already found the station with selectors.station_get_for_manager.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from stations import amenities as amenity_list
from stations import events
from stations.hours import OpeningHoursError, parse_expression
from stations.models import Closure, HolidayCalendar, PlaylistItem, SafetyVideo, Slogan, Station
from stations.validators import validate_image_file, validate_video_file

_UNSET: Any = object()


def _locked_station(station_id: int) -> Station:
    return Station.objects.select_for_update().get(pk=station_id)


def _touch(station: Station) -> None:
    """Mark the station changed and send the nudge once the transaction commits."""
    stations_touch(station_ids=[station.pk])


def stations_touch(*, station_ids: Iterable[int]) -> None:
    """Mark stations changed and nudge their screens and finders after the commit.

    For writes that Django's admin makes itself (its forms and inlines save the
    rows); every other write is a service below that touches on its own.
    """
    for station_id in sorted(set(station_ids)):
        Station.objects.filter(pk=station_id).update(updated_at=timezone.now())
        events.station_changed_on_commit(station_id)


def _check_hours(expression: str, *, allow_empty: bool = False) -> str:
    expression = (expression or "").strip()
    if allow_empty and not expression:
        return ""
    try:
        parse_expression(expression)
    except OpeningHoursError as exc:
        raise InvalidInput(str(exc), code="invalid_opening_hours") from exc
    return expression


def _check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(_("The last day must not be before the first day."), code="invalid_dates")


# --- the station ------------------------------------------------------------

@transaction.atomic
def station_update(
    *,
    station_id: int,
    opening_hours: str | None = None,
    follows_national_calendar: bool | None = None,
    closed_now: bool | None = None,
    closed_reason: str | None = None,
    amenities: list[str] | None = None,
    phone: str | None = None,
    description: str | None = None,
    published: bool | None = None,
) -> Station:
    """Change what a manager may change; None leaves a field as it is."""
    station = _locked_station(station_id)
    if opening_hours is not None:
        station.opening_hours = _check_hours(opening_hours)
    if follows_national_calendar is not None:
        station.follows_national_calendar = follows_national_calendar
    if closed_now is not None:
        station.closed_now = closed_now
        if not closed_now and closed_reason is None:
            station.closed_reason = ""
    if closed_reason is not None:
        station.closed_reason = closed_reason.strip()[:120]
    if amenities is not None:
        try:
            station.amenities = amenity_list.from_mask(amenity_list.to_mask(amenities))
        except amenity_list.UnknownAmenity as exc:
            raise InvalidInput(str(exc), code="invalid_amenity") from exc
    if phone is not None:
        station.phone = phone.strip()[:32]
    if description is not None:
        station.description = description
    if published is not None:
        station.published = published
    station.save()
    events.station_changed_on_commit(station.pk)
    return station


@transaction.atomic
def stations_set_published(*, station_ids: Iterable[int], published: bool) -> None:
    ids = list(station_ids)
    Station.objects.filter(pk__in=ids).update(published=published)
    stations_touch(station_ids=ids)


@transaction.atomic
def station_import(
    *,
    slug: str,
    name: str,
    lat: float,
    lng: float,
    opening_hours: str,
    address: str = "",
    phone: str = "",
    description: str = "",
    amenities: list[str] | None = None,
    follows_national_calendar: bool = True,
    published: bool = False,
    managers: Iterable[Any] = (),
) -> tuple[Station, bool]:
    """Create or replace a station from an import row; (station, created)."""
    station, created = Station.objects.select_for_update().update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "address": address,
            "phone": phone,
            "description": description,
            "lat": lat,
            "lng": lng,
            "amenities": list(amenities or []),
            "opening_hours": opening_hours.strip(),
            "follows_national_calendar": follows_national_calendar,
            "published": published,
        },
    )
    managers = list(managers)
    if managers:
        station.managers.add(*managers)
    stations_touch(station_ids=[station.pk])
    return station, created


def station_set_closed_now(*, station_id: int, closed: bool, reason: str = "") -> Station:
    return station_update(station_id=station_id, closed_now=closed, closed_reason=reason if closed else "")


# --- closures and special days ----------------------------------------------

@transaction.atomic
def closure_create(
    *, station_id: int, start_date: date, end_date: date, reason: str, opening_hours: str = ""
) -> Closure:
    station = _locked_station(station_id)
    _check_dates(start_date, end_date)
    if not reason.strip():
        raise InvalidInput(_("Give a reason, e.g. “closed for renovation”."), code="reason_required")
    closure = Closure.objects.create(
        station=station,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip()[:120],
        opening_hours=_check_hours(opening_hours, allow_empty=True),
    )
    _touch(station)
    return closure


@transaction.atomic
def closure_update(
    *,
    station_id: int,
    closure_id: int,
    start_date: date | None = None,
    end_date: date | None = None,
    reason: str | None = None,
    opening_hours: str | None = None,
) -> Closure:
    station = _locked_station(station_id)
    closure = Closure.objects.get(pk=closure_id, station=station)
    if start_date is not None:
        closure.start_date = start_date
    if end_date is not None:
        closure.end_date = end_date
    _check_dates(closure.start_date, closure.end_date)
    if reason is not None:
        if not reason.strip():
            raise InvalidInput(_("Give a reason, e.g. “closed for renovation”."), code="reason_required")
        closure.reason = reason.strip()[:120]
    if opening_hours is not None:
        closure.opening_hours = _check_hours(opening_hours, allow_empty=True)
    closure.save()
    _touch(station)
    return closure


@transaction.atomic
def closure_delete(*, station_id: int, closure_id: int) -> None:
    station = _locked_station(station_id)
    Closure.objects.get(pk=closure_id, station=station).delete()
    _touch(station)


# --- playlist ---------------------------------------------------------------

def _playlist(station: Station) -> list[PlaylistItem]:
    return list(station.playlist_items.select_related("video").order_by("position", "id"))


def _renumber(items: list[Any]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


@transaction.atomic
def playlist_item_add(
    *, station_id: int, video_id: int, start_date: date | None = None, end_date: date | None = None
) -> PlaylistItem:
    station = _locked_station(station_id)
    _check_dates(start_date, end_date)
    try:
        video = SafetyVideo.objects.get(pk=video_id)
    except SafetyVideo.DoesNotExist as exc:
        raise InvalidInput(_("There is no safety video with id %(id)s.") % {"id": video_id}, code="no_video") from exc
    items = _playlist(station)
    item = PlaylistItem.objects.create(
        station=station, video=video, position=len(items) + 1, start_date=start_date, end_date=end_date
    )
    _touch(station)
    return item


@transaction.atomic
def playlist_item_update(
    *, station_id: int, item_id: int, start_date: date | None = _UNSET, end_date: date | None = _UNSET
) -> PlaylistItem:
    """Set the item's date window; pass None to remove a bound."""
    station = _locked_station(station_id)
    item = PlaylistItem.objects.select_related("video").get(pk=item_id, station=station)
    if start_date is not _UNSET:
        item.start_date = start_date
    if end_date is not _UNSET:
        item.end_date = end_date
    _check_dates(item.start_date, item.end_date)
    item.save(update_fields=["start_date", "end_date"])
    _touch(station)
    return item


@transaction.atomic
def playlist_item_remove(*, station_id: int, item_id: int) -> None:
    station = _locked_station(station_id)
    PlaylistItem.objects.get(pk=item_id, station=station).delete()
    _renumber(_playlist(station))
    _touch(station)


def _reordered(current: list[Any], ids: list[int], what: str) -> list[Any]:
    by_id = {item.pk: item for item in current}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise InvalidInput(
            _("Give every %(what)s of this station exactly once (expected ids: %(ids)s).")
            % {"what": what, "ids": ", ".join(str(pk) for pk in sorted(by_id))},
            code="invalid_order",
        )
    ordered = [by_id[pk] for pk in ids]
    _renumber(ordered)
    return ordered


@transaction.atomic
def playlist_reorder(*, station_id: int, item_ids: list[int]) -> list[PlaylistItem]:
    station = _locked_station(station_id)
    ordered = _reordered(_playlist(station), list(item_ids), _("playlist item"))
    _touch(station)
    return ordered


@transaction.atomic
def playlist_move(*, station_id: int, item_id: int, direction: Literal["up", "down"]) -> list[PlaylistItem]:
    """Swap an item with its neighbour: the phone page's ▲/▼ buttons."""
    station = _locked_station(station_id)
    items = _playlist(station)
    index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
    if index is None:
        raise PlaylistItem.DoesNotExist(f"no playlist item {item_id} at this station")
    if direction not in ("up", "down"):
        raise InvalidInput(_("Direction must be “up” or “down”."), code="invalid_direction")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    _renumber(items)
    _touch(station)
    return items


# --- slogans ----------------------------------------------------------------

def _check_slogan(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("A slogan cannot be empty."), code="slogan_empty")
    if len(text) > 120:
        raise InvalidInput(_("A slogan has at most 120 characters."), code="slogan_too_long")
    return text


@transaction.atomic
def slogan_create(*, station_id: int, text: str, active: bool = True) -> Slogan:
    station = _locked_station(station_id)
    count = station.slogans.count()
    slogan = Slogan.objects.create(station=station, text=_check_slogan(text), active=active, position=count + 1)
    _touch(station)
    return slogan


@transaction.atomic
def slogan_update(*, station_id: int, slogan_id: int, text: str | None = None, active: bool | None = None) -> Slogan:
    station = _locked_station(station_id)
    slogan = Slogan.objects.get(pk=slogan_id, station=station)
    if text is not None:
        slogan.text = _check_slogan(text)
    if active is not None:
        slogan.active = active
    slogan.save()
    _touch(station)
    return slogan


@transaction.atomic
def slogan_delete(*, station_id: int, slogan_id: int) -> None:
    station = _locked_station(station_id)
    Slogan.objects.get(pk=slogan_id, station=station).delete()
    _renumber(list(station.slogans.order_by("position", "id")))
    _touch(station)


@transaction.atomic
def slogans_reorder(*, station_id: int, slogan_ids: list[int]) -> list[Slogan]:
    station = _locked_station(station_id)
    ordered = _reordered(list(station.slogans.order_by("position", "id")), list(slogan_ids), _("slogan"))
    _touch(station)
    return ordered


# --- the video library ------------------------------------------------------

def safety_video_create(
    *, title: str, file: File, poster: File | None = None, duration_seconds: int = 0
) -> SafetyVideo:
    """Store a checked video; on any problem nothing is written to disk or database."""
    if not (title or "").strip():
        raise InvalidInput(_("Give the video a title."), code="title_required")
    try:
        validate_video_file(file)
        if poster:
            validate_image_file(poster)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code=exc.error_list[0].code or "invalid_file") from exc
    if duration_seconds < 0:
        raise InvalidInput(_("The duration cannot be negative."), code="invalid_duration")
    with transaction.atomic():
        video = SafetyVideo(title=title.strip()[:120], file=file, duration_seconds=duration_seconds)
        if poster:
            video.poster = poster
        video.save()
    # A new video is in no playlist yet, so no screen needs a nudge.
    return video


@transaction.atomic
def safety_video_changed(*, video_id: int) -> None:
    """The library is shared: every screen that plays this video should reload it."""
    stations_touch(station_ids=PlaylistItem.objects.filter(video_id=video_id).values_list("station_id", flat=True))


# --- the national calendar --------------------------------------------------

@transaction.atomic
def holiday_calendar_seed(*, years: Iterable[int] | None = None) -> dict[int, int]:
    """Copy statutory holidays and make-up workdays from `chinesecalendar`.

    Years the package does not know are skipped (reported with 0 rows), never
    raised: next year's dates arrive by hand in admin when published.
    Existing rows for a date are updated, other rows are left alone.
    """
    from chinese_calendar import constants

    known = sorted({day.year for day in constants.holidays} | {day.year for day in constants.workdays})
    wanted = sorted(set(years)) if years is not None else known
    written: dict[int, int] = {}
    for year in wanted:
        count = 0
        if year not in known:
            written[year] = 0
            continue
        for day, name in sorted(constants.holidays.items()):
            if day.year != year:
                continue
            # The package lists every day off of a holiday period, weekends
            # inside it included: all of them are PH for a station.
            HolidayCalendar.objects.update_or_create(
                date=day, defaults={"kind": HolidayCalendar.Kind.STATUTORY_HOLIDAY, "name": _holiday_name(name)}
            )
            count += 1
        for day, name in sorted(constants.workdays.items()):
            if day.year != year:
                continue
            HolidayCalendar.objects.update_or_create(
                date=day, defaults={"kind": HolidayCalendar.Kind.MAKEUP_WORKDAY, "name": _holiday_name(name)}
            )
            count += 1
        written[year] = count
    return written


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(english: str) -> str:
    """chinesecalendar gives English names; the table keeps the Chinese one people know."""
    return HOLIDAY_NAMES_ZH.get(str(english), str(english))[:60]


# --- a manager's own video ----------------------------------------------------

@transaction.atomic
def station_video_upload(*, station_id: int, title: str, file: File, duration_seconds: int = 0) -> PlaylistItem:
    """A station manager's upload: checked like admin's (by content, MP4/WebM, the size
    cap), added to the shared library and at the end of the station's playlist.

    A refused upload stores nothing, neither a row nor a file.
    """
    _locked_station(station_id)  # an unknown station fails before anything is stored
    video = safety_video_create(title=title, file=file, duration_seconds=duration_seconds)
    try:
        return playlist_item_add(station_id=station_id, video_id=video.pk)
    except Exception:
        # The rows roll back with the transaction; the stored file must go too.
        video.file.delete(save=False)
        raise

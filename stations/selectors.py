"""Every non-trivial read of the care stations."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.signals import post_migrate
from django.utils import timezone
from django.utils.translation import get_language

from common.geo import BoundingBox, bounding_box, haversine_m
from common.roles import ADMIN, STATION_MANAGER, user_has_role
from stations import amenities as amenity_list
from stations import hours
from stations.media import video_json
from stations.models import Closure, HolidayCalendar, PlaylistItem, Station, StationPhoto

# The first box of the nearest search; it widens (next_radius) until it holds enough stations.
# 5 km holds 20 stations in a dense city in one query (2 km took two).
INITIAL_RADIUS_M = 5_000.0
HALF_EARTH_M = 20_100_000.0
SCREEN_POLL_SECONDS = 30


@dataclass(frozen=True)
class NearbyStation:
    station: Station
    distance_m: float | None
    open_state: hours.OpenState


# Why a citizen is far from every open station (FarFromStations.kind).
FAR_NO_STATION = "no_station"  # no station at all within the radius
FAR_NONE_OPEN = "none_open"  # stations within the radius, none of them open now


@dataclass(frozen=True)
class FarFromStations:
    """No open station within settings.STATION_FINDER_FAR_KM of where the finder measures from."""

    kind: str  # FAR_NO_STATION | FAR_NONE_OPEN
    radius_km: int
    # FAR_NO_STATION: the nearest station whatever its state. FAR_NONE_OPEN: the nearest open
    # one when the list reached it, else None.
    distance_m: float | None
    filtered: bool  # amenities were asked for: only stations that have them count


@dataclass(frozen=True)
class StationDetail:
    """A station with everything its detail shape shows, read for a whole list at once."""

    station: Station
    distance_m: float | None
    open_state: hours.OpenState
    week: list[hours.DayHours]
    closures: list[Closure]  # those not over yet, soonest first
    photos: list[StationPhoto]


# --- which stations ---------------------------------------------------------

def stations_published() -> QuerySet[Station]:
    return Station.objects.filter(published=True)


def station_get_published(*, slug: str) -> Station:
    return stations_published().get(slug=slug)


def stations_managed_by(*, user: Any) -> QuerySet[Station]:
    if user_has_role(user, ADMIN):
        return Station.objects.all()
    if user_has_role(user, STATION_MANAGER):
        return Station.objects.filter(managers=user)
    return Station.objects.none()


def station_get_for_manager(*, user: Any, slug: str) -> Station:
    """The station if this user may edit it; Station.DoesNotExist (a 404) otherwise."""
    return stations_managed_by(user=user).get(slug=slug)


def station_get_visible(*, user: Any, slug: str) -> Station:
    """Published stations for everyone; unpublished ones only for those who manage them."""
    return Station.objects.filter(Q(published=True) | Q(pk__in=stations_managed_by(user=user).values("pk"))).get(
        slug=slug
    )


# --- calendar and schedules -------------------------------------------------

def today_shanghai(at: datetime | None = None) -> date:
    return hours.to_shanghai(at or timezone.now()).date()


def holiday_calendar(*, first: date, last: date) -> dict[date, hours.CalendarDay]:
    # In SQL: every open state needs it, and the ORM took longer to build and compile
    # this query than the database took to answer it (bench/bench_stations.py).
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('date')}, {quote('kind')}, {quote('name')} FROM {quote(HolidayCalendar._meta.db_table)}"
            f" WHERE {quote('date')} >= %s AND {quote('date')} <= %s",
            [connection.ops.adapt_datefield_value(first), connection.ops.adapt_datefield_value(last)],
        )
        return hours.calendar_from_rows(cursor.fetchall())


def _calendar_around(at: datetime, days_ahead: int = hours.LOOKAHEAD_DAYS + 9) -> dict[date, hours.CalendarDay]:
    today = today_shanghai(at)
    return holiday_calendar(first=today - timedelta(days=2), last=today + timedelta(days=days_ahead))


def _relevant_closures_since(today: date) -> date:
    """Closures that end before this day cannot matter for a state, its next change or the week ahead."""
    return today - timedelta(days=2)


def _relevant_closures(today: date) -> Prefetch:
    """Closures that can matter for a state, its next change or the week ahead."""
    return Prefetch(
        "closures",
        queryset=Closure.objects.filter(end_date__gte=_relevant_closures_since(today)).order_by("start_date", "id"),
        to_attr="relevant_closures",
    )


def schedule_of(station: Station, *, today: date | None = None) -> hours.Schedule:
    closures = getattr(station, "relevant_closures", None)
    if closures is None:
        first = _relevant_closures_since(today or today_shanghai())
        closures = list(station.closures.filter(end_date__gte=first).order_by("start_date", "id"))
    return _schedule(
        station.opening_hours, station.follows_national_calendar, closures, station.closed_now, station.closed_reason
    )


def _schedule(
    expression: str, follows_national_calendar: bool, closures: Sequence[Closure], closed_now: bool, closed_reason: str
) -> hours.Schedule:
    return hours.Schedule(
        expression=expression,
        follows_national_calendar=bool(follows_national_calendar),
        closures=tuple(hours.ClosureSpan(c.start_date, c.end_date, c.reason, c.opening_hours) for c in closures),
        closed_now=bool(closed_now),
        closed_reason=closed_reason,
    )


def station_open_state(
    *, station: Station, at: datetime | None = None, calendar: dict[date, hours.CalendarDay] | None = None
) -> hours.OpenState:
    at = at or timezone.now()
    calendar = _calendar_around(at) if calendar is None else calendar
    return hours.open_state(schedule_of(station, today=today_shanghai(at)), calendar, at)


def station_week_hours(*, station: Station, start: date | None = None, days: int = 7) -> list[hours.DayHours]:
    start = start or today_shanghai()
    calendar = holiday_calendar(first=start - timedelta(days=2), last=start + timedelta(days=days + 2))
    return hours.week_hours(schedule_of(station, today=start), calendar, start, days)


def station_hours_preview(
    *, station: Station, opening_hours: str, follows_national_calendar: bool, start: date | None = None, days: int = 7
) -> list[hours.DayHours]:
    """The week an unsaved expression would give; raises hours.OpeningHoursError if it is invalid."""
    hours.parse_expression(opening_hours)
    start = start or today_shanghai()
    schedule = replace(
        schedule_of(station, today=start),
        expression=opening_hours.strip(),
        follows_national_calendar=follows_national_calendar,
    )
    calendar = holiday_calendar(first=start - timedelta(days=2), last=start + timedelta(days=days + 2))
    return hours.week_hours(schedule, calendar, start, days)


def stations_detailed(*, stations: QuerySet[Station], at: datetime | None = None) -> list[StationDetail]:
    """Each station with its state, week, coming closures and photos: four queries
    (stations, closures, photos, calendar) however many stations there are."""
    at = at or timezone.now()
    today = today_shanghai(at)
    calendar = _calendar_around(at)
    rows = stations.prefetch_related(
        _relevant_closures(today), Prefetch("photos", queryset=StationPhoto.objects.order_by("position", "id"))
    )
    details = []
    for station in rows:
        schedule = schedule_of(station, today=today)
        details.append(
            StationDetail(
                station=station,
                distance_m=None,
                open_state=hours.open_state(schedule, calendar, at),
                week=hours.week_hours(schedule, calendar, today, 7),
                closures=[closure for closure in station.relevant_closures if closure.end_date >= today],
                photos=list(station.photos.all()),
            )
        )
    return details


def station_detailed(*, station: Station, at: datetime | None = None) -> StationDetail:
    return stations_detailed(stations=Station.objects.filter(pk=station.pk), at=at)[0]


def holiday_calendar_missing_years(*, today: date | None = None) -> list[int]:
    """This year and the coming one, when the table has no entry for them."""
    today = today or today_shanghai()
    years = [today.year, today.year + 1]
    present = {day.year for day in HolidayCalendar.objects.filter(date__year__in=years).dates("date", "year")}
    return [year for year in years if year not in present]


# --- search -----------------------------------------------------------------

def _filtered(amenities: Sequence[str]) -> QuerySet[Station]:
    queryset = stations_published()
    if amenities:
        queryset = queryset.filter(amenities__has_all=list(amenities))
    return queryset


def stations_nearest(
    *,
    lat: float,
    lng: float,
    limit: int = 20,
    open_now: bool = False,
    amenities: Sequence[str] = (),
    at: datetime | None = None,
) -> list[NearbyStation]:
    """Published stations nearest to (lat, lng), by great-circle distance.

    The database answers a box from a 2-D index; the box widens until it
    holds `limit` matching stations within its inscribed circle, which makes
    the answer the same as sorting every station (ties broken by id). The box
    brings what the cards show, so the chosen stations are not read again.
    """
    at = at or timezone.now()
    today = today_shanghai(at)
    calendar = _calendar_around(at)
    since = _relevant_closures_since(today)
    amenity_mask = amenity_list.to_mask(amenities)
    closures: dict[int, list[Closure]] = {}
    open_cache: dict[int, bool] = {}
    radius = INITIAL_RADIUS_M
    found_before = 0
    while True:
        everything = radius >= HALF_EARTH_M
        candidates = sorted(
            (distance, row[0], row)
            for row in _box_rows(bounding_box(lat, lng, radius), amenity_mask=amenity_mask, closures_since=since)
            if (distance := haversine_m(lat, lng, row[1], row[2])) <= radius or everything
        )
        if open_now:
            ranked = _keep_open(candidates, limit, open_cache, closures, calendar, at, since)
        else:
            ranked = candidates[:limit]
        if len(ranked) >= limit or everything:
            break
        radius = next_radius(radius, found=len(ranked), found_before=found_before, limit=limit)
        found_before = len(ranked)
    chosen = ranked[:limit]
    _read_closures(closures, [row for _distance, _pk, row in chosen], since)
    calendar_days = frozenset(calendar.items())
    nearby = []
    for distance, _pk, row in chosen:
        station = _station_of(row, closures)
        state = _open_state(station, today=today, calendar_days=calendar_days, at=at)
        nearby.append(NearbyStation(station, distance, state))
    return nearby


def stations_far(
    *,
    lat: float,
    lng: float,
    nearby: Sequence[NearbyStation],
    open_now: bool = False,
    amenities: Sequence[str] = (),
    at: datetime | None = None,
) -> FarFromStations | None:
    """Whether the finder's list, `nearby` (stations_nearest from (lat, lng) with the same
    choices), leaves the citizen far from every open station; None when an open one is within
    the radius, or when no station matches at all (the empty list says so itself).

    The list answers most requests alone. The database is asked only when it cannot: with
    `open_now` the closed stations were left out, and when no listed station is open more
    of them within the radius may not have been listed.
    """
    at = at or timezone.now()
    radius_km = settings.STATION_FINDER_FAR_KM
    radius_m = radius_km * 1000.0
    listed = sorted(item.distance_m for item in nearby if item.distance_m is not None)
    open_listed = sorted(
        item.distance_m for item in nearby if item.distance_m is not None and item.open_state.state == hours.OPEN
    )
    nearest_open = open_listed[0] if open_listed else None
    if nearest_open is not None and nearest_open <= radius_m:
        return None
    if open_now:
        nearest_of_all = stations_nearest(lat=lat, lng=lng, limit=1, amenities=amenities, at=at)
        nearest = nearest_of_all[0].distance_m if nearest_of_all else None
    else:
        nearest = listed[0] if listed else None
        if nearest_open is None and nearest is not None and nearest <= radius_m:
            if _any_open_within(lat=lat, lng=lng, radius_m=radius_m, amenities=amenities, at=at):
                return None
    if nearest is None:
        return None
    if nearest > radius_m:
        return FarFromStations(FAR_NO_STATION, radius_km, nearest, bool(amenities))
    return FarFromStations(FAR_NONE_OPEN, radius_km, nearest_open, bool(amenities))


def _any_open_within(*, lat: float, lng: float, radius_m: float, amenities: Sequence[str], at: datetime) -> bool:
    """One box, never widened: the stations it holds are worked out only until one is open."""
    today = today_shanghai(at)
    since = _relevant_closures_since(today)
    rows = _box_rows(bounding_box(lat, lng, radius_m), amenity_mask=amenity_list.to_mask(amenities), closures_since=since)
    candidates = sorted(
        (distance, row[0], row) for row in rows if (distance := haversine_m(lat, lng, row[1], row[2])) <= radius_m
    )
    return bool(_keep_open(candidates, 1, {}, {}, _calendar_around(at), at, since))


# What a card and its open state read of a station, in the order of a box row: the
# rest (the description above all) is left in the database.
NEARBY_COLUMNS = (
    "id", "lat", "lng", "slug", "name", "address", "phone", "amenities",
    "opening_hours", "follows_national_calendar", "closed_now", "closed_reason",
)
_NEARBY_FIELDS = [Station._meta.get_field(name) for name in NEARBY_COLUMNS]
# A box row ends with whether the station has relevant closures.
_HAS_CLOSURES = len(NEARBY_COLUMNS)


def _box_rows(box: BoundingBox, *, amenity_mask: int, closures_since: date) -> list[tuple[Any, ...]]:
    """The published stations in the box that have every amenity of the mask, as rows of
    NEARBY_COLUMNS and whether the station has a closure ending on or after closures_since.

    Written in SQL because the search runs it up to four times a request and the ORM
    took longer to build and compile it than the database took to answer. Unordered:
    the rows are ranked by distance here.
    """
    quote = connection.ops.quote_name
    stations = quote(Station._meta.db_table)
    select = [f"{stations}.{quote(field.column)}" for field in _NEARBY_FIELDS]
    select.append(_has_closure_sql(f"{quote('end_date')} >= %s"))
    tables, where, box_params = _in_box_sql(box)
    params: list[Any] = [connection.ops.adapt_datefield_value(closures_since), *box_params]
    if amenity_mask:
        where.append(f"({quote('amenities')} & %s) = %s")  # what the amenities__has_all lookup writes
        params += [amenity_mask, amenity_mask]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(select)} FROM {tables} WHERE {' AND '.join(where)}", params)
        return cursor.fetchall()


# Made by migration 0003 on SQLite: the published stations' points, kept in step by triggers.
STATION_RTREE = "stations_station_rtree"


def _in_box_sql(box: BoundingBox) -> tuple[str, list[str], list[float]]:
    """FROM, WHERE and parameters that find the published stations in the box through a
    2-D index (migration 0003), so a box in an empty area reads the few stations in it
    and not a band of the lat/lng B-tree as wide as the box."""
    quote = connection.ops.quote_name
    stations, lat, lng = quote(Station._meta.db_table), quote("lat"), quote("lng")
    if connection.vendor == "postgresql":
        # The very expression of the GiST index, and its WHERE, so the planner takes it.
        return (
            stations,
            [quote("published"), f"point({lng}, {lat}) <@ box(point(%s, %s), point(%s, %s))"],
            [box.min_lng, box.min_lat, box.max_lng, box.max_lat],
        )
    if connection.vendor == "sqlite" and _sqlite_rtree_present():
        # The R*Tree holds the published stations. Its 32-bit boxes are rounded outward,
        # so asking for those that overlap ours misses no station inside it. CROSS JOIN
        # has SQLite read the R*Tree first.
        rtree = quote(STATION_RTREE)
        return (
            f"{rtree} CROSS JOIN {stations} ON {stations}.{quote('id')} = {rtree}.{quote('id')}",
            ["max_lat >= %s", "min_lat <= %s", "max_lng >= %s", "min_lng <= %s"],
            [box.min_lat, box.max_lat, box.min_lng, box.max_lng],
        )
    return (
        stations,
        [quote("published"), f"{lat} >= %s", f"{lat} <= %s", f"{lng} >= %s", f"{lng} <= %s"],
        [box.min_lat, box.max_lat, box.min_lng, box.max_lng],
    )


_RTREE_PRESENT: dict[str, bool] = {}


def _sqlite_rtree_present() -> bool:
    """Whether this database has the R*Tree (an SQLite without the module gets none):
    asked once a process for each database file, and again after a migration."""
    name = str(connection.settings_dict["NAME"])
    if name not in _RTREE_PRESENT:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [STATION_RTREE])
            _RTREE_PRESENT[name] = cursor.fetchone() is not None
    return _RTREE_PRESENT[name]


def _forget_rtree_presence(**kwargs: Any) -> None:
    _RTREE_PRESENT.clear()


# Migrating stations to 0002 drops the R*Tree and back to 0003 makes it again.
post_migrate.connect(_forget_rtree_presence, dispatch_uid="stations.selectors.forget_rtree_presence")


def _has_closure_sql(condition: str) -> str:
    """SQL that is true when the station of the row has a closure meeting the condition.
    Correlated, so the (station, end_date) index answers it row by row, however long
    the history of closures grows."""
    quote = connection.ops.quote_name
    closures, stations = quote(Closure._meta.db_table), quote(Station._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {closures} WHERE {closures}.{quote('station_id')} = {stations}.{quote('id')}"
        f" AND {condition})"
    )


def _read_closures(closures: dict[int, list[Closure]], rows: list[tuple[Any, ...]], since: date) -> None:
    """Add the relevant closures of the stations of these box rows to `closures`: one
    query for the stations that have any and were not read yet, none on most days."""
    wanted = [row[0] for row in rows if row[_HAS_CLOSURES] and row[0] not in closures]
    if not wanted:
        return
    for station_id in wanted:
        closures[station_id] = []
    for closure in Closure.objects.filter(station_id__in=wanted, end_date__gte=since).order_by("start_date", "id"):
        closures[closure.station_id].append(closure)


def _station_of(row: tuple[Any, ...], closures: dict[int, list[Closure]]) -> Station:
    """The station of a box row (its other columns deferred), with its relevant closures."""
    values = [
        field.from_db_value(row[index], None, connection) if hasattr(field, "from_db_value") else row[index]
        for index, field in _ROW_INDEX_OF_FIELD
    ]
    station = Station.from_db(connection.alias, _LOADED_FIELD_NAMES, values)
    station.relevant_closures = closures.get(station.pk, [])
    return station


# Station.from_db takes the values in the model's order of fields.
_ROW_INDEX_OF_FIELD = [
    (NEARBY_COLUMNS.index(field.attname), field)
    for field in Station._meta.concrete_fields
    if field.attname in NEARBY_COLUMNS
]
_LOADED_FIELD_NAMES = frozenset(NEARBY_COLUMNS)


def _open_state(
    station: Station, *, today: date, calendar_days: frozenset[tuple[date, hours.CalendarDay]], at: datetime
) -> hours.OpenState:
    """The station's open state at `at`, from the cache below."""
    minute = hours.to_shanghai(at).replace(second=0, microsecond=0)
    return _open_state_in_minute(schedule_of(station, today=today), minute, calendar_days, get_language())


@lru_cache(maxsize=4096)
def _open_state_in_minute(
    schedule: hours.Schedule, minute: datetime, calendar_days: frozenset[tuple[date, hours.CalendarDay]], language: str
) -> hours.OpenState:
    """Opening hours change on the minute and closures by the day, so a state, its next
    change and its words hold for a whole minute: stations that share a schedule, and
    requests in the same minute, share one answer. Everything it depends on is in the
    key, the language too (the words are translated)."""
    return hours.open_state(schedule, dict(calendar_days), minute)


def next_radius(radius: float, *, found: int, found_before: int, limit: int) -> float:
    """The next box's radius: grown by the density seen so far, at least a quarter wider
    (doubling read hundreds of rows too many past a city's edge). When the last box found
    nothing new the density says little: ten times wider, which away from cities, or past
    a town's last station, saves queries over growing as if it did."""
    if found <= found_before:
        return min(HALF_EARTH_M, radius * 10)
    return min(HALF_EARTH_M, radius * max(1.25, (limit / found) ** 0.5 * 1.2))


STATE_RANK = {hours.OPEN: 0, hours.UNKNOWN: 1, hours.CLOSED: 2}


def open_first(nearby: list[NearbyStation]) -> list[NearbyStation]:
    """Nearest first, but a closed station never above an open one: a rider in the
    heat needs the nearest place that will let them in. The sort is stable, so
    distance order holds within each state."""
    return sorted(nearby, key=lambda item: STATE_RANK.get(item.open_state.state, 1))


def _keep_open(
    candidates: list[tuple[float, int, tuple[Any, ...]]],
    limit: int,
    cache: dict[int, bool],
    closures: dict[int, list[Closure]],
    calendar: dict[date, hours.CalendarDay],
    at: datetime,
    since: date,
) -> list[tuple[float, int, tuple[Any, ...]]]:
    """The candidates (distance, id, box row) open at `at`, nearest first, evaluating only as many as needed."""
    _read_closures(closures, [row for _distance, pk, row in candidates if pk not in cache], since)
    # Stations share a handful of schedules: each is worked out once.
    open_by_schedule: dict[hours.Schedule, bool] = {}
    kept = []
    for distance, pk, row in candidates:
        if pk not in cache:
            schedule = _schedule_of_row(row, closures)
            if schedule not in open_by_schedule:
                open_by_schedule[schedule] = hours.state_only(schedule, calendar, at) == hours.OPEN
            cache[pk] = open_by_schedule[schedule]
        if cache[pk]:
            kept.append((distance, pk, row))
            if len(kept) >= limit:
                break
    return kept


# Where a box row holds what schedule_of() reads of a station.
_SCHEDULE_COLUMNS = [
    NEARBY_COLUMNS.index(name)
    for name in ("opening_hours", "follows_national_calendar", "closed_now", "closed_reason")
]


def _schedule_of_row(row: tuple[Any, ...], closures: dict[int, list[Closure]]) -> hours.Schedule:
    """schedule_of() of a box row's station, without making the station: `open_now` weighs
    every candidate nearer than the last open one it keeps, hundreds where few are open."""
    expression, national, closed_now, closed_reason = (row[index] for index in _SCHEDULE_COLUMNS)
    return _schedule(expression, national, closures.get(row[0], []), closed_now, closed_reason)


def stations_listed(
    *, limit: int = 20, open_now: bool = False, amenities: Sequence[str] = (), at: datetime | None = None
) -> list[NearbyStation]:
    """Published stations by name, for a citizen who shared no position."""
    at = at or timezone.now()
    today = today_shanghai(at)
    calendar = _calendar_around(at)
    calendar_days = frozenset(calendar.items())
    result: list[NearbyStation] = []
    for station in _filtered(amenities).order_by("name", "id").prefetch_related(_relevant_closures(today)).iterator(
        chunk_size=200
    ):
        state = _open_state(station, today=today, calendar_days=calendar_days, at=at)
        if open_now and state.state != hours.OPEN:
            continue
        result.append(NearbyStation(station, None, state))
        if len(result) >= limit:
            break
    return result


def stations_for_map(*, open_now: bool = False, amenities: Sequence[str] = (), at: datetime | None = None) -> list[NearbyStation]:
    """Every published station (GeoJSON): no limit."""
    return stations_listed(limit=10**9, open_now=open_now, amenities=amenities, at=at)


def station_ids_open_now(*, queryset: QuerySet[Station], at: datetime | None = None) -> set[int]:
    """Ids of the stations in `queryset` open at `at` (admin's "open now" filter)."""
    at = at or timezone.now()
    today = today_shanghai(at)
    calendar = _calendar_around(at)
    return {
        station.pk
        for station in queryset.only("id", "opening_hours", "follows_national_calendar", "closed_now", "closed_reason")
        .prefetch_related(_relevant_closures(today))
        .iterator(chunk_size=500)
        if hours.state_only(schedule_of(station, today=today), calendar, at) == hours.OPEN
    }


# --- the station screen -----------------------------------------------------

def station_playlist(*, station: Station, on: date | None = None) -> list[PlaylistItem]:
    on = on or today_shanghai()
    return list(
        station.playlist_items.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on)
        )
        .select_related("video")
        .order_by("position", "id")
    )


def screen_payload(*, station: Station, at: datetime | None = None, request: Any = None) -> dict[str, Any]:
    """What the kiosk shows; the same shape over REST polling and WebSocket."""
    at = at or timezone.now()
    today = today_shanghai(at)
    calendar = _calendar_around(at)
    state = station_open_state(station=station, at=at, calendar=calendar)
    day = station_week_hours(station=station, start=today, days=1)[0]
    playlist = station_playlist(station=station, on=today)
    return {
        "station": {"slug": station.slug, "name": station.name},
        "version": timezone.localtime(station.updated_at, hours.SHANGHAI).isoformat(),
        "generated_at": hours.aware(hours.to_shanghai(at)).replace(microsecond=0).isoformat(),
        "open_state": state.state,
        "next_change": state.next_change.isoformat() if state.next_change else None,
        "hours_text": state.text,
        "closed_reason": state.reason if state.state == hours.CLOSED else "",
        "today": {key: value for key, value in day.as_json().items() if key != "intervals"},
        # Shown instead of today's hours while the station is closed (by hand or a closure).
        "closure_notice": hours.closure_notice(schedule_of(station, today=today), calendar, today),
        "playlist": [
            {"id": item.pk, "video_id": item.video_id, **{k: v for k, v in video_json(item.video, request).items() if k != "id"}}
            for item in playlist
        ],
        "slogans": [
            {"id": slogan.pk, "text": slogan.text} for slogan in station.slogans.filter(active=True).order_by("position", "id")
        ],
        "poll_seconds": SCREEN_POLL_SECONDS,
    }


__all__ = [
    "FAR_NONE_OPEN",
    "FAR_NO_STATION",
    "FarFromStations",
    "NearbyStation",
    "StationDetail",
    "holiday_calendar",
    "holiday_calendar_missing_years",
    "open_first",
    "screen_payload",
    "station_get_for_manager",
    "station_get_published",
    "station_get_visible",
    "station_hours_preview",
    "station_ids_open_now",
    "station_open_state",
    "station_playlist",
    "station_detailed",
    "station_week_hours",
    "stations_for_map",
    "stations_listed",
    "stations_managed_by",
    "stations_nearest",
    "stations_detailed",
    "stations_far",
    "stations_published",
]

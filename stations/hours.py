"""Opening hours: OSM expressions evaluated on China's calendar, in Asia/Shanghai.

The `opening_hours` library knows only nominal public holidays and no make-up
workdays (调休), so it is never given a country. Instead every calendar day is
evaluated with its own *plan*:

* a closure or special day: closed all day, or the special day's own hours;
* a statutory holiday (station follows the national calendar): the expression
  with every ``PH`` selector rewritten to ``Mo-Su``, so the rules that name PH
  match that day exactly as they would on a real public holiday, in order;
* a make-up workday on a weekend: the expression evaluated on the Monday of
  the same week, i.e. with its Monday hours;
* any other day: the plain expression, where ``PH`` never matches.

The state at a moment is the state given by the plan of that moment's day.
All the arithmetic uses naive datetimes in Asia/Shanghai wall time, so the
server's own zone never matters.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import opening_hours as osm
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"
# How far ahead next_change looks; beyond it a state counts as lasting.
LOOKAHEAD_DAYS = 31

REGULAR, HOLIDAY, MAKEUP_WORKDAY, CLOSURE, SPECIAL = "regular", "holiday", "makeup_workday", "closure", "special"
STATUTORY_HOLIDAY_KIND, MAKEUP_WORKDAY_KIND = "statutory_holiday", "makeup_workday"


class OpeningHoursError(ValueError):
    """An expression that cannot be used; the message is shown to the user."""


# --- parsing ----------------------------------------------------------------

_QUOTED_OR_PH = re.compile(r'"[^"]*"|\bPH\b')


def holiday_variant(expression: str) -> str:
    """The expression as it applies on a public holiday: PH matches every day."""
    return _QUOTED_OR_PH.sub(lambda match: match.group(0) if match.group(0).startswith('"') else "Mo-Su", expression)


@lru_cache(maxsize=4096)
def _parse(expression: str) -> osm.OpeningHours:
    # No country and no coordinates: the library must not apply its own
    # (wrong for China) holiday list; PH is handled by holiday_variant().
    return osm.OpeningHours(expression, auto_country=False, auto_timezone=False)


def parse_expression(expression: str) -> osm.OpeningHours:
    """Parse, or raise OpeningHoursError with a message fit for a form."""
    expression = (expression or "").strip()
    if not expression:
        raise OpeningHoursError(_("Opening hours are empty. Example: “Mo-Fr 08:00-18:00; PH off”."))
    try:
        parsed = _parse(expression)
    except (osm.ParserError, SyntaxError, ValueError) as exc:
        detail = _parser_detail(str(exc))
        raise OpeningHoursError(
            _("“%(expression)s” is not a valid opening_hours expression (%(detail)s). Example: “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”.")
            % {"expression": expression, "detail": detail}
        ) from exc
    if "PH" in expression:
        try:
            _parse(holiday_variant(expression))
        except (osm.ParserError, SyntaxError, ValueError) as exc:
            raise OpeningHoursError(
                _("“%(expression)s” uses PH in a way that cannot be applied to the Chinese holiday calendar; use PH only in a weekday list, e.g. “PH off” or “Sa,Su,PH 09:00-17:00”.")
                % {"expression": expression}
            ) from exc
    return parsed


def _parser_detail(message: str) -> str:
    """The library's multi-line pest report condensed to "column 7: expected …"."""
    column = re.search(r"-->\s*\d+:(\d+)", message)
    expected = re.search(r"=\s*(expected .*)", message)
    if column and expected:
        return f"column {column.group(1)}: {expected.group(1).strip()}"
    return " ".join(message.split())


def is_valid(expression: str) -> bool:
    try:
        parse_expression(expression)
    except OpeningHoursError:
        return False
    return True


# --- inputs -----------------------------------------------------------------

@dataclass(frozen=True)
class CalendarDay:
    kind: str  # statutory_holiday | makeup_workday
    name: str


@dataclass(frozen=True)
class ClosureSpan:
    start: date
    end: date
    reason: str
    opening_hours: str = ""  # empty: closed all day


@dataclass(frozen=True)
class Schedule:
    """Everything about one station that decides when it is open."""

    expression: str
    follows_national_calendar: bool = True
    closures: tuple[ClosureSpan, ...] = ()
    closed_now: bool = False
    closed_reason: str = ""


Calendar = Mapping[date, CalendarDay]


# --- outputs ----------------------------------------------------------------

@dataclass(frozen=True)
class Interval:
    start: datetime  # naive, Shanghai wall time
    end: datetime
    state: str
    comment: str = ""


@dataclass(frozen=True)
class OpenState:
    state: str
    next_change: datetime | None  # aware, Asia/Shanghai
    text: str
    reason: str = ""


@dataclass(frozen=True)
class DayPlan:
    day: date
    kind: str
    label: str
    expression: str  # "" means closed all day
    shift_days: int = 0


@dataclass
class DayHours:
    date: date
    weekday: str
    kind: str
    label: str
    text: str
    intervals: list[dict[str, object]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "weekday": self.weekday,
            "kind": self.kind,
            "label": self.label,
            "text": self.text,
            "intervals": self.intervals,
        }


# --- evaluation -------------------------------------------------------------

def to_shanghai(at: datetime) -> datetime:
    """Naive Shanghai wall time for an aware moment (naive input is taken as Shanghai)."""
    if at.tzinfo is None:
        return at
    return at.astimezone(SHANGHAI).replace(tzinfo=None)


def now_shanghai() -> datetime:
    return datetime.now(SHANGHAI).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=SHANGHAI)


def day_plan(schedule: Schedule, calendar: Calendar, day: date) -> DayPlan:
    for closure in schedule.closures:
        if closure.start <= day <= closure.end:
            if closure.opening_hours.strip():
                return DayPlan(day, SPECIAL, closure.reason, closure.opening_hours.strip())
            return DayPlan(day, CLOSURE, closure.reason, "")
    if schedule.follows_national_calendar:
        entry = calendar.get(day)
        if entry is not None and entry.kind == STATUTORY_HOLIDAY_KIND:
            return DayPlan(day, HOLIDAY, entry.name, holiday_variant(schedule.expression))
        if entry is not None and entry.kind == MAKEUP_WORKDAY_KIND and day.weekday() >= 5:
            # A weekend working day takes the Monday hours of its own week.
            return DayPlan(day, MAKEUP_WORKDAY, entry.name, schedule.expression, -day.weekday())
    return DayPlan(day, REGULAR, "", schedule.expression)


def _state_name(state: osm.State) -> str:
    name = str(state).lower()
    return name if name in (OPEN, CLOSED, UNKNOWN) else UNKNOWN


@lru_cache(maxsize=65536)
def plan_intervals(plan: DayPlan) -> tuple[Interval, ...]:
    """The day's intervals from midnight to midnight under its plan.

    A plan is a value (day, kind, expression, shift), and most stations share
    a handful of expressions, so the answers are cached.
    """
    return tuple(_plan_intervals(plan))


def _plan_intervals(plan: DayPlan) -> list[Interval]:
    start = datetime.combine(plan.day, time.min)
    end = start + timedelta(days=1)
    if not plan.expression:
        return [Interval(start, end, CLOSED, plan.label)]
    try:
        parsed = _parse(plan.expression)
        shift = timedelta(days=plan.shift_days)
        raw = list(parsed.intervals(start + shift, end + shift))
    except Exception:  # noqa: BLE001 - a stored expression that no longer parses must not break a page
        return [Interval(start, end, UNKNOWN, "")]
    intervals = [Interval(s - shift, e - shift, _state_name(st), comment or "") for s, e, st, comment in raw]
    if plan.kind == CLOSURE or (plan.kind == SPECIAL and plan.label):
        intervals = [Interval(i.start, i.end, i.state, i.comment or plan.label) for i in intervals]
    return intervals or [Interval(start, end, CLOSED, "")]


def timeline(schedule: Schedule, calendar: Calendar, first_day: date, days: int) -> list[Interval]:
    """Merged intervals of consecutive days (adjacent equal states joined)."""
    merged: list[Interval] = []
    for offset in range(days):
        for interval in plan_intervals(day_plan(schedule, calendar, first_day + timedelta(days=offset))):
            last = merged[-1] if merged else None
            if last and last.end == interval.start and last.state == interval.state and last.comment == interval.comment:
                merged[-1] = Interval(last.start, interval.end, last.state, last.comment)
            else:
                merged.append(interval)
    return merged


def state_only(schedule: Schedule, calendar: Calendar, at: datetime) -> str:
    """The state at a moment, without working out the next change (fast path for filters)."""
    if schedule.closed_now:
        return CLOSED
    moment = to_shanghai(at)
    for interval in plan_intervals(day_plan(schedule, calendar, moment.date())):
        if interval.start <= moment < interval.end:
            return interval.state
    return UNKNOWN


def open_state(schedule: Schedule, calendar: Calendar, at: datetime) -> OpenState:
    moment = to_shanghai(at)
    if schedule.closed_now:
        reason = schedule.closed_reason.strip()
        text = pgettext("opening hours", "Temporarily closed · %(reason)s") % {"reason": reason} if reason else pgettext("opening hours", "Temporarily closed")
        return OpenState(CLOSED, None, text, reason)

    day = moment.date()
    plan = day_plan(schedule, calendar, day)
    current: Interval | None = None
    next_change: datetime | None = None
    for offset in range(LOOKAHEAD_DAYS + 1):
        plan_of_day = plan if offset == 0 else day_plan(schedule, calendar, day + timedelta(days=offset))
        for interval in plan_intervals(plan_of_day):
            if interval.end <= moment:
                continue
            if current is None:
                current = interval
                continue
            if interval.state != current.state:
                next_change = interval.start
                break
        if next_change is not None:
            break
    if current is None:  # cannot happen with well-formed intervals, but never raise here
        return OpenState(UNKNOWN, None, pgettext("opening hours", "Hours unknown"), "")
    reason = plan.label if plan.kind in (CLOSURE, SPECIAL) else ""
    comment = current.comment if current.comment != reason else ""
    text = status_text(current.state, next_change, moment, reason=reason, comment=comment)
    return OpenState(current.state, aware(next_change) if next_change else None, text, reason or comment)


# --- words ------------------------------------------------------------------

WEEKDAY_LABELS = (
    pgettext_lazy("weekday", "Mon"), pgettext_lazy("weekday", "Tue"), pgettext_lazy("weekday", "Wed"),
    pgettext_lazy("weekday", "Thu"), pgettext_lazy("weekday", "Fri"), pgettext_lazy("weekday", "Sat"),
    pgettext_lazy("weekday", "Sun"),
)


def weekday_label(day: date) -> str:
    return str(WEEKDAY_LABELS[day.weekday()])


def _when(moment: datetime, now: datetime) -> tuple[str, str]:
    """(day words, HH:MM) of a change relative to now: '' for today, 'tomorrow', a weekday or a date."""
    clock = moment.strftime("%H:%M")
    days_ahead = (moment.date() - now.date()).days
    if moment.time() == time.min and days_ahead >= 1:
        # Midnight ends the day before: "24:00" today reads better than "tomorrow 00:00".
        days_ahead -= 1
        clock = "24:00"
        moment = moment - timedelta(days=1)
    if days_ahead <= 0:
        return "", clock
    if days_ahead == 1:
        return pgettext("opening hours", "tomorrow"), clock
    if days_ahead < 7:
        return weekday_label(moment.date()), clock
    return formats.date_format(moment.date(), "MONTH_DAY_FORMAT"), clock


def status_text(state: str, next_change: datetime | None, now: datetime, *, reason: str = "", comment: str = "") -> str:
    """A short line such as "营业中 · 18:00 关门" or "已关门 · 明天 08:00 开门"."""
    if state == OPEN:
        head = pgettext("opening hours", "Open")
        if next_change is None:
            tail = pgettext("opening hours", "24 hours")
        else:
            day_words, clock = _when(next_change, now)
            tail = (pgettext("opening hours", "closes %(day)s %(time)s") % {"day": day_words, "time": clock}) if day_words else (
                pgettext("opening hours", "closes at %(time)s") % {"time": clock}
            )
    elif state == CLOSED:
        head = pgettext("opening hours", "Closed")
        if next_change is None:
            tail = ""
        else:
            day_words, clock = _when(next_change, now)
            tail = (pgettext("opening hours", "opens %(day)s %(time)s") % {"day": day_words, "time": clock}) if day_words else (
                pgettext("opening hours", "opens at %(time)s") % {"time": clock}
            )
    else:
        head = pgettext("opening hours", "Hours uncertain")
        tail = ""
    parts = [head]
    if reason:
        parts.append(reason)
    elif comment:
        parts.append(comment)
    if tail:
        parts.append(tail)
    return " · ".join(parts)


def _clock(moment: datetime, day: date) -> str:
    if moment.date() > day and moment.time() == time.min and (moment.date() - day).days == 1:
        return "24:00"
    if moment.date() > day:
        return pgettext("opening hours", "next day %(time)s") % {"time": moment.strftime("%H:%M")}
    return moment.strftime("%H:%M")


def week_hours(schedule: Schedule, calendar: Calendar, first_day: date, days: int = 7) -> list[DayHours]:
    """Each day's own hours in words; an overnight interval belongs to the day it starts."""
    # One day either side so that overnight and all-day intervals are seen whole.
    merged = timeline(schedule, calendar, first_day - timedelta(days=1), days + 2)
    result: list[DayHours] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        plan = day_plan(schedule, calendar, day)
        day_start = datetime.combine(day, time.min)
        day_end = day_start + timedelta(days=1)
        pieces: list[dict[str, object]] = []
        words: list[str] = []
        for interval in merged:
            if interval.state == CLOSED or interval.end <= day_start or interval.start >= day_end:
                continue
            if interval.start < day_start and interval.end >= day_end:
                all_day = pgettext("opening hours", "24 hours") if interval.state == OPEN else pgettext("opening hours", "hours uncertain")
                pieces.append({"start": "00:00", "end": "24:00", "state": interval.state, "overnight": False})
                words.append(all_day)
                continue
            if interval.start < day_start:
                continue  # spill-over from the night before, listed under that day
            overnight = interval.end > day_end
            pieces.append(
                {
                    "start": interval.start.strftime("%H:%M"),
                    "end": "24:00" if interval.end == day_end else interval.end.strftime("%H:%M"),
                    "state": interval.state,
                    "overnight": overnight,
                }
            )
            if interval.start == day_start and interval.end >= day_end and interval.state == OPEN:
                words.append(pgettext("opening hours", "24 hours"))
                continue
            span = f"{interval.start.strftime('%H:%M')}–{_clock(interval.end, day)}"
            if interval.state == UNKNOWN:
                span = pgettext("opening hours", "%(span)s (uncertain)") % {"span": span}
            if interval.comment and interval.comment != plan.label:
                span = f"{span} {interval.comment}"
            words.append(span)
        text = ", ".join(words) if words and plan.kind != CLOSURE else pgettext("day", "Closed")
        result.append(DayHours(day, weekday_label(day), plan.kind, plan.label, text, pieces))
    return result


def calendar_from_rows(rows: Iterable[tuple[date, str, str]]) -> dict[date, CalendarDay]:
    return {day: CalendarDay(kind, name) for day, kind, name in rows}

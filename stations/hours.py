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
# The stored column's length (Station.opening_hours, Closure.opening_hours).
EXPRESSION_MAX_LENGTH = 255

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
    if len(expression) > EXPRESSION_MAX_LENGTH:
        # Checked before the parser sees it: a long input costs parse time and memory.
        raise OpeningHoursError(
            _("Opening hours are too long: at most %(limit)d characters.") % {"limit": EXPRESSION_MAX_LENGTH}
        )
    try:
        parsed = _parse(expression)
    except (osm.ParserError, SyntaxError, ValueError) as exc:
        # The parser's own report ("expected EOI, any_rule_separator…") means
        # nothing to station staff: a hint of our own instead. The input is never
        # repeated: staff see what they typed beside the message, and an API
        # answer must not grow with its request.
        hint = expression_hint(expression)
        if hint:
            message = _("This is not a valid opening hours format: %(hint)s Example: “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”.") % {
                "hint": hint}
        else:
            message = _("This is not a valid opening hours format. Example: “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”.")
        raise OpeningHoursError(message) from exc
    if "PH" in expression:
        try:
            _parse(holiday_variant(expression))
        except (osm.ParserError, SyntaxError, ValueError) as exc:
            raise OpeningHoursError(
                _("PH is used in a way that cannot be applied to the Chinese holiday calendar; use PH only in a weekday list, e.g. “PH off” or “Sa,Su,PH 09:00-17:00”.")
            ) from exc
    return parsed


_FULL_WIDTH = re.compile(r"[；，：～－—　]")
_CHINESE_DAYS = re.compile(r"(周|星期)[一二三四五六日天]")
_HOURS_WITHOUT_MINUTES = re.compile(r"(?<![\d:])\d{1,2}\s*-\s*\d{1,2}(?![\d:])")


def expression_hint(expression: str) -> str:
    """The likely mistake in words, from the common ones seen on phones; "" if none is recognised."""
    if _FULL_WIDTH.search(expression):
        return _("use the English punctuation ; , : - (the Chinese input method typed full-width ones).")
    if _CHINESE_DAYS.search(expression):
        return _("write the weekdays as Mo Tu We Th Fr Sa Su.")
    if _HOURS_WITHOUT_MINUTES.search(expression):
        return _("write times with minutes, e.g. 08:00-18:00 instead of 8-18.")
    return ""


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
    # When closed and the opening is known: "08:00 开门", "明天 08:00 开门".
    opens_text: str = ""


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
    opens = opens_text(next_change, moment) if current.state == CLOSED and next_change else ""
    return OpenState(current.state, aware(next_change) if next_change else None, text, reason or comment, opens)


def closure_notice(schedule: Schedule, calendar: Calendar, day: date) -> str:
    """What a screen says in place of today's hours while the station is closed by
    hand or by a closure: "暂停开放至 12月3日", "今日暂停开放" or, with no end in
    sight, "恢复开放时间另行通知"; "" on any other day.

    Neither the closure nor its reason is repeated here: the open state's text
    beside it ("暂停开放 · 外出执勤") already says both.
    """
    if schedule.closed_now:
        return pgettext("opening hours", "Reopening to be announced")
    if day_plan(schedule, calendar, day).kind != CLOSURE:
        return ""
    last = day
    for offset in range(1, LOOKAHEAD_DAYS + 1):
        if day_plan(schedule, calendar, day + timedelta(days=offset)).kind != CLOSURE:
            break
        last = day + timedelta(days=offset)
    else:
        return pgettext("opening hours", "Reopening to be announced")
    if last == day:
        return pgettext("opening hours", "Closed today")
    return pgettext("opening hours", "Closed until %(day)s") % {"day": formats.date_format(last, "MONTH_DAY_FORMAT")}


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


def opens_text(opens_at: datetime, now: datetime) -> str:
    """"08:00 开门" today, "明天 08:00 开门" or "周一 08:00 开门" later."""
    day_words, clock = _when(opens_at, now)
    if day_words:
        return pgettext("opening hours", "opens %(day)s %(time)s") % {"day": day_words, "time": clock}
    return pgettext("opening hours", "opens at %(time)s") % {"time": clock}


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
        tail = "" if next_change is None else opens_text(next_change, now)
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


# --- the simple week editor ---------------------------------------------------
#
# Station staff set each weekday's hours in a form; these two functions turn
# that week into an expression and back. Only a small part of the syntax can be
# shown as a week; for anything else expression_to_week() answers None and the
# page offers the expression itself.

WEEKDAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
HOLIDAYS_AS_USUAL, HOLIDAYS_CLOSED, HOLIDAYS_AS_SUNDAY, HOLIDAYS_OWN = "usual", "closed", "sunday", "own"
HOLIDAY_RULES = (HOLIDAYS_AS_USUAL, HOLIDAYS_CLOSED, HOLIDAYS_AS_SUNDAY, HOLIDAYS_OWN)
# The editor offers two intervals a day (e.g. a lunch break in between).
MAX_SPANS = 2

Span = tuple[str, str]  # ("08:00", "18:00"); the end may be "24:00"


@dataclass(frozen=True)
class SimpleWeek:
    days: tuple[tuple[Span, ...], ...]  # seven entries, Monday first; () is closed
    holidays: str = HOLIDAYS_AS_USUAL
    holiday_spans: tuple[Span, ...] = ()  # used when holidays == HOLIDAYS_OWN


_CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")
_SPAN = re.compile(r"\s*(" + _CLOCK.pattern + r")\s*-\s*(" + _CLOCK.pattern + r")\s*")
_DAY_ITEM = re.compile(r"(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?|PH")
_RULE = re.compile(r"(?P<days>[A-Za-z,\- ]+?)\s+(?P<times>\S.*)")


def _spans_text(spans: tuple[Span, ...]) -> str:
    return ",".join(f"{start}-{end}" for start, end in spans) if spans else "off"


def _days_text(indices: list[int]) -> str:
    """[0, 1, 2, 3, 4] -> "Mo-Fr"; [5, 6] -> "Sa,Su"; [0, 2] -> "Mo,We"."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_CODES[run[0]]}-{WEEKDAY_CODES[run[-1]]}")
        else:
            parts.extend(WEEKDAY_CODES[index] for index in run)
    return ",".join(parts)


def week_to_expression(week: SimpleWeek) -> str:
    """The expression of a simple week, e.g. "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off".

    Days with the same hours share one rule; closed days are left out, since a
    day no rule names is closed. The holiday rule comes last so it overrides the
    weekday rules on a holiday (PH is rewritten to every day on holidays).
    """
    groups: dict[tuple[Span, ...], list[int]] = {}
    for index, spans in enumerate(week.days):
        if spans:
            groups.setdefault(tuple(spans), []).append(index)
    rules = [f"{_days_text(indices)} {_spans_text(spans)}" for spans, indices in groups.items()]
    if week.holidays == HOLIDAYS_CLOSED:
        rules.append("PH off")
    elif week.holidays == HOLIDAYS_AS_SUNDAY:
        rules.append(f"PH {_spans_text(tuple(week.days[6]))}")
    elif week.holidays == HOLIDAYS_OWN:
        rules.append(f"PH {_spans_text(tuple(week.holiday_spans))}")
    if not rules:
        return "Mo-Su off"
    if len(rules) == 1 and rules[0].startswith("PH"):
        # Closed every day but with a holiday rule: say the week plainly first.
        rules.insert(0, "Mo-Su off")
    return "; ".join(rules)


def _parse_days(text: str) -> tuple[set[int], bool] | None:
    """"Sa,Su,PH" -> ({5, 6}, True); None if it is not a plain weekday list."""
    weekdays: set[int] = set()
    holiday = False
    for item in text.replace(" ", "").split(","):
        match = _DAY_ITEM.fullmatch(item)
        if match is None:
            return None
        if item == "PH":
            holiday = True
            continue
        first = WEEKDAY_CODES.index(match.group(1))
        last = WEEKDAY_CODES.index(match.group(2)) if match.group(2) else first
        # A range may wrap over the weekend: "Sa-Mo" is Sa, Su, Mo.
        weekdays.update((first + step) % 7 for step in range((last - first) % 7 + 1))
    return weekdays, holiday


def _parse_spans(text: str) -> tuple[Span, ...] | None:
    if text.strip() in ("off", "closed"):
        return ()
    spans: list[Span] = []
    for piece in text.split(","):
        match = _SPAN.fullmatch(piece)
        if match is None:
            return None
        spans.append((match.group(1), match.group(2)))
    if not spans_are_simple(tuple(spans)):
        return None
    return tuple(spans)


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def spans_are_simple(spans: tuple[Span, ...]) -> bool:
    """At most MAX_SPANS intervals, each ending after it starts, in order, not overlapping."""
    if len(spans) > MAX_SPANS:
        return False
    previous_end = -1
    for start, end in spans:
        if start == "24:00" or _minutes(end) <= _minutes(start) or _minutes(start) < previous_end:
            return False
        previous_end = _minutes(end)
    return True


def expression_to_week(expression: str) -> SimpleWeek | None:
    """The simple week an expression describes, or None when the editor cannot show it.

    Rules are read in order, a later rule replacing the hours of the days it
    names, as in the opening_hours syntax. The holiday rule can be shown only
    when no rule without PH follows the last one with PH: otherwise a holiday's
    hours would depend on its weekday.
    """
    text = " ".join((expression or "").split())
    if not text:
        return None
    if text == "24/7":
        return SimpleWeek(days=((("00:00", "24:00"),),) * 7)
    if text in ("off", "closed"):
        return SimpleWeek(days=((),) * 7)
    days: list[tuple[Span, ...]] = [()] * 7
    holiday_spans: tuple[Span, ...] | None = None
    rule_after_holiday = False
    for rule in text.split(";"):
        rule = rule.strip()
        if not rule:
            continue
        match = _RULE.fullmatch(rule)
        if match is None:
            return None
        selected = _parse_days(match.group("days"))
        spans = _parse_spans(match.group("times"))
        if selected is None or spans is None:
            return None
        weekdays, holiday = selected
        for index in weekdays:
            days[index] = spans
        if holiday:
            holiday_spans, rule_after_holiday = spans, False
        elif holiday_spans is not None:
            rule_after_holiday = True
    if holiday_spans is None:
        return SimpleWeek(days=tuple(days))
    if rule_after_holiday:
        return None
    if not holiday_spans:
        return SimpleWeek(days=tuple(days), holidays=HOLIDAYS_CLOSED)
    if holiday_spans == days[6]:
        return SimpleWeek(days=tuple(days), holidays=HOLIDAYS_AS_SUNDAY)
    return SimpleWeek(days=tuple(days), holidays=HOLIDAYS_OWN, holiday_spans=holiday_spans)

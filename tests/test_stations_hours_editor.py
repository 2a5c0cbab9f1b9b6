"""The simple week editor's composer and reader, and plain words for a bad expression."""
from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from stations import hours
from stations.hours import (
    HOLIDAYS_AS_SUNDAY,
    HOLIDAYS_AS_USUAL,
    HOLIDAYS_CLOSED,
    HOLIDAYS_OWN,
    SimpleWeek,
)

NINE_TO_SIX = (("09:00", "18:00"),)
WITH_LUNCH = (("08:00", "12:00"), ("14:00", "18:00"))
WEEKEND = (("09:00", "17:00"),)
# 2026: National Day holidays 1-8 October, Saturday 10 October a make-up workday.
NATIONAL_DAY = {
    **{date(2026, 10, day): hours.CalendarDay(hours.STATUTORY_HOLIDAY_KIND, "国庆节") for day in range(1, 9)},
    date(2026, 10, 10): hours.CalendarDay(hours.MAKEUP_WORKDAY_KIND, "国庆节"),
}


def week(weekdays=NINE_TO_SIX, saturday=WEEKEND, sunday=WEEKEND, **rest) -> SimpleWeek:
    return SimpleWeek(days=(weekdays,) * 5 + (saturday, sunday), **rest)


@pytest.mark.parametrize(
    ("simple", "expression"),
    [
        (week(holidays=HOLIDAYS_CLOSED), "Mo-Fr 09:00-18:00; Sa,Su 09:00-17:00; PH off"),
        (week(weekdays=WITH_LUNCH, sunday=()), "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-17:00"),
        (week(holidays=HOLIDAYS_AS_SUNDAY), "Mo-Fr 09:00-18:00; Sa,Su 09:00-17:00; PH 09:00-17:00"),
        (week(saturday=(), sunday=(), holidays=HOLIDAYS_OWN, holiday_spans=(("10:00", "14:00"),)),
         "Mo-Fr 09:00-18:00; PH 10:00-14:00"),
        (SimpleWeek(days=(NINE_TO_SIX, (), NINE_TO_SIX, (), NINE_TO_SIX, (), ())), "Mo,We,Fr 09:00-18:00"),
        (SimpleWeek(days=((("00:00", "24:00"),),) * 7), "Mo-Su 00:00-24:00"),
        (SimpleWeek(days=((),) * 7), "Mo-Su off"),
    ],
)
def test_a_simple_week_writes_its_expression_and_reads_back(simple, expression):
    assert hours.week_to_expression(simple) == expression
    assert hours.expression_to_week(expression) == simple
    hours.parse_expression(expression)  # the library accepts what the editor writes


@pytest.mark.parametrize(
    "expression",
    [
        "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off",
        "Mo-Fr 08:00-12:00,14:00-18:00; Sa,Su,PH 09:00-17:00",
        "Mo-Su 07:00-21:00",
        "Sa-Mo 08:00-12:00",
        "24/7",
        "Mo-Fr 08:00-18:00; PH 10:00-14:00",
    ],
)
def test_the_rewritten_expression_keeps_every_day_incl_holidays_and_makeup_days(expression):
    rewritten = hours.week_to_expression(hours.expression_to_week(expression))

    def fortnight(text: str) -> list[tuple[str, str, str]]:
        schedule = hours.Schedule(expression=text)
        return [(day.kind, day.text, str(day.intervals)) for day in hours.week_hours(schedule, NATIONAL_DAY, date(2026, 9, 28), 14)]

    assert fortnight(rewritten) == fortnight(expression)


def test_a_makeup_saturday_takes_the_composed_monday_hours():
    expression = hours.week_to_expression(week(weekdays=WITH_LUNCH, holidays=HOLIDAYS_CLOSED))

    saturday = hours.week_hours(hours.Schedule(expression=expression), NATIONAL_DAY, date(2026, 10, 10), 1)[0]

    assert saturday.kind == hours.MAKEUP_WORKDAY
    assert saturday.text == "08:00–12:00, 14:00–18:00"


def test_same_hours_as_sunday_reads_as_sunday_when_sunday_is_open():
    assert hours.expression_to_week("Mo-Fr 08:00-18:00; Su 10:00-16:00; PH 10:00-16:00").holidays == HOLIDAYS_AS_SUNDAY
    assert hours.expression_to_week("Mo-Fr 08:00-18:00").holidays == HOLIDAYS_AS_USUAL


@pytest.mark.parametrize(
    "expression",
    [
        "PH off; Mo-Fr 08:00-18:00",  # a holiday's hours would depend on its weekday
        "Mo-Fr 22:00-02:00",  # overnight
        "Mo-Fr 08:00-10:00,11:00-12:00,13:00-14:00",  # three intervals
        "Mo-Fr 08:00-12:00,11:00-18:00",  # overlapping
        "Jan-Mar Mo-Fr 08:00-18:00",
        'Mo-Fr 08:00-18:00 "by appointment"',
        "Mo-Fr 8:00-18:00",
        "Mo-Fr 08:00+",
        "",
    ],
)
def test_an_expression_beyond_the_simple_editor_reads_as_none(expression):
    assert hours.expression_to_week(expression) is None


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("Mo-Fr 8-18", "08:00-18:00"),
        ("Mo-Fr 08:00-18:00；Sa 09:00-12:00", "英文标点"),
        ("周一 08:00-18:00", "Mo Tu We Th Fr Sa Su"),
        ("every day", ""),
    ],
)
def test_a_bad_expression_is_explained_in_plain_chinese(typed, hint):
    with translation.override("zh-hans"), pytest.raises(hours.OpeningHoursError) as caught:
        hours.parse_expression(typed)

    message = str(caught.value)
    assert message.startswith("营业时间格式不正确")
    assert typed not in message
    assert hint in message
    assert "例如" in message
    for internal in ("expected", "EOI", "rule_separator", "column", "-->", "opening_hours"):
        assert internal not in message

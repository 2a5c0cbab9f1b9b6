"""The geometry of the figures page's charts, drawn by the server as SVG (templates/fieldapp/_chart_*.html).

Pure functions: numbers in, rectangles, points and ticks out. The templates only
place them, so a chart for a known data set has a known number of bars. Every
chart is drawn in a fixed viewBox and scales with the page (390 px phones, print).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 720
HEIGHT = 260
LEFT = 44  # room for the value axis labels
BOTTOM = 28  # room for the day labels
TOP = 12


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str
    value: str = ""


@dataclass
class Tick:
    at: float
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - 8
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def nice_max(value: float) -> float:
    """A round top for the value axis: 1, 2 or 5 times a power of ten, at least the value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _y_ticks(top: float, chart: Chart, fmt: Any = None) -> list[Tick]:
    span = chart.plot_bottom - chart.plot_top
    return [
        Tick(at=chart.plot_bottom - span * part / 4, text=(fmt or _int_text)(top * part / 4)) for part in range(5)
    ]


def _int_text(value: float) -> str:
    return f"{value:g}"


def stacked_bars(days: list[dict[str, Any]], kinds: list[str], kind_labels: dict[str, str]) -> Chart:
    """Jobs per day, one bar a day, stacked by kind in the order of `kinds`; a zero segment is not drawn."""
    chart = Chart()
    top = nice_max(max((day["jobs"] for day in days), default=0))
    span_x = chart.plot_right - chart.plot_left
    span_y = chart.plot_bottom - chart.plot_top
    slot = span_x / max(len(days), 1)
    width = max(slot * 0.7, 1)
    label_every = max(1, math.ceil(len(days) / 10))
    for index, day in enumerate(days):
        x = chart.plot_left + index * slot + (slot - width) / 2
        base = chart.plot_bottom
        for kind in kinds:
            count = day["by_kind"].get(kind, 0)
            if not count:
                continue
            height = span_y * count / top
            base -= height
            chart.bars.append(Bar(
                x=round(x, 1), y=round(base, 1), width=round(width, 1), height=round(height, 1), css=f"k-{kind}",
                title=f"{_day_text(day['day'])} {kind_labels.get(kind, kind)}: {count}",
            ))
        if index % label_every == 0:
            chart.x_ticks.append(Tick(at=round(x + width / 2, 1), text=_day_text(day["day"])))
    chart.y_ticks = _y_ticks(top, chart)
    return chart


def _day_text(day: date) -> str:
    return f"{day.month}/{day.day}"


def trend(weeks: list[dict[str, Any]], series: list[tuple[str, str]]) -> Chart:
    """Lines of weekly medians in minutes: `series` names (key, css class); a week without data breaks the line."""
    # Room on the right for the last week's label, centred on its point.
    chart = Chart(plot_right=WIDTH - 28)
    values = [
        week[key].p50_s / 60 for week in weeks for key, _css in series if week[key].p50_s is not None
    ]
    top = nice_max(max(values, default=0))
    span_x = chart.plot_right - chart.plot_left
    span_y = chart.plot_bottom - chart.plot_top
    step = span_x / max(len(weeks) - 1, 1)
    for key, css in series:
        segments: list[list[tuple[float, float]]] = [[]]
        points = []
        for index, week in enumerate(weeks):
            p50 = week[key].p50_s
            if p50 is None:
                segments.append([])
                continue
            x = chart.plot_left + (index * step if len(weeks) > 1 else span_x / 2)
            y = chart.plot_bottom - span_y * (p50 / 60) / top
            segments[-1].append((round(x, 1), round(y, 1)))
            points.append({"x": round(x, 1), "y": round(y, 1), "title": f"{_day_text(week['week'])}: {p50 / 60:.1f}"})
        chart.lines.append({
            "css": css, "points": points,
            "paths": [" ".join(f"{x},{y}" for x, y in segment) for segment in segments if len(segment) > 1],
        })
    for index, week in enumerate(weeks):
        x = chart.plot_left + (index * step if len(weeks) > 1 else span_x / 2)
        chart.x_ticks.append(Tick(at=round(x, 1), text=_day_text(week["week"])))
    chart.y_ticks = _y_ticks(top, chart)
    return chart


def heatmap(counts: list[list[int]], weekday_labels: list[str]) -> Chart:
    """Hour of day (columns) by weekday (rows), shaded in six levels of the busiest cell."""
    chart = Chart(height=7 * 26 + 24)
    chart.plot_left, chart.plot_top = 44, 4
    cell_w = (WIDTH - chart.plot_left - 8) / 24
    busiest = max((count for row in counts for count in row), default=0)
    for weekday, row in enumerate(counts):
        for hour, count in enumerate(row):
            level = 0 if not count else 1 + min(4, int(5 * count / (busiest + 1)))
            chart.cells.append({
                "x": round(chart.plot_left + hour * cell_w, 1), "y": chart.plot_top + weekday * 26,
                "width": round(cell_w - 1, 1), "height": 25, "level": level, "count": count,
                "title": f"{weekday_labels[weekday]} {hour:02d}:00: {count}",
            })
    chart.y_ticks = [Tick(at=chart.plot_top + weekday * 26 + 17, text=text) for weekday, text in enumerate(weekday_labels)]
    chart.x_ticks = [
        Tick(at=round(chart.plot_left + hour * cell_w + cell_w / 2, 1), text=f"{hour}") for hour in range(0, 24, 3)
    ]
    chart.plot_bottom = chart.plot_top + 7 * 26
    return chart


def horizontal_bars(rows: list[tuple[str, int]]) -> Chart:
    """One bar a row (label, count), longest first as given."""
    chart = Chart(height=max(len(rows), 1) * 30 + 8)
    chart.plot_left = 200
    top = nice_max(max((count for _label, count in rows), default=0))
    span = chart.plot_right - chart.plot_left - 40
    for index, (text, count) in enumerate(rows):
        chart.bars.append(Bar(
            x=chart.plot_left, y=4 + index * 30, width=round(span * count / top, 1), height=22, css="bar",
            title=f"{text}: {count}", value=str(count),
        ))
        chart.y_ticks.append(Tick(at=4 + index * 30 + 16, text=text))
    return chart


# --- the SVG elements ----------------------------------------------------------------
# Built here with format_html (escaped), not in template loops: a month's chart is a few
# hundred elements, and a template loop per element cost more than all the figures' queries.

def _value_axis(chart: Chart) -> SafeString:
    return format_html_join("", '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                            '<text class="axis" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                            ((chart.plot_left, chart.plot_right, t.at, t.at, chart.plot_left - 6, t.at, t.text)
                             for t in chart.y_ticks))


def _day_axis(chart: Chart, below: int = 18) -> SafeString:
    return format_html_join("", '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                            ((t.at, chart.plot_bottom + below, t.text) for t in chart.x_ticks))


def _rects(bars: list[Bar]) -> SafeString:
    return format_html_join("", '<rect class="bar {}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                            ((b.css, b.x, b.y, b.width, b.height, b.title) for b in bars))


def bars_svg(chart: Chart) -> SafeString:
    return format_html("{}{}{}", _value_axis(chart), _rects(chart.bars), _day_axis(chart))


def trend_svg(chart: Chart) -> SafeString:
    lines = format_html_join("", "{}", (
        (format_html("{}{}",
                     format_html_join("", '<polyline class="line {}" points="{}"/>', ((line["css"], path) for path in line["paths"])),
                     format_html_join("", '<circle class="dot {}" cx="{}" cy="{}" r="4"><title>{}</title></circle>',
                                      ((line["css"], p["x"], p["y"], p["title"]) for p in line["points"]))),)
        for line in chart.lines
    ))
    return format_html("{}{}{}", _value_axis(chart), lines, _day_axis(chart))


def heatmap_svg(chart: Chart) -> SafeString:
    cells = format_html_join("", '<rect class="cell level-{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                             ((c["level"], c["x"], c["y"], c["width"], c["height"], c["title"]) for c in chart.cells))
    rows = format_html_join("", '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                            ((chart.plot_left - 6, t.at, t.text) for t in chart.y_ticks))
    return format_html("{}{}{}", cells, rows, _day_axis(chart, below=16))


def hbars_svg(chart: Chart) -> SafeString:
    labels = format_html_join("", '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                              ((chart.plot_left - 8, t.at, t.text) for t in chart.y_ticks))
    values = format_html_join("", '<text class="axis" x="{}" y="{}">{}</text>',
                              ((round(b.x + b.width + 6, 1), b.y + 16, b.value) for b in chart.bars))
    return format_html("{}{}{}", labels, _rects(chart.bars), values)

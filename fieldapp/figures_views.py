"""The command centre's figures page, the jobs behind each figure, and the CSV exports.

/dispatch/figures/                      the page (dispatchers and admins)
/dispatch/figures/jobs/?figure=rct      the jobs a figure was computed from
/dispatch/figures/export/<table>.csv    every table, and the raw jobs and assignments
All three take the same range: ?days=1|7|30, or ?from=&to=, and ?squad=<code>.
"""
from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.csv_safe import SafeDictWriter
from common.roles import ADMIN, DISPATCHER, role_required
from fieldapp import figures as fig
from fieldapp import figures_charts as charts
from fieldapp.figures_selectors import RangeFigures, figures_for_range, squads
from fieldapp.figures_serializers import FigureRangeIn
from fieldapp.labels import choice_labels
from fieldapp.models import Job, Rescue
from fieldapp.templatetags.figures_tags import hours

PRESETS = ((1, gettext_lazy("Today")), (7, gettext_lazy("7 days")), (30, gettext_lazy("30 days")))
WEEKDAYS = (
    gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"), gettext_lazy("Thu"), gettext_lazy("Fri"),
    gettext_lazy("Sat"), gettext_lazy("Sun"),
)
CSV_TABLES = (
    "durations", "counts", "days", "weeks", "heatmap", "rescues", "attendance", "attendance_days", "gaps", "jobs",
    "assignments",
)


def _range(request: HttpRequest) -> tuple[dict[str, Any], list[str], int | None]:
    """The range asked for, or the last 30 days with the errors that made it fall back."""
    today = timezone.localdate()
    params = request.GET
    preset = None
    wanted: dict[str, Any] = {}
    if params.get("days") in {str(days) for days, _label in PRESETS}:
        preset = int(params["days"])
        wanted = {"from": (today - timedelta(days=preset - 1)).isoformat(), "to": today.isoformat()}
    else:
        wanted = {name: params[name] for name in ("from", "to") if params.get(name)}
        if not wanted:
            preset = 30
    if params.get("squad"):
        wanted["squad"] = params["squad"]
    form = FigureRangeIn(data=wanted)
    if form.is_valid():
        return form.validated_data, [], preset
    errors = [str(message) for messages in form.errors.values() for message in messages]
    fallback = FigureRangeIn(data={})
    fallback.is_valid(raise_exception=True)
    return fallback.validated_data, errors, 30


def _query(data: dict[str, Any], **extra: Any) -> str:
    params = {"from": data["first"].isoformat(), "to": data["last"].isoformat()}
    if data.get("squad") is not None:
        params["squad"] = data["squad"].code
    params.update({key: value for key, value in extra.items() if value is not None})
    return urlencode(params)


def _kind_labels() -> dict[str, str]:
    return choice_labels(Job.Kind.choices)


def _rescue_labels() -> dict[str, str]:
    return {**choice_labels(Rescue.Kind.choices), "": _("Kind not given")}


@role_required(DISPATCHER, ADMIN)
def figures_page(request: HttpRequest) -> HttpResponse:
    data, errors, preset = _range(request)
    result = figures_for_range(first=data["first"], last=data["last"], squad=data["squad"])
    figures = result.figures
    query = _query(data)
    jobs_url = reverse("figures-jobs")
    within = result.range.quick_clearance_within_s
    durations = [
        {
            "key": figure.key, "label": figure.label, "definition": figure.definition,
            "stats": figures.durations[figure.key], "per": figure.per,
            "url": f"{jobs_url}?{_query(data, figure=figure.key)}",
            "missing_url": f"{jobs_url}?{_query(data, figure=figure.key, missing=1)}",
        }
        for figure in fig.FIGURES
    ]
    counts = {
        key: {"label": fig.label(key), "definition": fig.definition(key, within), "url": f"{jobs_url}?{_query(data, figure=key)}"}
        for key in fig.COUNT_DEFINITIONS
    }
    kind_labels = _kind_labels()
    kinds = [kind for kind in Job.Kind.values if figures.by_kind.get(kind)]
    rescue_labels = _rescue_labels()
    rescue_rows = [
        (rescue_labels.get(kind, kind), entry["count"], entry["people_helped"])
        for kind, entry in sorted(figures.rescues["by_kind"].items(), key=lambda item: -item[1]["count"])
    ]
    weekday_labels = [str(day) for day in WEEKDAYS]
    officers = result.officers
    context = {
        "result": result,
        "figures": figures,
        "first": data["first"], "last": data["last"], "squad": data["squad"], "squads": squads(),
        "preset": preset, "presets": PRESETS, "errors": errors, "query": query,
        "durations": durations, "counts": counts,
        "kinds": [(kind, kind_labels[kind]) for kind in kinds], "kind_labels": kind_labels,
        "day_rows": [
            {"day": day["day"], "jobs": day["jobs"], "cells": [day["by_kind"].get(kind, 0) for kind in kinds]}
            for day in figures.days
        ],
        "bars": charts.stacked_bars(figures.days, kinds, kind_labels),
        "trend": charts.trend(figures.weeks, [("response", "line-response"), ("rct", "line-rct")]),
        "heat": charts.heatmap(figures.heatmap, weekday_labels),
        "heat_rows": list(zip(weekday_labels, figures.heatmap)),
        "hours": list(range(24)),
        "rescue_rows": rescue_rows,
        "rescue_chart": charts.horizontal_bars([(label, count) for label, count, _people in rescue_rows]),
        "attendance": result.attendance.officers,
        "attendance_days": _attendance_day_rows(result),
        "gaps": [{"gap": gap, "officer": officers.get(gap.officer_id)} for gap in result.attendance.gaps],
        "csv_tables": [(table, reverse("figures-export", kwargs={"table": table}) + "?" + query) for table in CSV_TABLES],
        "within_minutes": within // 60,
        "track_days": settings.POSITION_TRACK_RETENTION_DAYS,
    }
    context.update({
        "bars_svg": charts.bars_svg(context["bars"]), "trend_svg": charts.trend_svg(context["trend"]),
        "heat_svg": charts.heatmap_svg(context["heat"]), "rescue_svg": charts.hbars_svg(context["rescue_chart"]),
    })
    return render(request, "fieldapp/figures.html", context)


@role_required(DISPATCHER, ADMIN)
def figures_jobs(request: HttpRequest) -> HttpResponse:
    key = request.GET.get("figure", "")
    if key not in fig.LIST_KEYS:
        raise Http404("No such figure.")
    data, errors, _preset = _range(request)
    result = figures_for_range(first=data["first"], last=data["last"], squad=data["squad"])
    only_missing = request.GET.get("missing") == "1"
    per = next((figure.per for figure in fig.FIGURES if figure.key == key), "job")
    lines = {line.job.id: line for line in result.figures.timelines}
    kind_labels = _kind_labels()
    zone = result.range.zone
    rows = []
    for job_id, value in result.figures.behind[key]:
        if only_missing and value is not None:
            continue
        line = lines[job_id]
        rows.append({
            "job": line.job, "line": line, "value": value, "kind": kind_labels.get(line.job.kind, line.job.kind),
            "reported": timezone.localtime(line.job.reported_at, zone),
        })
    rows.sort(key=lambda row: (row["reported"], row["job"].number))
    context = {
        "key": key, "label": fig.label(key), "definition": fig.definition(key, result.range.quick_clearance_within_s),
        "is_duration": key in fig.FIGURE_KEYS, "per_assignment": per == "assignment",
        "rows": rows, "only_missing": only_missing, "first": data["first"], "last": data["last"],
        "squad": data["squad"], "errors": errors,
        "back": reverse("figures") + "?" + _query(data),
    }
    return render(request, "fieldapp/figures_jobs.html", context)


def _attendance_day_rows(result: RangeFigures) -> list[tuple[str, ...]]:
    # Up to officers × days rows: formatted here once, so the template only prints them.
    zone = result.range.zone

    def clock(moment: datetime | None) -> str:
        return "–" if moment is None else timezone.localtime(moment, zone).strftime("%H:%M")

    rows = []
    for row in result.attendance.days:
        officer = result.officers.get(row.officer_id)
        rows.append((
            f"{row.day:%m-%d} {WEEKDAYS[row.day.weekday()]}", f"{officer.call_sign} {officer.name}" if officer else "",
            hours(row.on_duty_s), clock(row.first_on), clock(row.last_off), str(row.gaps),
        ))
    return rows


# --- CSV -----------------------------------------------------------------------------

def _local(moment: datetime | None, zone: Any) -> str:
    return "" if moment is None else timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M:%S")


def _stats_cells(prefix: str, stats: fig.Stats) -> dict[str, Any]:
    return {f"{prefix}p50_s": stats.p50_s, f"{prefix}p90_s": stats.p90_s, f"{prefix}n": stats.n, f"{prefix}missing": stats.missing}


def csv_rows(table: str, result: RangeFigures) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and rows of one export table."""
    figures, zone, officers = result.figures, result.range.zone, result.officers
    kind_labels = _kind_labels()
    if table == "durations":
        rows = [
            {"figure": figure.key, "name": str(figure.label), "per": figure.per,
             **_stats_cells("", figures.durations[figure.key]), "definition": str(figure.definition)}
            for figure in fig.FIGURES
        ]
        return ["figure", "name", "per", "p50_s", "p90_s", "n", "missing", "definition"], rows
    if table == "counts":
        within = result.range.quick_clearance_within_s
        rows = [
            {"figure": "jobs", "name": str(fig.label("jobs")), "count": figures.jobs, "of": "", "share": ""},
            {"figure": "quick_clearance", "name": str(fig.label("quick_clearance")),
             "count": figures.quick_clearance["quick"], "of": figures.quick_clearance["eligible"],
             "share": figures.quick_clearance["share"]},
            {"figure": "secondary", "name": str(fig.label("secondary")), "count": figures.secondary["count"],
             "of": figures.jobs, "share": figures.secondary["share"]},
            {"figure": "rescues", "name": str(fig.label("rescues")), "count": figures.rescues["count"], "of": "",
             "share": ""},
            *({"figure": f"status:{status}", "name": label, "count": figures.by_status.get(status, 0), "of": figures.jobs,
               "share": ""} for status, label in choice_labels(Job.Status.choices).items()),
        ]
        for row in rows:
            row["definition"] = str(fig.definition(row["figure"], within)) if row["figure"] in fig.COUNT_DEFINITIONS else ""
        return ["figure", "name", "count", "of", "share", "definition"], rows
    if table == "days":
        kinds = list(Job.Kind.values)
        header = ["day", "jobs", *(f"{kind}" for kind in kinds)]
        rows = [{"day": day["day"].isoformat(), "jobs": day["jobs"], **{kind: day["by_kind"].get(kind, 0) for kind in kinds}}
                for day in figures.days]
        return header, rows
    if table == "weeks":
        rows = [{"week": week["week"].isoformat(), **_stats_cells("response_", week["response"]),
                 **_stats_cells("rct_", week["rct"])} for week in figures.weeks]
        header = ["week", *(f"{p}{s}" for p in ("response_", "rct_") for s in ("p50_s", "p90_s", "n", "missing"))]
        return header, rows
    if table == "heatmap":
        rows = [{"weekday": str(WEEKDAYS[weekday]), **{str(hour): count for hour, count in enumerate(row)}}
                for weekday, row in enumerate(figures.heatmap)]
        return ["weekday", *(str(hour) for hour in range(24))], rows
    if table == "rescues":
        labels = _rescue_labels()
        rows = [{"kind": kind, "name": labels.get(kind, kind), **entry} for kind, entry in figures.rescues["by_kind"].items()]
        return ["kind", "name", "count", "people_helped"], rows
    if table == "attendance":
        rows = [
            {"call_sign": row.officer.call_sign, "name": row.officer.name, "squad": row.officer.squad_name,
             "on_duty_h": round(row.on_duty_s / 3600, 2), "days_on_duty": row.days_on_duty, "gaps": len(row.gaps),
             "longest_gap_min": None if row.longest_gap_s is None else round(row.longest_gap_s / 60, 1),
             "jobs_handled": row.jobs_handled, **_stats_cells("response_", row.response),
             "quick_clearances": row.quick_clearances, "rescues": row.rescues}
            for row in result.attendance.officers
        ]
        header = ["call_sign", "name", "squad", "on_duty_h", "days_on_duty", "gaps", "longest_gap_min", "jobs_handled",
                  "response_p50_s", "response_p90_s", "response_n", "response_missing", "quick_clearances", "rescues"]
        return header, rows
    if table == "attendance_days":
        rows = []
        for row in result.attendance.days:
            officer = officers.get(row.officer_id)
            rows.append({"day": row.day.isoformat(), "call_sign": officer.call_sign if officer else row.officer_id,
                         "name": officer.name if officer else "", "on_duty_h": round(row.on_duty_s / 3600, 2),
                         "first_on": _local(row.first_on, zone), "last_off": _local(row.last_off, zone), "gaps": row.gaps})
        return ["day", "call_sign", "name", "on_duty_h", "first_on", "last_off", "gaps"], rows
    if table == "gaps":
        rows = []
        for gap in result.attendance.gaps:
            officer = officers.get(gap.officer_id)
            rows.append({"call_sign": officer.call_sign if officer else gap.officer_id, "name": officer.name if officer else "",
                         "start": _local(gap.start, zone), "end": _local(gap.end, zone), "minutes": round(gap.seconds / 60, 1)})
        return ["call_sign", "name", "start", "end", "minutes"], rows
    if table == "jobs":
        rows = []
        for line in sorted(figures.timelines, key=lambda line: line.job.reported_at):
            job = line.job
            rows.append({
                "number": job.number, "kind": job.kind, "kind_name": kind_labels.get(job.kind, job.kind),
                "status": job.status, "summary": job.summary,
                "t1_reported_at": _local(job.reported_at, zone), "t2_dispatched_at": _local(line.t2, zone),
                "t3_on_scene_at": _local(line.t3, zone), "t4_lanes_open_at": _local(job.lanes_open_at, zone),
                "t5_cleared_at": _local(line.t5, zone), "closed_at": _local(job.closed_at, zone),
                "dispatch_delay_s": fig.span_s(job.reported_at, line.t2), "response_s": fig.span_s(job.reported_at, line.t3),
                "rct_s": fig.span_s(job.reported_at, job.lanes_open_at), "ict_s": fig.span_s(job.reported_at, line.t5),
                "quick_clearance_record": "yes" if job.quick_clearance_officer_id else "",
                "secondary": "yes" if job.secondary else "", "rescue_kind": job.rescue_kind or "",
                "people_helped": job.people_helped,
            })
        header = ["number", "kind", "kind_name", "status", "summary", "t1_reported_at", "t2_dispatched_at",
                  "t3_on_scene_at", "t4_lanes_open_at", "t5_cleared_at", "closed_at", "dispatch_delay_s", "response_s",
                  "rct_s", "ict_s", "quick_clearance_record", "secondary", "rescue_kind", "people_helped"]
        return header, rows
    if table == "assignments":
        numbers = {line.job.id: line.job.number for line in figures.timelines}
        steps = ["dispatched_at", "received_at", "accepted_at", "en_route_at", "on_scene_at", "cleared_at"]
        rows = []
        for row in sorted(result.assignments, key=lambda row: (row.dispatched_at, row.job_id)):
            officer = officers.get(row.officer_id)
            rows.append({"job": numbers.get(row.job_id, row.job_id), "call_sign": officer.call_sign if officer else "",
                         "name": officer.name if officer else "", "squad": officer.squad_name if officer else "",
                         "status": row.status, **{step: _local(getattr(row, step), zone) for step in steps},
                         "receipt_delay_s": fig.span_s(row.dispatched_at, row.received_at),
                         "travel_s": fig.span_s(row.en_route_at, row.on_scene_at)})
        return ["job", "call_sign", "name", "squad", "status", *steps, "receipt_delay_s", "travel_s"], rows
    raise Http404("No such table.")


def csv_text(header: list[str], rows: list[dict[str, Any]]) -> str:
    """UTF-8 text with a byte-order mark, so Excel opens the Chinese intact; cells escaped against formulas."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = SafeDictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue()


@role_required(DISPATCHER, ADMIN)
def figures_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in CSV_TABLES:
        raise Http404("No such table.")
    data, _errors, _preset = _range(request)
    result = figures_for_range(first=data["first"], last=data["last"], squad=data["squad"])
    header, rows = csv_rows(table, result)
    response = HttpResponse(csv_text(header, rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    squad = f"-{data['squad'].code}" if data["squad"] is not None else ""
    name = f"luchang-{table}-{data['first']:%Y%m%d}-{data['last']:%Y%m%d}{squad}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

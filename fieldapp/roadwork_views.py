"""Road work pages: the desk's points, hazards and outreach (dispatchers and admins, desktop), and the
officer's posts, hazard report and outreach record (phone, linked from /field/).

Forms check shape; services write; selectors read.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.validators import MaxLengthValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from common.errors import DomainError
from common.roles import ADMIN, DISPATCHER, OFFICER, role_required, user_has_role
from fieldapp import roadwork_config as config
from fieldapp import roadwork_selectors as selectors
from fieldapp import roadwork_services as services
from fieldapp.labels import choice_labels, shared_labels
from fieldapp.models import CongestionPoint, Hazard, Officer, OutreachEvent, TrafficSample
from fieldapp.roadwork import CLOSED, HAZARD_TRANSITIONS
from fieldapp.roadwork_serializers import PointOut, hazard_in_limits
from stations import hours
from stations.forms import DATE_WIDGET, HoursForm

DESK = (DISPATCHER, ADMIN)
ROAD = (OFFICER, DISPATCHER, ADMIN)
DEFAULT_WINDOWS = "Mo-Fr 07:00-09:00,17:00-19:00; PH off"


def _map_config() -> dict[str, Any]:
    return {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": list(settings.LEAFLET_CONFIG.get("DEFAULT_CENTER", (36.45, 115.98))),
        "zoom": settings.LEAFLET_CONFIG.get("DEFAULT_ZOOM", 13),
    }


def _labels() -> dict[str, Any]:
    return {
        "covered": _("Covered"),
        "uncovered": _("Not covered"),
        "noWindow": _("No post window now"),
        "flagged": _("Uncovered window soon: send someone"),
        "present": _("Present"),
        "nobody": _("Nobody there"),
        "traffic": choice_labels(TrafficSample.State.choices),
        "saved": _("Sent, thank you"),
        "failed": _("Not sent: try again"),
        "edit": _("Edit"),
    }


def _choose_first(field: forms.ChoiceField) -> None:
    """A required choice starts on "Choose…", not on Django's "---------"."""
    field.choices = [("", _("Choose…")), *[choice for choice in field.choices if choice[0] != ""]]


def _connection_labels(offline: str) -> dict[str, str]:
    # The /field/ page's words for its connection bar, with what "offline" means on this page.
    return {**shared_labels()["connection"], "offline": offline}


def _is_desk(request: HttpRequest) -> bool:
    return user_has_role(request.user, DISPATCHER) or user_has_role(request.user, ADMIN)


def _back_url(request: HttpRequest, desk_url_name: str) -> str:
    """An officer goes back to /field/; the desk, which also opens these forms, to its own list."""
    return reverse(desk_url_name) if _is_desk(request) else reverse("field-home")


def _phone_config(offline: str) -> dict[str, Any]:
    """What roadwork/connection.js needs to drive the connection bar."""
    return {
        "urls": {"probe": reverse("healthz")},
        "probeMs": config.desk_refresh_s() * 1000,
        "labels": {"connection": _connection_labels(offline)},
    }


# --- desk ----------------------------------------------------------------------------


@role_required(*DESK)
def desk(request: HttpRequest) -> HttpResponse:
    rows = selectors.points_now()
    page_config = {
        "urls": {"points": reverse("api-roadwork-points")},
        "refreshMs": config.desk_refresh_s() * 1000,
        "map": _map_config(),
        "labels": _labels(),
        "points": [PointOut(row).data for row in rows],
    }
    overdue = selectors.hazard_list(overdue=True)
    return render(request, "fieldapp/roadwork/desk.html", {
        "rows": page_config["points"], "config": page_config, "overdue": overdue,
        "resolved": CongestionPoint.objects.filter(status=CongestionPoint.Status.RESOLVED).count(),
        "covered_minutes": config.covered_minutes(), "flag_minutes": config.flag_ahead_minutes(),
    })


class PointForm(forms.ModelForm):
    class Meta:
        model = CongestionPoint
        fields = ["name", "kind", "area", "lat", "lng", "radius_m", "squad", "officer", "status", "resolved_on",
                  "resolution", "notes"]
        widgets = {"resolved_on": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 2})}


class WindowsForm(HoursForm):
    """The stations' week editor, worded for post windows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opening_hours"].label = _("Post windows expression")
        self.fields["opening_hours"].help_text = _("OpenStreetMap syntax, e.g. “Mo-Fr 07:00-09:00,17:00-19:00; PH off”.")
        self.fields["follows_national_calendar"].label = _(
            "Follow the national holiday calendar (holidays as PH, make-up workdays with Monday windows)"
        )


@role_required(*DESK)
def point_edit(request: HttpRequest, point_id: int | None = None) -> HttpResponse:
    point = None
    if point_id is not None:
        point = CongestionPoint.objects.filter(pk=point_id).first()
        if point is None:
            raise Http404
    expression = point.post_windows if point else DEFAULT_WINDOWS
    follows = point.follows_national_calendar if point else True
    error = ""
    if request.method == "POST":
        form = PointForm(request.POST, instance=point)
        windows = WindowsForm(request.POST, prefix="windows")
        if form.is_valid() and windows.is_valid():
            values = {name: form.cleaned_data[name] for name in PointForm.Meta.fields}
            values.update(
                post_windows=windows.cleaned_data["opening_hours"],
                follows_national_calendar=windows.cleaned_data["follows_national_calendar"],
            )
            try:
                if point is None:
                    services.point_create(**values)
                else:
                    services.point_update(point_id=point.pk, **values)
                return redirect("roadwork-desk")
            except DomainError as exc:
                error = exc.message
    else:
        form = PointForm(instance=point, initial=None if point else {"radius_m": 150})
        windows = WindowsForm(initial=WindowsForm.initial_for(expression, follows), prefix="windows")
    today = hours.to_shanghai(timezone.now()).date()
    week = []
    if point and point.post_windows:
        schedule = hours.Schedule(point.post_windows, point.follows_national_calendar)
        week = hours.week_hours(schedule, selectors.calendar_for(today, today + timedelta(days=7)), today, 7)
    return render(request, "fieldapp/roadwork/point_form.html", {
        "point": point, "form": form, "windows": windows, "error": error, "week": week,
    })


HAZARD_FILTERS = (
    ("open", pgettext_lazy("hazards", "Open")), ("overdue", gettext_lazy("Overdue")), ("", gettext_lazy("All")),
)


@role_required(*DESK)
def hazards(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("status", "open")
    if wanted == "overdue":
        rows = selectors.hazard_list(overdue=True)
    else:
        rows = selectors.hazard_list(status=wanted if wanted in {"open", *Hazard.Status.values} else "")
    return render(request, "fieldapp/roadwork/hazards.html", {
        "hazards": rows, "wanted": wanted, "filters": HAZARD_FILTERS, "statuses": Hazard.Status.choices,
    })


class HazardMoveForm(forms.Form):
    to = forms.ChoiceField(choices=Hazard.Status.choices, widget=forms.HiddenInput)
    unit = forms.CharField(label=gettext_lazy("Responsible unit"), max_length=120, required=False)
    deadline = forms.DateField(label=gettext_lazy("Deadline"), required=False, widget=DATE_WIDGET)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


MOVE_LABELS = {
    "confirmed": gettext_lazy("Confirm"),
    "notified": gettext_lazy("Send the rectification notice"),
    "rectifying": gettext_lazy("Rectifying"),
    "closed": gettext_lazy("Checked: close (验收销号)"),
    "rejected": gettext_lazy("Reject"),
    "reported": gettext_lazy("Reopen"),
}


@role_required(*DESK)
def hazard_detail(request: HttpRequest, hazard_id: int) -> HttpResponse:
    error = ""
    if request.method == "POST":
        form = HazardMoveForm(request.POST)
        if form.is_valid():
            try:
                services.hazard_move(hazard_id=hazard_id, actor=request.user, **form.cleaned_data)
                return redirect("roadwork-hazard", hazard_id=hazard_id)
            except DomainError as exc:
                error = exc.message
        else:
            error = _("Check the form.")
    hazard = selectors.hazard_detail(hazard_id=hazard_id)
    if hazard is None:
        raise Http404
    moves = []
    for to in sorted(HAZARD_TRANSITIONS.get(hazard.status, ())):
        label = MOVE_LABELS.get(to, to)
        if hazard.status == CLOSED and to == "confirmed":
            label = _("Reopen")
        if to == "notified" and hazard.status in ("notified", "rectifying"):
            label = _("Notify again with a new deadline")
        moves.append({"to": to, "label": label})
    return render(request, "fieldapp/roadwork/hazard.html", {"hazard": hazard, "moves": moves, "error": error})


@role_required(*DESK)
def hazard_notice(request: HttpRequest, hazard_id: int) -> HttpResponse:
    hazard = selectors.hazard_detail(hazard_id=hazard_id)
    if hazard is None or not hazard.unit:
        raise Http404
    return render(request, "fieldapp/roadwork/notice.html", {"hazard": hazard, "today": timezone.localdate()})


@role_required(*ROAD)
def outreach(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = selectors.outreach_list(kind=kind if kind in OutreachEvent.Kind.values else "")
    return render(request, "fieldapp/roadwork/outreach.html", {
        "events": rows, "kind": kind, "kinds": OutreachEvent.Kind.choices,
        "is_desk": _is_desk(request),
    })


# --- phone ---------------------------------------------------------------------------


@role_required(OFFICER)
def my_posts(request: HttpRequest) -> HttpResponse:
    officer = getattr(request.user, "officer", None)
    if officer is None:
        raise Http404
    rows = [PointOut(row).data for row in selectors.posts_for_officer(officer=officer)]
    page_config = _phone_config(_("Offline: the card is updated when the network is back"))
    page_config |= {
        "urls": {**page_config["urls"], "posts": reverse("api-me-posts"),
                 "traffic": reverse("api-me-post-traffic", args=[0])},
        "refreshMs": config.desk_refresh_s() * 1000,
        "labels": {**_labels(), **page_config["labels"]},
    }
    return render(request, "fieldapp/roadwork/my_posts.html", {
        "posts": rows, "config": page_config, "back_url": reverse("field-home"),
    })


class HazardReportForm(forms.ModelForm):
    class Meta:
        model = Hazard
        fields = ["kind", "point", "address", "description", "found_by"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = CongestionPoint.objects.filter(status=CongestionPoint.Status.ACTIVE)
        self.fields["point"].empty_label = _("Not at a point: give the address")
        _choose_first(self.fields["kind"])
        # The API's limits, so the page (maxlength) and the server say the same; the model's
        # description is a TextField without one.
        for name, limit in hazard_in_limits().items():
            field = self.fields[name]
            if field.max_length != limit:
                field.max_length = limit
                field.validators.append(MaxLengthValidator(limit))
                field.widget.attrs["maxlength"] = str(limit)

    def labels(self) -> dict[str, str]:
        return {name: str(field.label) for name, field in self.fields.items()}


@role_required(*ROAD)
def hazard_new(request: HttpRequest) -> HttpResponse:
    error = ""
    done = None
    if request.method == "POST":
        form = HazardReportForm(request.POST)
        if form.is_valid():
            try:
                done = services.hazard_report(reporter=request.user, **form.cleaned_data)
                form = HazardReportForm()
            except DomainError as exc:
                error = exc.message
                for name, refusals in (exc.fields or {}).items():
                    if name in form.fields:
                        form.add_error(name, refusals)
    else:
        form = HazardReportForm()
    mine = selectors.hazard_list(reporter=request.user)[:20]
    officer = getattr(request.user, "officer", None)
    page_config = _phone_config(_("Offline: reports are kept on the phone and sent later"))
    page_config |= {
        # The officer's own outbox (the one /field/ uses): a report made in a tunnel is sent later, once.
        "owner": officer.pk if officer else None,
        "urls": {**page_config["urls"], "hazards": reverse("api-roadwork-hazards")},
        # A refusal names the field by its label, as the form does, never by its key.
        "fields": form.labels(),
        "labels": {
            "queued": _("Saved on the phone: it is sent when the network is back."),
            "sending": _("Sending…"),
            # The template's own words, with a slot the page fills.
            "sent": _("Reported as %(number)s.") % {"number": "{number}"},
            "refused": _("Not accepted: correct what is marked, then report again."),
            "fieldError": _("{label}: {message}"),
            "required": _("This field is required."),
            "tooLong": _("At most {limit} characters (now {n})."),
            # The service's rule, checked on the phone too: the page sends no position.
            "where": _("Say where it is: a point, an address or a position."),
            "pending": _("{n} waiting to send"),
            **page_config["labels"],
        },
    }
    return render(request, "fieldapp/roadwork/hazard_new.html", {
        "form": form, "error": error, "done": done, "mine": mine, "config": page_config,
        "back_url": _back_url(request, "roadwork-hazards"),
    })


class OutreachForm(forms.ModelForm):
    class Meta:
        model = OutreachEvent
        fields = ["day", "kind", "place", "organisation", "officers", "audience", "materials", "notes"]
        widgets = {"day": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 2}), "officers": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose_first(self.fields["kind"])
        self.fields["officers"].queryset = Officer.objects.select_related("user").order_by("call_sign")
        self.fields["officers"].label_from_instance = lambda officer: f"{officer.call_sign} {officer.user.get_full_name()}"


@role_required(*ROAD)
def outreach_new(request: HttpRequest) -> HttpResponse:
    officer = getattr(request.user, "officer", None)
    if request.method == "POST":
        form = OutreachForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            officers = list(data.pop("officers"))
            services.outreach_record(recorded_by=request.user, officers=officers, **data)
            if _is_desk(request):
                return redirect("roadwork-outreach")
            # The desk's list is a wide table: an officer stays on this phone page, told it is done.
            messages.success(request, _("Outreach event recorded."))
            return redirect("roadwork-outreach-new")
    else:
        form = OutreachForm(initial={"day": timezone.localdate(), "officers": [officer.pk] if officer else []})
    return render(request, "fieldapp/roadwork/outreach_new.html", {
        "form": form, "back_url": _back_url(request, "roadwork-outreach"),
        "config": _phone_config(_("Offline: saving needs the network")),
    })

"""Forms of the station managers' pages. They validate shape only; services write."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stations import amenities, hours

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


EDITOR_WEEK, EDITOR_EXPRESSION = "week", "expression"
HOLIDAY_CHOICES = (
    (hours.HOLIDAYS_AS_USUAL, pgettext_lazy("holiday rule", "As on that weekday")),
    (hours.HOLIDAYS_CLOSED, pgettext_lazy("holiday rule", "Closed")),
    (hours.HOLIDAYS_AS_SUNDAY, pgettext_lazy("holiday rule", "Same as Sunday")),
    (hours.HOLIDAYS_OWN, pgettext_lazy("holiday rule", "Own hours")),
)
_CLOCK_INPUT = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2})?")


class ClockField(forms.CharField):
    """A time of day as "HH:MM"; a phone's time picker may send seconds too. "24:00" is midnight at the end."""

    widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=8, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value).strip()
        if not text:
            return ""
        match = _CLOCK_INPUT.fullmatch(text)
        if match is None or int(match.group(2)) > 59 or int(match.group(1)) > 24 or (int(match.group(1)) == 24 and match.group(2) != "00"):
            raise forms.ValidationError(_("Give a time such as 08:30."), code="invalid_time")
        return f"{int(match.group(1)):02d}:{match.group(2)}"


def _span_fields(prefix: str) -> dict[str, ClockField]:
    return {
        f"{prefix}_from1": ClockField(label=_("Opens")),
        f"{prefix}_to1": ClockField(label=_("Closes")),
        f"{prefix}_from2": ClockField(label=_("Opens again")),
        f"{prefix}_to2": ClockField(label=_("Closes")),
    }


class HoursForm(forms.Form):
    """Opening hours, from the simple week editor or typed as an expression.

    The page shows the week (each weekday open or closed, one or two intervals,
    a holiday rule) when the saved expression can be shown that way, with the
    expression itself folded away for experts; otherwise only the expression.
    Without any JS the server composes the expression from the week. The
    expression wins when it was edited: it no longer equals the one shown.
    """

    editor = forms.ChoiceField(choices=((EDITOR_WEEK, EDITOR_WEEK), (EDITOR_EXPRESSION, EDITOR_EXPRESSION)),
                               required=False, widget=forms.HiddenInput)
    shown_expression = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)
    opening_hours = forms.CharField(
        label=_("Opening hours expression"),
        max_length=255,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off", "autocomplete": "off"}),
        help_text=_("OpenStreetMap syntax, e.g. “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”."),
    )
    follows_national_calendar = forms.BooleanField(
        label=_(
            "Follow the national holiday calendar (public holidays as set under “Public holidays”, "
            "make-up workdays with Monday hours)"
        ),
        required=False,
    )
    holidays = forms.ChoiceField(label=_("Public holidays"), choices=HOLIDAY_CHOICES, required=False,
                                 widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in hours.WEEKDAY_CODES:
            prefix = code.lower()
            self.fields[f"{prefix}_open"] = forms.BooleanField(label=pgettext_lazy("weekday", "Open"), required=False)
            self.fields.update(_span_fields(prefix))
        self.fields.update(_span_fields("ph"))

    @classmethod
    def initial_for(cls, expression: str, follows_national_calendar: bool) -> dict[str, Any]:
        """Initial data of the page for a saved expression."""
        initial: dict[str, Any] = {
            "opening_hours": expression,
            "shown_expression": expression,
            "follows_national_calendar": follows_national_calendar,
        }
        week = hours.expression_to_week(expression)
        if week is None:
            return {**initial, "editor": EDITOR_EXPRESSION}
        initial.update(editor=EDITOR_WEEK, holidays=week.holidays)
        for code, spans in zip(hours.WEEKDAY_CODES, week.days):
            initial.update(_span_initial(code.lower(), spans))
            initial[f"{code.lower()}_open"] = bool(spans)
        initial.update(_span_initial("ph", week.holiday_spans))
        return initial

    @property
    def uses_week(self) -> bool:
        value = self["editor"].value()
        return value == EDITOR_WEEK

    def weekdays(self) -> list[dict[str, Any]]:
        """Rows of the week editor for the template: label, open box and four times."""
        rows = []
        for code, label in zip(hours.WEEKDAY_CODES, hours.WEEKDAY_LABELS):
            prefix = code.lower()
            rows.append({"code": prefix, "label": label, "open": self[f"{prefix}_open"], **self._span_bound(prefix)})
        return rows

    def holiday_spans(self) -> dict[str, Any]:
        return self._span_bound("ph")

    def _span_bound(self, prefix: str) -> dict[str, Any]:
        fields = {name: self[f"{prefix}_{name}"] for name in ("from1", "to1", "from2", "to2")}
        errors = [error for field in fields.values() for error in field.errors]
        return {**fields, "errors": errors}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        typed = " ".join((cleaned.get("opening_hours") or "").split())
        shown = " ".join((cleaned.get("shown_expression") or "").split())
        if cleaned.get("editor") != EDITOR_WEEK or typed != shown:
            expression = typed
            field = "opening_hours"
        else:
            week = self._week()
            if week is None:
                return cleaned
            expression = hours.week_to_expression(week)
            field = None
        try:
            hours.parse_expression(expression)
        except hours.OpeningHoursError as exc:
            self.add_error(field, forms.ValidationError(str(exc), code="invalid"))
            return cleaned
        cleaned["opening_hours"] = expression
        return cleaned

    def _week(self) -> hours.SimpleWeek | None:
        """The week from the editor's fields, or None after adding the errors to the fields."""
        days = []
        for code in hours.WEEKDAY_CODES:
            prefix = code.lower()
            days.append(self._spans(prefix) if self.cleaned_data.get(f"{prefix}_open") else ())
        rule = self.cleaned_data.get("holidays") or hours.HOLIDAYS_AS_USUAL
        holiday_spans = self._spans("ph") if rule == hours.HOLIDAYS_OWN else ()
        if self.errors:
            return None
        return hours.SimpleWeek(days=tuple(days), holidays=rule, holiday_spans=holiday_spans)

    def _spans(self, prefix: str) -> tuple[hours.Span, ...]:
        data = self.cleaned_data
        first = (data.get(f"{prefix}_from1") or "", _end(data.get(f"{prefix}_to1") or ""))
        second = (data.get(f"{prefix}_from2") or "", _end(data.get(f"{prefix}_to2") or ""))
        if not all(first):
            self.add_error(f"{prefix}_from1", _("Give the opening and the closing time."))
            return ()
        if _minutes(first[1]) <= _minutes(first[0]):
            self.add_error(f"{prefix}_to1", _("The closing time must be after the opening time (for hours past midnight, edit the expression)."))
            return ()
        if not any(second):
            return (first,)
        if not all(second):
            self.add_error(f"{prefix}_from2", _("Give both times of the second interval, or neither."))
            return ()
        if _minutes(second[0]) < _minutes(first[1]) or _minutes(second[1]) <= _minutes(second[0]):
            self.add_error(f"{prefix}_from2", _("The second interval must start after the first one ends and end after it starts."))
            return ()
        return (first, second)


def _end(clock: str) -> str:
    # A time picker cannot say 24:00; closing "at 00:00" means at midnight.
    return "24:00" if clock == "00:00" else clock


def _minutes(clock: str) -> int:
    hour, minute = clock.split(":")
    return int(hour) * 60 + int(minute)


def _span_initial(prefix: str, spans: tuple[hours.Span, ...]) -> dict[str, str]:
    initial = {}
    for number, (start, end) in enumerate(spans[:2], start=1):
        initial[f"{prefix}_from{number}"] = start
        # The time picker shows midnight as 00:00.
        initial[f"{prefix}_to{number}"] = "00:00" if end == "24:00" else end
    return initial


class ClosureForm(forms.Form):
    start_date = forms.DateField(label=_("First day"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("Last day"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=120)
    opening_hours = forms.CharField(
        label=_("Special hours (leave empty to close all day)"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "10:00-14:00", "spellcheck": "false", "autocapitalize": "off"}),
    )

    def clean_opening_hours(self) -> str:
        expression = self.cleaned_data["opening_hours"].strip()
        if expression:
            try:
                hours.parse_expression(expression)
            except hours.OpeningHoursError as exc:
                # The parser's own example is a week's expression; a closure's hours are one day's times.
                raise forms.ValidationError(
                    _("Write the day's hours as 10:00-14:00, or 08:00-12:00,14:00-18:00 for two spells."),
                    code="invalid",
                ) from exc
        return expression

    def clean_end_date(self) -> date:
        end: date = self.cleaned_data["end_date"]
        if end < timezone.localdate():  # TIME_ZONE is Asia/Shanghai
            # The page lists closures from today on: one already over would be saved out of sight.
            raise forms.ValidationError(_("This closure is already over: its last day has passed."), code="past")
        return end

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return cleaned


class ClosedNowForm(forms.Form):
    closed_now = forms.BooleanField(label=_("Closed now"), required=False)
    closed_reason = forms.CharField(
        label=_("Reason shown to citizens"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. staff out on duty")}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("closed_now") and not (cleaned.get("closed_reason") or "").strip():
            self.add_error("closed_reason", _("Give a reason so citizens know why."))
        return cleaned


class AmenitiesForm(forms.Form):
    amenities = forms.MultipleChoiceField(
        label=_("Amenities"), choices=amenities.CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class SloganForm(forms.Form):
    text = forms.CharField(label=_("New slogan"), max_length=120)


class PlaylistAddForm(forms.Form):
    video = forms.ModelChoiceField(label=_("Add a video from the library"), queryset=None)

    def __init__(self, *args: Any, videos: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["video"].queryset = videos


class VideoUploadForm(forms.Form):
    """A manager's own video; the service checks the file by its content, like admin."""

    title = forms.CharField(label=_("Title"), max_length=120)
    file = forms.FileField(
        label=_("Video file (MP4 or WebM)"),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm"}),
    )

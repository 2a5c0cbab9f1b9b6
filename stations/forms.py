"""Forms of the station managers' pages. They validate shape only; services write."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stations import amenities, hours

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HoursForm(forms.Form):
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off", "autocomplete": "off"}),
        help_text=_("OpenStreetMap syntax, e.g. “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”."),
    )
    follows_national_calendar = forms.BooleanField(
        label=_("Follow the national holiday calendar (holidays as PH, make-up workdays with Monday hours)"),
        required=False,
    )

    def clean_opening_hours(self) -> str:
        expression = " ".join(self.cleaned_data["opening_hours"].split())
        # The backend's parser gives the message; the service checks again when saving.
        try:
            hours.parse_expression(expression)
        except hours.OpeningHoursError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
        return expression


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
                raise forms.ValidationError(str(exc), code="invalid") from exc
        return expression

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

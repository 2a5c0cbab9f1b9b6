"""Care stations (爱心驿站): data and small invariants only.

Reads live in stations/selectors.py, writes in stations/services.py and the
opening-hours logic in stations/hours.py.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from stations.fields import AmenitiesField
from stations.validators import sniff_video, validate_image_file, validate_opening_hours, validate_video_file

DEFAULT_OPENING_HOURS = "Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off"


class Station(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=32, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    # WGS-84, as GPS gives it. GCJ-02 (AMap tiles) is derived on the fly.
    lat = models.FloatField(_("latitude (WGS-84)"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("longitude (WGS-84)"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    amenities = AmenitiesField(_("amenities"), blank=True)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        default=DEFAULT_OPENING_HOURS,
        validators=[validate_opening_hours],
        help_text=_("OpenStreetMap opening_hours syntax, e.g. “Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off”."),
    )
    follows_national_calendar = models.BooleanField(
        _("follows the national holiday calendar"),
        default=True,
        help_text=_("Statutory holidays count as PH; make-up workdays (调休) get the Monday hours."),
    )
    closed_now = models.BooleanField(_("closed now"), default=False)
    closed_reason = models.CharField(_("reason for closing"), max_length=120, blank=True, default="")
    published = models.BooleanField(_("published"), default=False, db_index=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_stations", verbose_name=_("managers")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped by every service write (also playlist and slogan changes) so a
    # polling screen can tell that something changed.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("care station")
        verbose_name_plural = _("care stations")
        indexes = [
            # The nearest search reads its box from a 2-D index that no model index
            # can declare for both databases: migration 0003 makes a GiST index on
            # PostgreSQL and an R*Tree kept in step by triggers on SQLite. These
            # B-trees serve an SQLite without the R*Tree module.
            models.Index(fields=["lat", "lng"], name="station_lat_lng_idx"),
            models.Index(fields=["lng", "lat"], name="station_lng_lat_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class StationPhoto(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos", verbose_name=_("station"))
    image = models.FileField(_("image"), upload_to="stations/photos/", validators=[validate_image_file])
    caption = models.CharField(_("caption"), max_length=120, blank=True, default="")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class Closure(models.Model):
    """A date range (inclusive) that overrides the regular hours.

    Empty opening_hours means closed all day ("closed for renovation");
    otherwise it is a special day with its own hours, e.g. "10:00-14:00".
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="closures", verbose_name=_("station"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=120)
    opening_hours = models.CharField(
        _("special hours"),
        max_length=255,
        blank=True,
        default="",
        validators=[validate_opening_hours],
        help_text=_("Leave empty to close all day, or give the hours of a special day, e.g. “10:00-14:00”."),
    )

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("closure or special day")
        verbose_name_plural = _("closures and special days")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="closure_end_after_start"),
        ]
        indexes = [models.Index(fields=["station", "end_date"], name="closure_station_end_idx")]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date} {self.reason}"


class HolidayCalendar(models.Model):
    """One day of China's official calendar that differs from the plain week."""

    class Kind(models.TextChoices):
        STATUTORY_HOLIDAY = "statutory_holiday", _("Statutory holiday")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up workday (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        return f"{self.date} {self.name} ({self.get_kind_display()})"


class SafetyVideo(models.Model):
    """A video of the shared library shown on station screens."""

    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("video file"), upload_to="stations/videos/", validators=[validate_video_file])
    poster = models.FileField(
        _("poster image"), upload_to="stations/posters/", blank=True, default="", validators=[validate_image_file]
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    # Sniffed from the file's first bytes on save; the kiosk's <source type>.
    mime_type = models.CharField(_("media type"), max_length=20, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("safety video")
        verbose_name_plural = _("safety videos")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.file and not self.mime_type:
            try:
                self.mime_type = sniff_video(_file_head(self.file)) or ""
            except OSError:
                self.mime_type = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "mime_type"}
        super().save(*args, **kwargs)


def _file_head(field_file: Any, length: int = 64) -> bytes:
    field_file.open("rb")
    field_file.seek(0)
    head = field_file.read(length)
    field_file.seek(0)
    return head


class PlaylistItem(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="playlist_items", verbose_name=_("station")
    )
    video = models.ForeignKey(
        SafetyVideo, on_delete=models.CASCADE, related_name="playlist_items", verbose_name=_("video")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    start_date = models.DateField(_("show from"), null=True, blank=True)
    end_date = models.DateField(_("show until"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("playlist item")
        verbose_name_plural = _("playlist")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="playlist_item_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.video}"


class Slogan(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="slogans", verbose_name=_("station"))
    text = models.CharField(_("text"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("slogan")
        verbose_name_plural = _("slogans")

    def __str__(self) -> str:
        return self.text

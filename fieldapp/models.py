from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.storage import private_storage


class Squad(models.Model):
    """A squad (中队) of the duty brigade, or a service point run like one."""

    class Kind(models.TextChoices):
        SQUAD = "squad", _("Squad")
        SERVICE_POINT = "service_point", _("Service point")

    name = models.CharField(_("name"), max_length=80, unique=True)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SQUAD)
    brigade = models.CharField(_("brigade"), max_length=80, blank=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("squad")
        verbose_name_plural = _("squads")

    def __str__(self) -> str:
        return self.name


class Officer(models.Model):
    """A motorcycle officer (铁骑): the field profile of a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer", verbose_name=_("user")
    )
    badge_number = models.CharField(_("badge number"), max_length=16, unique=True)
    call_sign = models.CharField(_("call sign"), max_length=32, unique=True)
    squad = models.ForeignKey(
        Squad, on_delete=models.PROTECT, related_name="officers", verbose_name=_("squad"), null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    # Duty and the last position fix live on the officer row, the row dispatch
    # services lock; the history of duty changes is kept apart (DutyChange) as attendance.
    on_duty = models.BooleanField(_("on duty"), default=False)
    duty_changed_at = models.DateTimeField(_("duty changed at"), null=True, blank=True)
    fix_lat = models.FloatField(_("last latitude"), null=True, blank=True)
    fix_lng = models.FloatField(_("last longitude"), null=True, blank=True)
    fix_accuracy_m = models.FloatField(_("last fix accuracy (m)"), null=True, blank=True)
    fix_at = models.DateTimeField(_("last fix at"), null=True, blank=True)
    # The highest seq handed out on this officer's feed; only raised while the row is locked.
    feed_seq = models.PositiveBigIntegerField(_("feed sequence"), default=0, editable=False)
    acked_seq = models.PositiveBigIntegerField(_("acknowledged sequence"), default=0, editable=False)

    class Meta:
        ordering = ["call_sign"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.call_sign} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


# --- dispatch -------------------------------------------------------------



class DutyChange(models.Model):
    """One switch on or off duty: the attendance record."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="duty_changes", verbose_name=_("officer"))
    on_duty = models.BooleanField(_("on duty"))
    at = models.DateTimeField(_("time"), db_index=True)
    # The tap on the phone, which may reach the server later (an outbox sending after a signal loss).
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("duty change")
        verbose_name_plural = _("duty changes")

    def __str__(self) -> str:
        return f"{self.officer} {'on' if self.on_duty else 'off'} {self.at:%Y-%m-%d %H:%M}"


class JobNumberCounter(models.Model):
    """The last job number used on a day (Asia/Shanghai), locked to hand out the next."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class Job(models.Model):
    """Something on the road that needs officers: an accident, a breakdown, a citizen in need."""

    class Kind(models.TextChoices):
        ACCIDENT = "accident", pgettext_lazy("job kind", "Accident")
        BREAKDOWN = "breakdown", pgettext_lazy("job kind", "Breakdown")
        CONGESTION = "congestion", pgettext_lazy("job kind", "Congestion")
        HELP = "help", pgettext_lazy("job kind", "Citizen needs help")
        HAZARD = "hazard", pgettext_lazy("job kind", "Road hazard")
        VIOLATION = "violation", pgettext_lazy("job kind", "Violation")
        OTHER = "other", pgettext_lazy("job kind", "Other")

    class Priority(models.IntegerChoices):
        LOW = 0, pgettext_lazy("job priority", "Low")
        NORMAL = 1, pgettext_lazy("job priority", "Normal")
        HIGH = 2, pgettext_lazy("job priority", "High")
        EMERGENCY = 3, pgettext_lazy("job priority", "Emergency")

    class Source(models.TextChoices):
        VIDEO_PATROL = "video_patrol", pgettext_lazy("job source", "Video patrol")
        PHONE_CALL = "phone_call", pgettext_lazy("job source", "Phone call")
        CITIZEN = "citizen", pgettext_lazy("job source", "Citizen")
        OFFICER = "officer", pgettext_lazy("job source", "Officer")
        OTHER = "other", pgettext_lazy("job source", "Other")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("job status", "Open")
        CLOSED = "closed", pgettext_lazy("job status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("job status", "Cancelled")

    number = models.CharField(_("number"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90.0), MaxValueValidator(90.0)])
    lng = models.FloatField(_("longitude"), validators=[MinValueValidator(-180.0), MaxValueValidator(180.0)])
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.OTHER)
    reported_at = models.DateTimeField(_("reported at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"),
        null=True, blank=True,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True, default="")
    linked_job = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="linked_from", verbose_name=_("linked job")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        # The figures select jobs by the day they were reported, over any range.
        indexes = [models.Index(fields=["reported_at"], name="job_reported_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(lat__gte=-90, lat__lte=90), name="job_lat_range"),
            models.CheckConstraint(condition=models.Q(lng__gte=-180, lng__lte=180), name="job_lng_range"),
            models.CheckConstraint(condition=models.Q(priority__lte=3), name="job_priority_range"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"


class Assignment(models.Model):
    """One officer sent to one job, and how far they got."""

    class Status(models.TextChoices):
        DISPATCHED = "dispatched", pgettext_lazy("assignment status", "Dispatched")
        ACCEPTED = "accepted", pgettext_lazy("assignment status", "Accepted")
        EN_ROUTE = "en_route", pgettext_lazy("assignment status", "En route")
        ON_SCENE = "on_scene", pgettext_lazy("assignment status", "On scene")
        CLEARED = "cleared", pgettext_lazy("assignment status", "Cleared")
        DECLINED = "declined", pgettext_lazy("assignment status", "Declined")
        WITHDRAWN = "withdrawn", pgettext_lazy("assignment status", "Withdrawn")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("job"))
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("officer"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DISPATCHED, db_index=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dispatched by"),
        null=True, blank=True,
    )
    forced = models.BooleanField(_("sent while busy"), default=False)
    dispatched_at = models.DateTimeField(_("dispatched at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("en route at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # {step: {"lat", "lng", "accuracy_m"}} for the steps where the phone sent its position.
    positions = models.JSONField(_("positions"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["dispatched_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["job", "officer"], name="assignment_one_per_officer_per_job"),
        ]

    def __str__(self) -> str:
        return f"{self.job.number} → {self.officer.call_sign}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def next_steps(self) -> list[str]:
        """The steps the assigned officer may take from here, the natural next one first."""
        if self.status not in ACTIVE_STATUSES:
            return []
        forward = FORWARD_STEPS[FORWARD_STEPS.index(self.status) + 1 :]
        if self.status in DECLINABLE_STATUSES:
            return [*forward, Assignment.Status.DECLINED.value]
        return list(forward)


# Steps go forward only; skipping ahead is allowed. Declining is possible only before accepting: an
# officer who has accepted and cannot go asks the desk, which withdraws them and sends someone else.
FORWARD_STEPS = ("dispatched", "accepted", "en_route", "on_scene", "cleared")
ACTIVE_STATUSES = ("dispatched", "accepted", "en_route", "on_scene")
DECLINABLE_STATUSES = ("dispatched",)
OFFICER_STEPS = ("accepted", "en_route", "on_scene", "cleared", "declined")
OFFICER_STATES = ("off_duty", "busy", "available")
RECEIVE_WITHIN_S = 30
# How far along each status is; the ends share the last rank. Pages keep the
# furthest copy of an assignment by it, since steps only go forward.
STATUS_RANK = {
    **{status: rank for rank, status in enumerate(FORWARD_STEPS)},
    "declined": len(FORWARD_STEPS) - 1,
    "withdrawn": len(FORWARD_STEPS) - 1,
}


class JobEvent(models.Model):
    """Append-only audit log of everything that happened to a job and its assignments."""

    class Kind(models.TextChoices):
        JOB_CREATED = "job.created", pgettext_lazy("job event", "Job created")
        DISPATCHED = "assignment.dispatched", pgettext_lazy("job event", "Officer dispatched")
        RECEIVED = "assignment.received", pgettext_lazy("job event", "Received on the phone")
        STEP = "assignment.step", pgettext_lazy("job event", "Step")
        WITHDRAWN = "assignment.withdrawn", pgettext_lazy("job event", "Officer withdrawn")
        JOB_CANCELLED = "job.cancelled", pgettext_lazy("job event", "Job cancelled")
        JOB_CLOSED = "job.closed", pgettext_lazy("job event", "Job closed")
        RECORD_SAVED = "record.saved", pgettext_lazy("job event", "Record saved")
        PHOTO_ADDED = "record.photo", pgettext_lazy("job event", "Photo added")

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="events", verbose_name=_("job"))
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="events", verbose_name=_("assignment"), null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor"),
        null=True, blank=True,
    )
    at = models.DateTimeField(_("server time"), db_index=True)
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("job event")
        verbose_name_plural = _("job events")

    def __str__(self) -> str:
        # The row's title in admin: the kind in words and the server time in the local zone, not UTC.
        return f"{self.get_kind_display()} · {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # The log is append-only: a row, once written, is never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("JobEvent is append-only")
        super().save(*args, **kwargs)


class OfficerMessage(models.Model):
    """A frame on an officer's feed, stored before it is pushed so a phone can resume."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="messages", verbose_name=_("officer"))
    seq = models.PositiveBigIntegerField(_("sequence"))
    type = models.CharField(_("type"), max_length=32)
    frame = models.JSONField(_("frame"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["officer", "seq"]
        verbose_name = _("officer message")
        verbose_name_plural = _("officer messages")
        constraints = [models.UniqueConstraint(fields=["officer", "seq"], name="officer_message_seq_unique")]

    def __str__(self) -> str:
        return f"{self.officer_id}#{self.seq} {self.type}"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for its retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    # Kept as text, not JSON: PostgreSQL's jsonb would reorder the keys of the replayed body.
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]


# --- field records (快处快撤 quick clearance, 救助 rescue) -------------------

class RecordStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("record status", "Draft")
    LATER = "later", pgettext_lazy("record status", "To finish later")
    COMPLETE = "complete", pgettext_lazy("record status", "Complete")


class QuickClearance(models.Model):
    """The quick-clearance (快处快撤) record of an accident or breakdown job: one per job.

    The checklist answers stay empty (None) until the officer answers them, so
    the record can be saved in steps: the photos first, the rest later.
    """

    class Outcome(models.TextChoices):
        QUICK = "quick", pgettext_lazy("quick clearance outcome", "Quick clearance")
        ORDINARY = "ordinary", pgettext_lazy("quick clearance outcome", "Ordinary procedure")

    class Agreement(models.TextChoices):
        AGREED = "agreed", pgettext_lazy("quick clearance agreement", "Agreed on the spot")
        FINDING = "finding", pgettext_lazy("quick clearance agreement", "Responsibility finding")

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="quick_clearance", verbose_name=_("job"))
    officer = models.ForeignKey(
        Officer, on_delete=models.PROTECT, related_name="quick_clearances", verbose_name=_("recorded by")
    )
    vehicle_vs_vehicle = models.BooleanField(_("vehicle against vehicle"), null=True, blank=True)
    property_damage_only = models.BooleanField(_("property damage only"), null=True, blank=True)
    vehicles_movable = models.BooleanField(_("vehicles can be moved"), null=True, blank=True)
    drivers_licensed_sober = models.BooleanField(_("drivers licensed and sober"), null=True, blank=True)
    plates_and_insurance = models.BooleanField(_("plates and insurance"), null=True, blank=True)
    no_dangerous_goods = models.BooleanField(_("no dangerous goods"), null=True, blank=True)
    # Derived from the checklist by fieldapp.records and stored, with the failing items.
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True, default="")
    failing_items = models.JSONField(_("failing items"), default=list, blank=True)
    agreement = models.CharField(_("agreement"), max_length=16, choices=Agreement.choices, blank=True, default="")
    vehicles_moved_at = models.DateTimeField(_("vehicles moved at"), null=True, blank=True)
    lanes_open_at = models.DateTimeField(_("all lanes open at"), null=True, blank=True)
    tow_called = models.BooleanField(_("tow called"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    # The device time of the latest save (the officer's tap) beside the time the server received it.
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quick clearance record")
        verbose_name_plural = _("quick clearance records")

    def __str__(self) -> str:
        return f"{self.job.number} {self.get_status_display()}"


class Party(models.Model):
    """One vehicle in a quick clearance."""

    class Responsibility(models.TextChoices):
        FULL = "full", pgettext_lazy("responsibility", "Full")
        MAJOR = "major", pgettext_lazy("responsibility", "Major")
        EQUAL = "equal", pgettext_lazy("responsibility", "Equal")
        MINOR = "minor", pgettext_lazy("responsibility", "Minor")
        NONE = "none", pgettext_lazy("responsibility", "None")

    quick_clearance = models.ForeignKey(
        QuickClearance, on_delete=models.CASCADE, related_name="parties", verbose_name=_("quick clearance")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    plate = models.CharField(_("plate number"), max_length=16)
    vehicle_type = models.CharField(_("vehicle type"), max_length=32, blank=True, default="")
    insurer = models.CharField(_("insurer"), max_length=64, blank=True, default="")
    # Empty when the parties agreed on the spot (协商一致).
    responsibility = models.CharField(
        _("responsibility"), max_length=8, choices=Responsibility.choices, blank=True, null=True
    )

    class Meta:
        ordering = ["quick_clearance", "position", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.plate


class Rescue(models.Model):
    """The rescue (救助) record of a help job: one per job."""

    class Kind(models.TextChoices):
        ESCORT_ILLNESS = "escort_illness", pgettext_lazy("rescue kind", "Escort in a sudden illness")
        LOST_CHILD = "lost_child", pgettext_lazy("rescue kind", "Lost child")
        LOST_ELDER = "lost_elder", pgettext_lazy("rescue kind", "Lost elder")
        INJURED = "injured", pgettext_lazy("rescue kind", "Injured person aided")
        OTHER = "other", pgettext_lazy("rescue kind", "Other")

    class HandedTo(models.TextChoices):
        FAMILY = "family", pgettext_lazy("handed to", "Family")
        HOSPITAL = "hospital", pgettext_lazy("handed to", "Hospital")
        AGENCY = "agency", pgettext_lazy("handed to", "Another agency")
        OTHER = "other", pgettext_lazy("handed to", "Other")

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="rescue", verbose_name=_("job"))
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="rescues", verbose_name=_("recorded by"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True, default="")
    people_helped = models.PositiveSmallIntegerField(_("people helped"), null=True, blank=True)
    handed_to_kind = models.CharField(_("handed to"), max_length=16, choices=HandedTo.choices, blank=True, default="")
    # Personal data: shown to the recording officer, dispatchers and admins only.
    handed_to_name = models.CharField(_("handed to (name)"), max_length=80, blank=True, default="")
    handed_to_phone = models.CharField(_("handed to (phone)"), max_length=20, blank=True, default="")
    outcome = models.CharField(_("outcome"), max_length=200, blank=True, default="")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rescue record")
        verbose_name_plural = _("rescue records")

    def __str__(self) -> str:
        return f"{self.job.number} {self.get_status_display()}"


def record_photo_path(photo: RecordPhoto, filename: str) -> str:
    return f"records/{photo.received_at:%Y/%m}/{filename}"


class RecordPhoto(models.Model):
    """A photo of a job, its quick clearance or its rescue: EXIF orientation applied, metadata stripped."""

    class Slot(models.TextChoices):
        FRONT_SIDE = "front_side", pgettext_lazy("photo slot", "Front side")
        REAR_SIDE = "rear_side", pgettext_lazy("photo slot", "Rear side")
        IMPACT = "impact", pgettext_lazy("photo slot", "Point of impact")
        EXTRA = "extra", pgettext_lazy("photo slot", "Extra")

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="photos", verbose_name=_("job"))
    quick_clearance = models.ForeignKey(
        QuickClearance, on_delete=models.PROTECT, related_name="photos", verbose_name=_("quick clearance"),
        null=True, blank=True,
    )
    rescue = models.ForeignKey(
        Rescue, on_delete=models.PROTECT, related_name="photos", verbose_name=_("rescue"), null=True, blank=True
    )
    slot = models.CharField(_("slot"), max_length=16, choices=Slot.choices, default=Slot.EXTRA)
    image = models.FileField(_("image"), storage=private_storage, upload_to=record_photo_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), storage=private_storage, upload_to=record_photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    bytes = models.PositiveIntegerField(_("bytes"))
    uploaded_by = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by"))
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    # A newer photo for the same named slot replaces this one; the old one stays for the audit.
    superseded_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("record photo")
        verbose_name_plural = _("record photos")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quick_clearance__isnull=False, rescue__isnull=False),
                name="record_photo_one_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job_id} {self.slot} #{self.pk}"


# --- dispatch notifications (fieldapp/notify) ------------------------------

class NotificationAttempt(models.Model):
    """One try to reach an officer about an assignment on one channel: append-only, shown on the desk."""

    class Result(models.TextChoices):
        SENT = "sent", pgettext_lazy("notification result", "Sent")
        DELIVERED = "delivered", pgettext_lazy("notification result", "Delivered")
        FAILED = "failed", pgettext_lazy("notification result", "Failed")
        SKIPPED = "skipped", pgettext_lazy("notification result", "Skipped")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="notification_attempts", verbose_name=_("assignment")
    )
    # The step of the escalation plan (push, sms, voice, desk) and the channel that acted in it.
    step = models.CharField(_("step"), max_length=16)
    channel = models.CharField(_("channel"), max_length=16)
    at = models.DateTimeField(_("time"), db_index=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    # Why it failed or was skipped, in words for the desk.
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("notification attempt")
        verbose_name_plural = _("notification attempts")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.step}/{self.channel} {self.result}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # Attempts are a receipt: a row, once written, is never rewritten.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("NotificationAttempt is append-only")
        super().save(*args, **kwargs)


class NotificationTimer(models.Model):
    """When the next escalation step of an assignment is due: stored, so it survives any restart.

    Workers take due rows with SELECT ... FOR UPDATE SKIP LOCKED (fieldapp.notify.worker).
    `claimed_step` is set while a worker sends a step; a row still claimed when its
    lease runs out belonged to a worker that died mid-send.
    """

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="notification_timer", verbose_name=_("assignment")
    )
    # Null once nothing is left to do: the phone received the job, it was withdrawn, or the plan ran out.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    claimed_step = models.CharField(_("step being sent"), max_length=16, blank=True, default="")
    claimed_by = models.CharField(_("worker"), max_length=64, blank=True, default="")
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stop_reason = models.CharField(_("stop reason"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("notification timer")
        verbose_name_plural = _("notification timers")

    def __str__(self) -> str:
        return f"{self.assignment_id} due {self.due_at}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription, made on the officer's phone when they turn on duty."""

    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="push_subscriptions", verbose_name=_("officer")
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["officer", "id"]
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"{self.officer_id} {self.endpoint[:40]}"


# --- position track ------------------------------------------------------------

class TrackFix(models.Model):
    """Every accepted on-duty position fix, append-only: the officer's track.

    Written by the position ingest (fieldapp/ingest.py) in one bulk insert per
    tick, in the same transaction as the officer's last fix, so a fix is in the
    track exactly when the phone was told it was accepted. Off-duty positions
    are never stored. Rows are never updated; `prune_dispatch` deletes those
    older than POSITION_TRACK_RETENTION_DAYS.

    - `at` is the server's time of receipt, the time to query by; `device_at`
      is the phone's own time of the fix (clamped so it is never after `at`),
      null when the phone sent none. Readers that want the moment the officer
      was there use `device_at or at`.
    - A late fix (sent after a newer one) is kept here although it did not
      replace the officer's last fix, so the track may hold device times out of
      order: sort by `device_at` when that matters.
    - `accuracy_m` is the phone's reported radius (m), null when unknown; it is
      kept as sent, poor ones too, so a reader decides what to trust.

    Personal location data: read it through fieldapp.track_selectors only, for
    dispatchers and admins. The attendance figures' gaps (no fix for half an
    hour on duty) are found in it too, so they reach back only as far as the
    track is kept.
    """

    id = models.BigAutoField(primary_key=True)
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="track", verbose_name=_("officer"))
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    device_at = models.DateTimeField(_("device time"), null=True, blank=True)
    at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("track fix")
        verbose_name_plural = _("position track")
        indexes = [
            # "Fixes of one officer in a time range", and the whole brigade's for a time range.
            models.Index(fields=["officer", "at"], name="track_fix_officer_at"),
            models.Index(fields=["at"], name="track_fix_at"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.at:%Y-%m-%d %H:%M:%S} {self.lat:.5f},{self.lng:.5f}"


# --- road work (issue 12): areas, congestion points, traffic, hazards, outreach ----

class RoadArea(models.Model):
    """A 片区: a part of the city with the brigade leader responsible for it (大队领导包片)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="road_areas", verbose_name=_("leader"),
        null=True, blank=True,
    )
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class CongestionPoint(models.Model):
    """A 堵点 with its squad and officer (中队长包点) and its peak-hour post windows (岗时).

    `post_windows` is an OpenStreetMap opening_hours expression evaluated by
    stations.hours on the holiday calendar, e.g. "Mo-Fr 07:00-09:00,17:00-19:00; PH off".
    """

    class Kind(models.TextChoices):
        INTERSECTION = "intersection", pgettext_lazy("point kind", "Intersection")
        ROAD_SECTION = "road_section", pgettext_lazy("point kind", "Road section")
        SCHOOL_GATE = "school_gate", pgettext_lazy("point kind", "School gate")
        HOSPITAL_GATE = "hospital_gate", pgettext_lazy("point kind", "Hospital gate")
        MARKET = "market", pgettext_lazy("point kind", "Market")
        OTHER = "other", pgettext_lazy("point kind", "Other")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("point status", "Active")
        RESOLVED = "resolved", pgettext_lazy("point status", "Resolved")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INTERSECTION)
    area = models.ForeignKey(
        RoadArea, on_delete=models.PROTECT, related_name="points", verbose_name=_("area"), null=True, blank=True
    )
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90.0), MaxValueValidator(90.0)])
    lng = models.FloatField(_("longitude"), validators=[MinValueValidator(-180.0), MaxValueValidator(180.0)])
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=150, validators=[MinValueValidator(20), MaxValueValidator(2000)])
    squad = models.ForeignKey(
        Squad, on_delete=models.PROTECT, related_name="congestion_points", verbose_name=_("squad"), null=True, blank=True
    )
    officer = models.ForeignKey(
        Officer, on_delete=models.SET_NULL, related_name="congestion_points", verbose_name=_("responsible officer"),
        null=True, blank=True,
    )
    post_windows = models.CharField(_("post windows"), max_length=255, blank=True, default="")
    follows_national_calendar = models.BooleanField(_("follows the national holiday calendar"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.CharField(_("how it was resolved"), max_length=200, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("congestion point")
        verbose_name_plural = _("congestion points")

    def __str__(self) -> str:
        return self.name


class SettledPresence(models.Model):
    """The presence at a point during one post window that has ended, computed once from the track.

    Derived, never edited: fieldapp/presence.py computes a window from the track
    fixes of its own time (roadwork.py's rules), and stores it once no accepted
    fix can still arrive for it. `basis` names what the answer depends on besides
    the fixes: the point's centre and radius and the visit rules. A point moved or
    a rule changed gives a new basis, so an old row is never read for it again.
    It holds minutes per officer, not positions, so the rates of a range older
    than the track's retention stay right after `prune_dispatch` deletes its fixes.
    """

    point = models.ForeignKey(CongestionPoint, on_delete=models.CASCADE, related_name="settled_presence", verbose_name=_("point"))
    start = models.DateTimeField(_("window start"))
    end = models.DateTimeField(_("window end"))
    basis = models.CharField(_("computed for"), max_length=120)
    visits = models.PositiveIntegerField(_("visits"))
    first_arrival = models.DateTimeField(_("first arrival"), null=True, blank=True)
    # {officer id: minutes inside the window, unrounded} and each visit's minutes inside it.
    minutes_by_officer = models.JSONField(_("minutes by officer"), default=dict)
    visit_minutes = models.JSONField(_("minutes of each visit"), default=list)
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("settled window presence")
        verbose_name_plural = _("settled window presence")
        constraints = [
            models.UniqueConstraint(fields=["point", "start", "end", "basis"], name="settled_presence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.start:%Y-%m-%d %H:%M}"


class TrafficSample(models.Model):
    """The traffic state at a point at one moment, from an officer's tap or from AMap."""

    class State(models.TextChoices):
        SMOOTH = "smooth", pgettext_lazy("traffic", "Smooth")
        SLOW = "slow", pgettext_lazy("traffic", "Slow")
        CONGESTED = "congested", pgettext_lazy("traffic", "Congested")
        BLOCKED = "blocked", pgettext_lazy("traffic", "Blocked")
        UNKNOWN = "unknown", pgettext_lazy("traffic", "Unknown")

    class Source(models.TextChoices):
        OFFICER = "officer", pgettext_lazy("traffic source", "Officer")
        AMAP = "amap", pgettext_lazy("traffic source", "AMap")

    point = models.ForeignKey(CongestionPoint, on_delete=models.CASCADE, related_name="traffic", verbose_name=_("point"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    officer = models.ForeignKey(
        Officer, on_delete=models.SET_NULL, related_name="+", verbose_name=_("officer"), null=True, blank=True
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("traffic sample")
        verbose_name_plural = _("traffic samples")
        indexes = [models.Index(fields=["point", "at"], name="traffic_point_at"), models.Index(fields=["at"], name="traffic_at")]


class Hazard(models.Model):
    """A 隐患 from its report through the rectification notice (整改通知) to sign-off (验收销号)."""

    class Kind(models.TextChoices):
        ROAD_SURFACE = "road_surface", pgettext_lazy("hazard kind", "Road surface")
        SIGNALS = "signals", pgettext_lazy("hazard kind", "Signals")
        SIGNS_MARKINGS = "signs_markings", pgettext_lazy("hazard kind", "Signs and markings")
        SIGHT = "sight", pgettext_lazy("hazard kind", "Sight obstruction")
        ROADSIDE_WORKS = "roadside_works", pgettext_lazy("hazard kind", "Roadside works")
        MISSING_FACILITY = "missing_facility", pgettext_lazy("hazard kind", "Missing facility")
        DANGEROUS_SPOT = "dangerous_spot", pgettext_lazy("hazard kind", "Dangerous driving spot")
        OTHER = "other", pgettext_lazy("hazard kind", "Other")

    class FoundBy(models.TextChoices):
        PATROL = "patrol", pgettext_lazy("hazard found by", "Patrol")
        VIDEO = "video", pgettext_lazy("hazard found by", "Video")
        CITIZEN = "citizen", pgettext_lazy("hazard found by", "Citizen")
        COMPANY = "company", pgettext_lazy("hazard found by", "Company inspection")

    class Status(models.TextChoices):
        REPORTED = "reported", pgettext_lazy("hazard status", "Reported")
        CONFIRMED = "confirmed", pgettext_lazy("hazard status", "Confirmed")
        NOTIFIED = "notified", pgettext_lazy("hazard status", "Notified")
        RECTIFYING = "rectifying", pgettext_lazy("hazard status", "Rectifying")
        CLOSED = "closed", pgettext_lazy("hazard status", "Checked and closed")
        REJECTED = "rejected", pgettext_lazy("hazard status", "Rejected")

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    point = models.ForeignKey(
        CongestionPoint, on_delete=models.SET_NULL, related_name="hazards", verbose_name=_("point"), null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    description = models.TextField(_("description"))
    found_by = models.CharField(_("found by"), max_length=16, choices=FoundBy.choices, default=FoundBy.PATROL)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by"),
        null=True, blank=True,
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True)
    unit = models.CharField(_("responsible unit"), max_length=120, blank=True, default="")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason rejected"), max_length=200, blank=True, default="")
    reported_at = models.DateTimeField(_("reported at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [models.Index(fields=["deadline"], name="hazard_deadline")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class HazardEvent(models.Model):
    """One change of a hazard, kept for ever: who, when, from which status to which, and a note."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events", verbose_name=_("hazard"))
    from_status = models.CharField(_("from"), max_length=16, blank=True, default="")
    to_status = models.CharField(_("to"), max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"), null=True, blank=True
    )
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("note"), max_length=500, blank=True, default="")
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard change")
        verbose_name_plural = _("hazard changes")


class OutreachEvent(models.Model):
    """A 宣传 event: face-to-face education in a company, a school, a community or the media."""

    class Kind(models.TextChoices):
        COMPANY = "company", pgettext_lazy("outreach kind", "Company (freight or passenger)")
        SCHOOL = "school", pgettext_lazy("outreach kind", "School")
        COMMUNITY = "community", pgettext_lazy("outreach kind", "Community")
        MEDIA = "media", pgettext_lazy("outreach kind", "Media")
        OTHER = "other", pgettext_lazy("outreach kind", "Other")

    day = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True, default="")
    officers = models.ManyToManyField(Officer, related_name="outreach_events", verbose_name=_("officers"), blank=True)
    audience = models.PositiveIntegerField(_("audience"), default=0)
    materials = models.CharField(_("materials handed out"), max_length=200, blank=True, default="")
    notes = models.TextField(_("notes"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"),
        null=True, blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")

    def __str__(self) -> str:
        return f"{self.day} {self.place}"

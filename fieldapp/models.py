from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        ordering = ["call_sign"]
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.call_sign} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

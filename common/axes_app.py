"""django-axes under a name staff can read: its admin section is "登录保护", not "Axes"."""
from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class LoginProtectionConfig(AxesAppConfig):
    verbose_name = _("Login protection")

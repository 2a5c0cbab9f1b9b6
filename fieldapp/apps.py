from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldappConfig(AppConfig):
    name = "fieldapp"
    verbose_name = _("Field operations")
    default_auto_field = "django.db.models.BigAutoField"

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fieldapp.models import Officer, Squad

admin.site.site_header = _("Luchang administration")
admin.site.site_title = _("Luchang")
admin.site.index_title = _("Administration")


@admin.register(Squad)
class SquadAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "brigade")
    list_filter = ("kind", "brigade")
    search_fields = ("name", "code")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("call_sign", "badge_number", "display_name", "squad", "phone")
    list_filter = ("squad",)
    search_fields = ("call_sign", "badge_number", "user__username", "user__first_name", "user__last_name", "phone")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "squad")

    @admin.display(description=_("name"))
    def display_name(self, officer: Officer) -> str:
        return officer.display_name

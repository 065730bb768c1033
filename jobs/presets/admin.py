from __future__ import annotations

from django.contrib import admin

from jobs.presets.models import Preset
from videogen.admin_access import StaffModelAdmin


@admin.register(Preset)
class PresetAdmin(StaffModelAdmin):
    list_display = ("name", "user", "updated_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__email")
    readonly_fields = ("id", "user", "name", "parameters", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

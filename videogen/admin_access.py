"""Staff run videogen from the admin: every staff member may manage its models,
without per-model permissions to hand out first. Non-staff never get in (the admin
site itself requires is_staff)."""

from django.contrib import admin


class StaffModelAdmin(admin.ModelAdmin):
    def _staff(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return self._staff(request)

    def has_delete_permission(self, request, obj=None):
        return self._staff(request)

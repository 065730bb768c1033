"""Uploads in the admin: looked at, never edited (the file and its facts belong together);
deleting goes through the service, which refuses an image a job starts from."""

from __future__ import annotations

from django.contrib import admin, messages

from jobs.uploads.models import Upload
from jobs.uploads.services import upload_delete
from videogen.admin_access import StaffModelAdmin
from videogen.errors import ApplicationError


@admin.register(Upload)
class UploadAdmin(StaffModelAdmin):
    list_display = ("id", "user", "width", "height", "content_type", "size_bytes", "created_at")
    list_select_related = ("user",)
    search_fields = ("=id", "user__email")
    readonly_fields = ("id", "user", "path", "width", "height", "content_type", "size_bytes", "created_at")
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        try:
            upload_delete(upload=obj)
        except ApplicationError as error:
            messages.error(request, error.message)

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseCreationForm
from django.db.models import Count

from accounts.models import User
from accounts.services import user_email_check
from videogen.errors import ApplicationError
from videogen.admin_access import StaffModelAdmin


class _NormalisedEmailMixin:
    """Store the email the way login looks it up: trimmed, lower-cased, unique in any case."""

    def clean_email(self) -> str:
        try:
            return user_email_check(email=self.cleaned_data["email"], user=self.instance)
        except ApplicationError as error:
            raise forms.ValidationError(error.details.get("email") or error.message) from None


class UserCreationForm(_NormalisedEmailMixin, BaseCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(_NormalisedEmailMixin, BaseChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(StaffModelAdmin, BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("-created_at",)
    list_display = ("email", "is_staff", "is_active", "job_count", "created_at")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "id")
    readonly_fields = ("id", "created_at", "updated_at", "last_login")
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Any staff member manages accounts; only a superuser hands out superuser rights.
            fields += ("is_superuser", "groups", "user_permissions")
        return fields

    def _protects(self, request, obj) -> bool:
        """A superuser's account is changed only by a superuser (no takeover by staff)."""
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._protects(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._protects(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_job_count=Count("jobs", distinct=True))

    @admin.display(description="jobs", ordering="_job_count")
    def job_count(self, user: User) -> int:
        return user._job_count

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseCreationForm
from django.db.models import Count

from accounts.key_services import api_key_revoke
from accounts.models import ApiKey, OutgoingMail, User
from accounts.services import user_email_check
from videogen.admin_access import StaffModelAdmin
from videogen.errors import ApplicationError


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
    list_display = ("email", "is_staff", "is_active", "email_verified_at", "job_count", "created_at")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "id")
    readonly_fields = ("id", "created_at", "updated_at", "last_login")
    fieldsets = (
        (None, {"fields": ("id", "email", "email_verified_at", "password")}),
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


@admin.register(ApiKey)
class ApiKeyAdmin(StaffModelAdmin):
    """Staff see every key and revoke any; the secret is never stored, its hash never shown."""

    list_display = ("name", "user", "display_prefix", "scope", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    ordering = ("-created_at",)
    fields = ("id", "user", "name", "display_prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_keys"]

    def has_add_permission(self, request):
        return False  # keys are made by their owners, who see the secret once

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="key")
    def display_prefix(self, api_key: ApiKey) -> str:
        return f"{api_key.display_prefix}_…"

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request, queryset):
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key)
            count += 1
        self.message_user(request, f"Revoked {count} API key{'s' if count != 1 else ''}.")


@admin.register(OutgoingMail)
class OutgoingMailAdmin(StaffModelAdmin):
    """The outbox, read-only: what was sent, what waits for a retry, what failed and why."""

    list_display = ("created_at", "kind", "to", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to",)
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in OutgoingMail._meta.fields if field.name != "body"]
    exclude = ("body",)  # may hold a one-time link until sent

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

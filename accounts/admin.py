from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseCreationForm
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models import Count

from accounts.models import OutgoingMail, User, normalize_email
from accounts.services import EMAIL_TAKEN, user_authenticate
from videogen.admin_access import StaffModelAdmin
from videogen.api.fields import client_ip
from videogen.errors import NotAuthenticated, TooManyRequests


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login, through the same limiter as the API and the pages."""

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email is None or password is None:
            return self.cleaned_data
        try:
            self.user_cache = user_authenticate(email=email, password=password, ip_address=client_ip(self.request))
        except TooManyRequests as exc:
            raise forms.ValidationError(exc.message, code="throttled") from None
        except NotAuthenticated:
            raise self.get_invalid_login_error() from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = AdminLoginForm


class _NormalisedEmailMixin:
    """Store the email the way login looks it up: trimmed, lower-cased, unique in any case."""

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


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

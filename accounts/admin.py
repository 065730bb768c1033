from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserCreationForm as BaseCreationForm
from django.db.models import Count

from accounts.models import User


class UserCreationForm(BaseCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_job_count=Count("jobs", distinct=True))

    @admin.display(description="jobs", ordering="_job_count")
    def job_count(self, user: User) -> int:
        return user._job_count

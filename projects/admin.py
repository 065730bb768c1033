"""Projects in the Django admin: listed with their job counts, created, changed and
deleted through ``projects.services`` like everywhere else."""

from django import forms
from django.contrib import admin

from projects import services
from projects.models import Project
from projects.selectors import projects_with_job_count
from videogen.admin_access import StaffModelAdmin
from videogen.errors import ApplicationError
from videogen.form_errors import ServiceErrorsMixin


class ProjectAdminForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = ("user", "name", "description")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.project_check(name=cleaned.get("name", ""), description=cleaned.get("description") or "")
            except ApplicationError as error:
                self.add_service_error(error)
        return cleaned


@admin.register(Project)
class ProjectAdmin(StaffModelAdmin):
    form = ProjectAdminForm
    list_display = ("name", "user_email", "job_count", "created_at")
    list_select_related = ("user",)
    list_filter = ("created_at",)
    search_fields = ("name", "id", "user__email")
    ordering = ("-created_at", "-id")
    autocomplete_fields = ("user",)
    readonly_fields = ("id", "job_count", "created_at", "updated_at")
    fields = ("id", "user", "name", "description", "job_count", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # The owner is chosen once, when the project is created (project_update changes
        # name and description only).
        return (*self.readonly_fields, "user") if obj is not None else self.readonly_fields

    def get_queryset(self, request):
        return projects_with_job_count(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.project_update(project=obj, name=data["name"], description=data.get("description") or "")
        else:
            created = services.project_create(
                user=data["user"], name=data["name"], description=data.get("description") or ""
            )
            for field in ("pk", "name", "description", "created_at", "updated_at"):
                setattr(obj, field, getattr(created, field))
            obj._state.adding = False

    def delete_model(self, request, obj):
        services.project_delete(project=obj)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            services.project_delete(project=project)

    @admin.display(description="user", ordering="user__email")
    def user_email(self, project: Project) -> str:
        return project.user.email

    @admin.display(description="jobs", ordering="job_count")
    def job_count(self, project: Project) -> int:
        # The add form shows an unsaved project, which has no annotation.
        return getattr(project, "job_count", 0)

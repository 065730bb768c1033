from django.contrib import admin

from projects.models import Project
from videogen.admin_access import StaffModelAdmin
from projects.selectors import projects_with_job_count


@admin.register(Project)
class ProjectAdmin(StaffModelAdmin):
    list_display = ("name", "user_email", "job_count", "created_at")
    list_select_related = ("user",)
    list_filter = ("created_at",)
    search_fields = ("name", "id", "user__email")
    ordering = ("-created_at", "-id")
    autocomplete_fields = ("user",)
    readonly_fields = ("id", "job_count", "created_at", "updated_at")
    fields = ("id", "user", "name", "description", "job_count", "created_at", "updated_at")

    def get_queryset(self, request):
        return projects_with_job_count(super().get_queryset(request))

    @admin.display(description="user", ordering="user__email")
    def user_email(self, project: Project) -> str:
        return project.user.email

    @admin.display(description="jobs", ordering="job_count")
    def job_count(self, project: Project) -> int:
        # The add form shows an unsaved project, which has no annotation.
        return getattr(project, "job_count", 0)

"""Jobs in the Django admin: look, search, cancel, retry, create, delete.

Every state change goes through jobs.services, exactly as the API and the worker
do. An existing job is never saved from a form (a full-row save would race the
worker's fenced writes), so its change page is read-only: status moves only
through the cancel / retry actions, and deleting stops it and removes its files.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from jobs import dispatch, file_responses, parameters, queueing, services
from jobs.catalog import all_models, default_model_id
from jobs.forms import contract_fields
from jobs.models import PROMPT_MAX_LENGTH, Job
from videogen.admin_access import StaffModelAdmin
from videogen.errors import ApplicationError, NotFound
from videogen.form_errors import ServiceErrorsMixin

REQUEST_PARAMETERS = ("resolution", "quality", "duration", "maxRetries")


class JobAddForm(ServiceErrorsMixin, forms.ModelForm):
    """The few fields a person chooses (the request's from the parameter contract);
    everything else is the service's job."""

    # The service names fields the way the API does; the add form uses model names.
    service_fields = {param.name: param.attr for param in parameters.PARAMETERS} | {"projectId": "project"}
    model = forms.ChoiceField(choices=())

    class Meta:
        model = Job
        fields = ("user", "project", "prompt", "model", "resolution", "quality", "duration", "max_retries")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(contract_fields(*REQUEST_PARAMETERS))
        self.order_fields(self.Meta.fields)
        self.fields["model"].choices = [(entry.id, entry.label) for entry in all_models()]
        self.fields["model"].initial = default_model_id()
        self.fields["prompt"].max_length = PROMPT_MAX_LENGTH

    def job_request(self) -> services.JobRequest:
        data = self.cleaned_data
        values = {name: data.get(parameters.get(name).attr) for name in REQUEST_PARAMETERS}
        return services.JobRequest.from_values({
            **values, "prompt": data["prompt"], "model": data["model"],
            "projectId": data["project"].pk if data.get("project") else None,
        })

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("user"):
            return cleaned
        try:
            services.job_request_check(user=cleaned["user"], request=self.job_request())
        except ApplicationError as error:
            self.add_service_error(error)
        return cleaned


@admin.register(Job)
class JobAdmin(StaffModelAdmin):
    list_display = (
        "id", "user_email", "status", "priority", "progress_percent", "model", "resolution", "duration", "project",
        "created_at",
    )
    list_select_related = ("user", "project")
    list_filter = ("status", "queue", "priority", "model", "resolution", "quality")
    search_fields = ("prompt", "=id", "user__email")
    ordering = ("-created_at", "-id")
    actions = ("cancel_selected", "retry_selected", "raise_priority", "lower_priority", "move_to_front")
    autocomplete_fields = ("user", "project")

    fieldsets = (
        (None, {"fields": ("id", "user", "project", "status", "progress", "attempt", "queue", "priority")}),
        ("Request", {"fields": ("prompt", "model", "resolution", "quality", "duration", "metadata", "params")}),
        ("Retries", {"fields": ("retry_count", "max_retries", "error_message", "error_detail", "idempotency_key")}),
        ("Timeline", {"fields": (
            "created_at", "queued_at", "run_after", "dispatched_at", "started_at", "heartbeat_at", "completed_at",
            "updated_at",
        )}),
        ("Output", {"fields": (
            "used_provider", "used_model", "generation_time_ms", "output_files", "video_path", "thumbnail_path",
            "video_width",
            "video_height", "video_fps", "video_frames", "video_duration", "video_size_bytes", "video_codec",
        )}),
    )
    add_fieldsets = ((None, {"fields": JobAddForm.Meta.fields}),)

    # --- the list -----------------------------------------------------------------

    @admin.display(description="user", ordering="user__email")
    def user_email(self, job: Job) -> str:
        return job.user.email

    @admin.display(description="progress", ordering="progress")
    def progress_percent(self, job: Job) -> str:
        return f"{job.progress}%"

    @admin.action(description="Cancel selected jobs", permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._apply(request, queryset, lambda job: services.job_cancel(job=job), done="Cancelled")

    @admin.action(description="Retry selected jobs", permissions=["change"])
    def retry_selected(self, request, queryset):
        self._apply(request, queryset, lambda job: services.job_retry(job=job), done="Queued again")

    @admin.action(description="Raise priority of selected jobs (starts sooner)", permissions=["change"])
    def raise_priority(self, request, queryset):
        self._apply(request, queryset, lambda job: dispatch.job_set_priority(job=job, priority=job.priority + 1),
                    done="Raised the priority of")

    @admin.action(description="Lower priority of selected jobs", permissions=["change"])
    def lower_priority(self, request, queryset):
        self._apply(request, queryset, lambda job: dispatch.job_set_priority(job=job, priority=job.priority - 1),
                    done="Lowered the priority of")

    @admin.action(description="Move selected job to the front of its queue", permissions=["change"])
    def move_to_front(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one job to move to the front.", messages.ERROR)
            return
        self._apply(request, queryset, lambda job: dispatch.job_move_to_front(job=job), done="Moved to the front:")

    def _apply(self, request, queryset, service, *, done: str) -> None:
        succeeded = 0
        for job in queryset.order_by("created_at", "id"):
            try:
                service(job)
            except ApplicationError as error:
                self.message_user(request, f"Job {job.id}: {error.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            noun = "job" if succeeded == 1 else "jobs"
            self.message_user(request, f"{done} {succeeded} {noun}.", messages.SUCCESS)

    # --- the queues across users (staff) ------------------------------------------------

    def get_urls(self):
        # Staff see any user's video here, and only here: the API and the pages serve a
        # job's files to its owner alone (see SECURITY.md).
        view = self.admin_site.admin_view
        return [
            path("queues/", view(self.queues_view), name="jobs_job_queues"),
            path("queues/<str:queue>/<str:action>/", view(require_POST(self.queue_switch_view)),
                 name="jobs_job_queue_switch"),
            path("<str:object_id>/video/", view(self.output_view), {"kind": "video"}, name="jobs_job_video"),
            path("<str:object_id>/thumbnail/", view(self.output_view), {"kind": "thumbnail"},
                 name="jobs_job_thumbnail"),
            *super().get_urls(),
        ]

    def queues_view(self, request):
        """Per queue: queued jobs in dispatch order, with user, priority and position."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        order = dispatch.queue_order(queueing.job_queue_names())
        jobs = Job.objects.select_related("user").in_bulk([w.id for waiting in order.values() for w in waiting])
        paused = dispatch.paused_queues()
        queues = [
            {"name": name, "paused": name in paused,
             "running": Job.objects.filter(queue=name, status="processing").count(),
             "jobs": [(index, jobs[w.id]) for index, w in enumerate(order.get(name, []), start=1) if w.id in jobs]}
            for name in queueing.job_queue_names()
        ]
        context = {**self.admin_site.each_context(request), "title": "Job queues", "queues": queues,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/jobs/job/queues.html", context)

    def queue_switch_view(self, request, queue: str, action: str):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if queue not in queueing.job_queue_names() or action not in ("pause", "resume"):
            self.message_user(request, "No such queue or action.", messages.ERROR)
        elif action == "pause":
            taken = dispatch.queue_pause(queue=queue)
            self.message_user(request, f"Queue {queue} paused ({taken} job(s) taken back before starting).",
                              messages.SUCCESS)
        else:
            dispatch.queue_resume(queue=queue)
            self.message_user(request, f"Queue {queue} resumed.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:jobs_job_queues"))

    # --- one job ------------------------------------------------------------------

    readonly_fields = ("output_files",)

    def output_view(self, request, object_id: str, kind: str):
        job = self.get_object(request, object_id)
        if job is None or not self.has_view_permission(request, job):
            raise Http404("No such job.")
        try:
            return file_responses.serve_stored_file(request, job.video_path if kind == "video" else job.thumbnail_path)
        except NotFound as error:
            raise Http404(error.message) from None

    @admin.display(description="files")
    def output_files(self, job: Job) -> str:
        links = [(reverse(f"admin:jobs_job_{kind}", args=[job.pk]), kind)
                 for kind, stored in (("video", job.video_path), ("thumbnail", job.thumbnail_path)) if stored]
        return format_html_join(" · ", '<a href="{}">{}</a>', links) or "-"

    def has_change_permission(self, request, obj=None):
        # The list (and its actions) needs change permission; a saved job is
        # only ever shown, never saved back from a form.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = JobAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        """Create through the service, so an admin job is validated and enqueued
        like an API job; the form has checked everything but the active cap."""
        if change:  # unreachable: saved jobs are read-only (see has_change_permission)
            raise PermissionDenied("Jobs are changed through the cancel and retry actions only.")
        try:
            job, _ = services.job_create(user=form.cleaned_data["user"], request=form.job_request())
        except ApplicationError as error:
            obj._create_error = error.message
            return
        obj.pk = job.pk
        obj.status = job.status

    def save_related(self, request, form, formsets, change):
        if not getattr(form.instance, "_create_error", None):
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        if not getattr(obj, "_create_error", None):
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        error = getattr(obj, "_create_error", None)
        if error:
            self.message_user(request, f"The job was not created: {error}", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:jobs_job_add"))
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        services.job_delete(job=obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            services.job_delete(job=job)


# The admins of the packages' models (the admin autodiscovers jobs/admin.py only).
from jobs.presets import admin as _presets_admin  # noqa: E402,F401
from jobs.uploads import admin as _uploads_admin  # noqa: E402,F401

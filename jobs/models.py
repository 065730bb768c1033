from django.conf import settings
from django.db import models

from videogen.ids import new_id

PROMPT_MAX_LENGTH = 5000


class JobStatus(models.TextChoices):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.PROCESSING)
FINISHED_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(models.Model):
    """One text-to-video request and its current attempt.

    Status changes go through jobs.services only; every worker write is fenced by
    ``attempt`` so a stale execution cannot overwrite a newer one.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )

    prompt = models.TextField(max_length=PROMPT_MAX_LENGTH)
    model = models.CharField(max_length=100)
    resolution = models.CharField(max_length=8)
    quality = models.CharField(max_length=8)
    duration = models.PositiveSmallIntegerField()
    metadata = models.JSONField(default=dict, blank=True)
    # Declared job parameters without a column of their own (see jobs.parameters), by API name.
    params = models.JSONField(default=dict, blank=True)
    # The start image of an image-to-video job: an upload cannot go while a job uses it
    # (RESTRICT still lets an account's deletion take both).
    image = models.ForeignKey("jobs.Upload", on_delete=models.RESTRICT, null=True, blank=True, related_name="jobs")
    queue = models.CharField(max_length=32, default="cpu")
    # Dispatch (jobs.dispatch): a higher priority starts first; staff set it.
    priority = models.SmallIntegerField(default=0)

    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=1)
    retry_count = models.PositiveSmallIntegerField(default=0)
    max_retries = models.PositiveSmallIntegerField(default=3)
    # What the user is shown: safe, says what happened and what to do.
    error_message = models.TextField(blank=True, default="")
    # The failure's full detail (exception and message), for the log and the admin only.
    error_detail = models.TextField(blank=True, default="")
    used_provider = models.CharField(max_length=50, blank=True, default="")
    used_model = models.CharField(max_length=100, blank=True, default="")
    generation_time_ms = models.PositiveIntegerField(null=True, blank=True)

    queued_at = models.DateTimeField(null=True, blank=True)
    run_after = models.DateTimeField(null=True, blank=True)
    # When the current attempt was handed to Redis; None while it waits in the database.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # The id of the request that queued the current attempt: the worker's log lines for
    # it carry this id, though the attempt is handed out later by another process.
    queued_by_request = models.CharField(max_length=128, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When the running attempt last stored a preview frame (None: no preview to show).
    preview_at = models.DateTimeField(null=True, blank=True)

    # The job's own webhook (Replicate-style), signed with its owner's default secret.
    webhook_url = models.CharField(max_length=2000, blank=True, default="")
    webhook_events = models.JSONField(default=list, blank=True)

    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")

    video_path = models.CharField(max_length=500, blank=True, default="")
    thumbnail_path = models.CharField(max_length=500, blank=True, default="")
    video_width = models.PositiveIntegerField(null=True, blank=True)
    video_height = models.PositiveIntegerField(null=True, blank=True)
    video_fps = models.PositiveSmallIntegerField(null=True, blank=True)
    video_frames = models.PositiveIntegerField(null=True, blank=True)
    video_duration = models.FloatField(null=True, blank=True)
    video_size_bytes = models.BigIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=20, blank=True, default="")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="job_user_newest"),
            models.Index(fields=["user", "status", "-created_at"], name="job_user_status_newest"),
            models.Index(fields=["project", "-created_at"], name="job_project_newest"),
            models.Index(fields=["user", "status"], include=["generation_time_ms"], name="job_user_status_stats"),
            models.Index(fields=["status", "queue", "queued_at"], name="job_status_queue"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="job_user_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class QueueControl(models.Model):
    """A queue's dispatch switch: while paused, no new attempt is handed to its workers."""

    name = models.CharField(primary_key=True, max_length=32)
    paused = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({'paused' if self.paused else 'running'})"


class QueueTurn(models.Model):
    """When a user was last served on a queue: fair dispatch serves the least recent first."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    queue = models.CharField(max_length=32)
    served_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "queue"], name="queue_turn_user_queue_unique")]


from jobs.presets.models import Preset  # noqa: E402,F401  (models of this app, kept with their packages)
from jobs.uploads.models import Upload  # noqa: E402,F401

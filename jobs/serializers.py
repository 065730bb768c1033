"""Job JSON in the original spec's shape (camelCase)."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs import media
from jobs.models import PROMPT_MAX_LENGTH, Job, JobStatus


class JobCreateSerializer(serializers.Serializer):
    """Types and presence only; the service checks values against the catalog."""

    prompt = serializers.CharField(max_length=PROMPT_MAX_LENGTH, trim_whitespace=False)
    projectId = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    model = serializers.CharField(max_length=100, required=False, allow_null=True, allow_blank=True)
    resolution = serializers.ChoiceField(choices=["480p", "720p", "1080p", "4k"], required=False, default="1080p")
    quality = serializers.ChoiceField(choices=["low", "medium", "high"], required=False, default="high")
    duration = serializers.IntegerField(min_value=1, max_value=60, required=False, default=5)
    metadata = serializers.JSONField(required=False, allow_null=True)
    maxRetries = serializers.IntegerField(min_value=0, max_value=10, required=False, default=3)

    def validate_prompt(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value

    def validate_metadata(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return value


class JobResultSerializer(serializers.Serializer):
    videoUrl = serializers.CharField()
    thumbnailUrl = serializers.CharField(allow_null=True)
    downloadUrl = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    fps = serializers.IntegerField()
    frames = serializers.IntegerField()
    durationSeconds = serializers.FloatField()
    sizeBytes = serializers.IntegerField()
    codec = serializers.CharField()


class JobSerializer(serializers.ModelSerializer):
    userId = serializers.CharField(source="user_id", read_only=True)
    projectId = serializers.CharField(source="project_id", read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=JobStatus.choices, read_only=True)
    result = serializers.SerializerMethodField()
    queuePosition = serializers.SerializerMethodField()
    attempt = serializers.IntegerField(read_only=True)
    startedAt = serializers.DateTimeField(source="started_at", read_only=True, allow_null=True)
    completedAt = serializers.DateTimeField(source="completed_at", read_only=True, allow_null=True)
    retryCount = serializers.IntegerField(source="retry_count", read_only=True)
    maxRetries = serializers.IntegerField(source="max_retries", read_only=True)
    usedProvider = serializers.CharField(source="used_provider", read_only=True, allow_null=True)
    usedModel = serializers.CharField(source="used_model", read_only=True, allow_null=True)
    generationTimeMs = serializers.IntegerField(source="generation_time_ms", read_only=True, allow_null=True)
    errorMessage = serializers.CharField(source="error_message", read_only=True, allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    updatedAt = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "userId", "projectId", "status", "prompt", "model", "resolution", "quality", "duration",
            "metadata", "progress", "queuePosition", "result", "attempt", "startedAt", "completedAt", "retryCount",
            "maxRetries", "usedProvider", "usedModel", "generationTimeMs", "errorMessage", "createdAt", "updatedAt",
        ]

    @extend_schema_field(JobResultSerializer(allow_null=True))
    def get_result(self, job: Job) -> dict | None:
        return result_for(job, request=self.context.get("request"))

    def get_queuePosition(self, job: Job) -> int | None:
        if job.status != JobStatus.QUEUED:
            return None
        return getattr(job, "queue_position", None)


def result_for(job: Job, *, request=None) -> dict | None:
    """The result block: final URLs, ready to use as they are (no query to append)."""
    if job.status != JobStatus.COMPLETED or not job.video_path:
        return None
    if not media.is_local_storage():
        # Object storage: short-lived presigned URLs, so downloads bypass Django.
        video_url = default_storage.url(job.video_path)
        poster_url = default_storage.url(job.thumbnail_path) if job.thumbnail_path else None
        download_url = default_storage.url(
            job.video_path,
            parameters={"ResponseContentDisposition": f'attachment; filename="{media.download_name(job.id)}"'},
        )
    else:
        # ?v=<attempt> changes with each attempt, so no cache serves a retried job's old video.
        video_url = f"{reverse('api-job-video', args=[job.id])}?v={job.attempt}"
        poster_url = f"{reverse('api-job-thumbnail', args=[job.id])}?v={job.attempt}" if job.thumbnail_path else None
        download_url = f"{reverse('api-job-video', args=[job.id])}?download=1&v={job.attempt}"
        if request is not None:
            video_url = request.build_absolute_uri(video_url)
            poster_url = request.build_absolute_uri(poster_url) if poster_url else None
            download_url = request.build_absolute_uri(download_url)
    return {
        "videoUrl": video_url, "thumbnailUrl": poster_url, "downloadUrl": download_url, "width": job.video_width,
        "height": job.video_height, "fps": job.video_fps, "frames": job.video_frames,
        "durationSeconds": job.video_duration, "sizeBytes": job.video_size_bytes, "codec": job.video_codec,
    }

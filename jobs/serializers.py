"""Job JSON in the original spec's shape (camelCase)."""

from __future__ import annotations

from datetime import timezone
from functools import cached_property

from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework import serializers

from jobs import media, previews
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
    """A completed job's video; a processing job's block holds ``previewUrl`` only."""

    previewUrl = serializers.CharField(required=False)
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


class JobSerializer(serializers.Serializer):
    """A job as the API returns it. The fields document the shape (OpenAPI);
    the JSON itself comes from ``job_json``, which builds it without DRF's per-field
    machinery (a fifth of a 50-job list's time otherwise)."""

    id = serializers.CharField()
    userId = serializers.CharField()
    projectId = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    prompt = serializers.CharField()
    model = serializers.CharField()
    resolution = serializers.CharField()
    quality = serializers.CharField()
    duration = serializers.IntegerField()
    metadata = serializers.JSONField()
    progress = serializers.IntegerField()
    queuePosition = serializers.IntegerField(allow_null=True)
    result = JobResultSerializer(allow_null=True)
    attempt = serializers.IntegerField()
    startedAt = serializers.DateTimeField(allow_null=True)
    completedAt = serializers.DateTimeField(allow_null=True)
    retryCount = serializers.IntegerField()
    maxRetries = serializers.IntegerField()
    usedProvider = serializers.CharField(allow_null=True)
    usedModel = serializers.CharField(allow_null=True)
    generationTimeMs = serializers.IntegerField(allow_null=True)
    errorMessage = serializers.CharField(allow_null=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()

    def to_representation(self, job: Job) -> dict:
        urls = getattr(self, "_urls", None)
        if urls is None:
            urls = self._urls = JobUrls(self.context.get("request"))
        return job_json(job, urls=urls)


def _iso(value):
    """A datetime as DRF writes it: ISO 8601 in UTC, with a 'Z'."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def job_json(job: Job, *, urls: "JobUrls") -> dict:
    """The API's JSON for one job (see ``JobSerializer`` for the documented shape)."""
    queued = job.status == JobStatus.QUEUED
    return {
        "id": job.id, "userId": job.user_id, "projectId": job.project_id, "status": job.status,
        "prompt": job.prompt, "model": job.model, "resolution": job.resolution, "quality": job.quality,
        "duration": job.duration, "metadata": job.metadata, "progress": job.progress,
        "queuePosition": getattr(job, "queue_position", None) if queued else None,
        "result": urls.result(job), "attempt": job.attempt, "startedAt": _iso(job.started_at),
        "completedAt": _iso(job.completed_at), "retryCount": job.retry_count, "maxRetries": job.max_retries,
        "usedProvider": job.used_provider, "usedModel": job.used_model, "generationTimeMs": job.generation_time_ms,
        "errorMessage": job.error_message, "createdAt": _iso(job.created_at), "updatedAt": _iso(job.updated_at),
    }


class JobUrls:
    """Builds jobs' result blocks; the URL routes are reversed once, on first use
    (so a page of jobs still rendering reverses none)."""

    _MARK = "0jobid0"

    def __init__(self, request=None):
        self.request = request

    @cached_property
    def local(self) -> bool:
        return media.is_local_storage()

    @cached_property
    def _routes(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """The video and poster URLs, each split around the job id."""
        return self._split("api-job-video"), self._split("api-job-thumbnail")

    def _split(self, route: str) -> tuple[str, str]:
        path = reverse(route, args=[self._MARK])
        url = self.request.build_absolute_uri(path) if self.request is not None else path
        before, after = url.rsplit(self._MARK, 1)
        return before, after

    @cached_property
    def _preview_route(self) -> tuple[str, str]:
        return self._split("api-job-preview")

    def result(self, job: Job) -> dict | None:
        """The result block: final URLs, ready to use as they are (no query to append).
        A processing job with a preview frame has ``{"previewUrl"}`` only."""
        if job.status == JobStatus.PROCESSING and job.preview_at is not None:
            before, after = self._preview_route if self.local else ("", "")
            return {"previewUrl": previews.preview_url(job, video_url_before=before, video_url_after=after,
                                                       local=self.local)}
        if job.status != JobStatus.COMPLETED or not job.video_path:
            return None
        if self.local:
            # ?v=<attempt> changes with each attempt, so no cache serves a retried job's old video.
            (video_before, video_after), (poster_before, poster_after) = self._routes
            video = f"{video_before}{job.id}{video_after}"
            video_url = f"{video}?v={job.attempt}"
            download_url = f"{video}?download=1&v={job.attempt}"
            poster_url = f"{poster_before}{job.id}{poster_after}?v={job.attempt}" if job.thumbnail_path else None
        else:
            # Object storage: short-lived presigned URLs, so downloads bypass Django.
            video_url = default_storage.url(job.video_path)
            poster_url = default_storage.url(job.thumbnail_path) if job.thumbnail_path else None
            download_url = default_storage.url(
                job.video_path,
                parameters={"ResponseContentDisposition": f'attachment; filename="{media.download_name(job.id)}"'},
            )
        return {
            "videoUrl": video_url, "thumbnailUrl": poster_url, "downloadUrl": download_url, "width": job.video_width,
            "height": job.video_height, "fps": job.video_fps, "frames": job.video_frames,
            "durationSeconds": job.video_duration, "sizeBytes": job.video_size_bytes, "codec": job.video_codec,
        }


def result_for(job: Job, *, request=None) -> dict | None:
    """One job's result block, for the pages."""
    return JobUrls(request).result(job)

"""What the API and the pages show of a job: one presentation, shared.

``job_json`` is the API's JSON for a job (its documented shape is
``jobs.serializers.JobSerializer``); ``JobUrls`` builds the result block (video,
poster and download URLs plus the video's facts) that both the JSON and the pages'
player use. Neither the API nor the pages import the other's modules.
"""

from __future__ import annotations

from datetime import timezone
from functools import cached_property

from django.core.files.storage import default_storage
from django.urls import reverse

from jobs import file_responses, parameters, previews
from jobs.models import Job, JobStatus
from jobs.results import job_facts_json

# Declared parameters stored in Job.params rather than a column of their own.
PARAMS_WITHOUT_COLUMN = tuple(param for param in parameters.PARAMETERS if not param.column)


def iso(value):
    """A datetime as DRF writes it: ISO 8601 in UTC, with a 'Z'."""
    if value is None:
        return None
    text = value.astimezone(timezone.utc).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def job_json(job: Job, *, urls: "JobUrls") -> dict:
    """The API's JSON for one job (see ``jobs.serializers.JobSerializer`` for the documented shape)."""
    queued = job.status == JobStatus.QUEUED
    data = {
        "id": job.id, "userId": job.user_id, "projectId": job.project_id, "status": job.status,
        "prompt": job.prompt, "model": job.model, "resolution": job.resolution, "quality": job.quality,
        "duration": job.duration, "metadata": job.metadata, "progress": job.progress,
        "queuePosition": getattr(job, "queue_position", None) if queued else None,
        "result": urls.result(job), "attempt": job.attempt, "startedAt": iso(job.started_at),
        "completedAt": iso(job.completed_at), "retryCount": job.retry_count, "maxRetries": job.max_retries,
        "usedProvider": job.used_provider, "usedModel": job.used_model, "generationTimeMs": job.generation_time_ms,
        "errorMessage": job.error_message, "createdAt": iso(job.created_at), "updatedAt": iso(job.updated_at),
    }
    for param in PARAMS_WITHOUT_COLUMN:
        data[param.name] = (job.params or {}).get(param.name, param.default)
    return data


class JobUrls:
    """Builds jobs' result blocks; the URL routes are reversed once, on first use
    (so a page of jobs still rendering reverses none)."""

    _MARK = "0jobid0"

    def __init__(self, request=None):
        self.request = request

    @cached_property
    def local(self) -> bool:
        return file_responses.is_local_storage()

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
                parameters={"ResponseContentDisposition": f'attachment; filename="{file_responses.download_name(job.id)}"'},
            )
        return {"videoUrl": video_url, "thumbnailUrl": poster_url, "downloadUrl": download_url, **job_facts_json(job)}


def result_for(job: Job, *, request=None) -> dict | None:
    """One job's result block, for the pages."""
    return JobUrls(request).result(job)

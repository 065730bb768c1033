"""The user's commands on jobs: create, cancel, retry, delete.

The API, the pages and the admin come here (the worker's writes are in
``jobs.services.attempts``). A request's values are checked against the one
parameter contract (``jobs.parameters``) and the model catalog. Enqueueing and file
removal run after the transaction commits.
"""

from __future__ import annotations

import hashlib
import secrets
import json
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.verification import ensure_may_create_jobs
from jobs import events, limits, parameters, queueing, stored_files
from jobs.events import event_record
from jobs.catalog import ModelEntry, default_model_id, model_named
from jobs.models import ACTIVE_STATUSES, Job, JobStatus
from jobs.results import CLEARED_FIELDS
from jobs.uploads.jobs import upload_for_job
from jobs.services.common import enqueue_on_commit, event, remove_files_on_commit
from projects.models import Project
from videogen.errors import Conflict, Forbidden, InvalidInput
from videogen.ids import valid_id
from videogen.request_id import current_request_id

_D = {param.attr: param.default for param in parameters.PARAMETERS}
_MODEL_DEFAULT = None  # a render parameter left out takes the model's default (see resolved)


@dataclass(frozen=True)
class JobRequest:
    """A job submission. Its fields are ``jobs.parameters``' column parameters (defaults
    from there); ``params`` holds the declared parameters without a column, by API name."""

    prompt: str
    project_id: str | None = None
    model: str | None = None
    resolution: str | None = _MODEL_DEFAULT
    quality: str | None = _MODEL_DEFAULT
    duration: int | None = _MODEL_DEFAULT
    metadata: dict | None = None
    max_retries: int = _D["max_retries"]
    params: dict[str, Any] = field(default_factory=dict)
    webhook_url: str | None = None  # the job's own webhook (see _checked_webhook)
    webhook_events: list[str] | None = None

    def resolved(self, model: ModelEntry) -> "JobRequest":
        """This request with every render parameter left out set to the model's default."""
        columns, extra = {}, dict(self.params)
        for param in parameters.MODEL_PARAMETERS:
            limits = model.params.get(param.name)
            default = limits.default if limits is not None else param.default
            if param.column and getattr(self, param.attr) is None:
                columns[param.attr] = default
            elif not param.column and param.name not in extra and default is not None:
                extra[param.name] = default
        return replace(self, **columns, params=extra)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "JobRequest":
        """A request from values by API name (absent or None: the default)."""
        columns, extra = {}, {}
        for param in parameters.PARAMETERS:
            value = values.get(param.name)
            if param.column:
                if value is not None or param.nullable:
                    columns[param.attr] = value
            elif value is not None:
                extra[param.name] = value
        return cls(**columns, params=extra, webhook_url=values.get("webhookUrl") or None,
                   webhook_events=values.get("webhookEvents"))

    def values(self) -> dict[str, Any]:
        """Every parameter's value by API name."""
        return {
            param.name: getattr(self, param.attr) if param.column else self.params.get(param.name, param.default)
            for param in parameters.PARAMETERS
        }

    def fingerprint(self) -> str:
        body = {
            "prompt": self.prompt, "projectId": self.project_id, "model": self.model or default_model_id(),
            "resolution": self.resolution, "quality": self.quality, "duration": self.duration,
            "metadata": self.metadata or {}, "maxRetries": self.max_retries, **self.params,
        }
        if self.webhook_url:
            body.update(webhookUrl=self.webhook_url, webhookEvents=self.webhook_events)
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _checked(request: JobRequest) -> tuple[JobRequest, ModelEntry]:
    """Check every value of ``request`` (types, bounds, the model's limits); the request
    with the model's defaults filled in, and the model."""
    parameters.get("model").check_type(request.model)
    model = model_named(request.model or default_model_id())
    request = request.resolved(model)
    parameters.check_request(request.values(), model)
    _checked_webhook(request)
    return request, model


# Events a job's own webhook gets when webhookEvents is not given.
DEFAULT_JOB_WEBHOOK_EVENTS = [events.STARTED, events.COMPLETED, events.FAILED, events.CANCELLED]


def _checked_webhook(request: JobRequest) -> None:
    from videogen import outbound

    if request.webhook_events is not None and not request.webhook_url:
        raise InvalidInput.for_field("webhookEvents", "Only allowed together with webhookUrl.")
    if not request.webhook_url:
        return
    try:
        outbound.check_url(request.webhook_url, allow_private=settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE)
    except outbound.UnsafeDestination as exc:
        raise InvalidInput.for_field("webhookUrl", str(exc)) from None
    wanted = request.webhook_events
    if wanted is not None and (
        not isinstance(wanted, list) or not wanted or any(name not in events.TYPES for name in wanted)
    ):
        raise InvalidInput.for_field("webhookEvents", f"Must be a non-empty list of: {', '.join(events.TYPES)}.")


def _project_for(user: User, project_id: str | None, *, lock: bool = False) -> Project | None:
    if not project_id:
        return None
    if not valid_id(project_id):
        raise InvalidInput.for_field("projectId", f"Project '{project_id}' does not exist.")
    projects = Project.objects.only("id", "user_id")
    if lock:
        # Locked until commit, so the project cannot be deleted under the new job.
        projects = projects.select_for_update()
    project = projects.filter(pk=project_id).first()
    if project is None:
        raise InvalidInput.for_field("projectId", f"Project '{project_id}' does not exist.")
    if project.user_id != user.pk:
        raise Forbidden("projectId: this project belongs to another user.", details={"projectId": ["Not your project."]})
    return project


def job_request_check(*, user: User, request: JobRequest) -> ModelEntry:
    """Raise what job_create would raise for this request's values and project
    (not the active-job cap); returns its catalog entry. Forms call it to show
    per-field errors before creating."""
    request, model = _checked(request)
    _project_for(user, request.project_id)
    return model


def job_create(*, user: User, request: JobRequest, idempotency_key: str | None = None) -> tuple[Job, bool]:
    """Save a queued job and enqueue it after commit. Returns (job, created).

    The same Idempotency-Key and body from the same user returns the first job
    (created False); the same key with another body is a Conflict.
    """
    ensure_may_create_jobs(user)  # the operator's EMAIL_VERIFICATION rule (accounts)
    request, model = _checked(request)
    image = upload_for_job(user=user, model=model, image_id=request.params.get("imageId"))
    fingerprint = request.fingerprint()
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise InvalidInput.for_field("Idempotency-Key", "Must be 1 to 255 characters.")
    # Picked after the fingerprint: a replayed request is the same request.
    params = {**request.params, "seed": job_seed(request)}

    with transaction.atomic():
        # One writer per user at a time: makes the limits and the idempotency
        # check exact under concurrency.
        limits.lock_user(user.pk)
        if idempotency_key:
            existing = Job.objects.filter(user=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replay(existing, fingerprint), False
        project = _project_for(user, request.project_id, lock=True)
        limits.check_active_cap(user.pk)
        limits.check_create_rate(user.pk)
        fields = dict(
            user=user, project=project, prompt=request.prompt, model=model.id,
            resolution=request.resolution, quality=request.quality, duration=request.duration,
            metadata=request.metadata or {}, params=params, image=image, max_retries=request.max_retries,
            queue=model.queue,
            status=JobStatus.QUEUED, queued_at=timezone.now(), idempotency_key=idempotency_key or None,
            queued_by_request=current_request_id(),
            request_fingerprint=fingerprint, webhook_url=request.webhook_url or "",
            webhook_events=sorted(set(request.webhook_events or DEFAULT_JOB_WEBHOOK_EVENTS)) if request.webhook_url else [],
        )
        if not idempotency_key:
            # Nothing unique to collide on: no savepoint (two round trips) needed.
            job = Job.objects.create(**fields)
        else:
            try:
                with transaction.atomic():
                    job = Job.objects.create(**fields)
            except IntegrityError:
                existing = Job.objects.filter(user=user, idempotency_key=idempotency_key).first()
                if existing is None:
                    raise
                return _replay(existing, fingerprint), False
        enqueue_on_commit(job)
    event("job created", job, user_id=user.pk, model=job.model)
    return job, True


def job_seed(request: JobRequest) -> int:
    """The request's seed: its own, else metadata.seed (the older spelling), else a new
    random one; the job stores it, so it can be rendered again identically."""
    seed = request.params.get("seed")
    if seed is None and isinstance(request.metadata, dict):
        seed = request.metadata.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else secrets.randbelow(2**31)


def _replay(existing: Job, fingerprint: str) -> Job:
    if existing.request_fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request body.",
            details={"Idempotency-Key": ["Reused with a different body."]},
        )
    return existing


def job_cancel(*, job: Job) -> Job:
    """Cancel a queued or processing job; 400 once it has finished."""
    with transaction.atomic():
        now = timezone.now()
        updated = Job.objects.filter(pk=job.pk, status__in=ACTIVE_STATUSES).update(
            status=JobStatus.CANCELLED, completed_at=now, updated_at=now, run_after=None
        )
        job.refresh_from_db()
        if not updated:
            raise InvalidInput(f"Job is already {job.status}; only queued or processing jobs can be cancelled.")
        event_record(job_id=job.id, type=events.CANCELLED)
        job_id, attempt = job.id, job.attempt
        transaction.on_commit(lambda: queueing.forget_attempt(job_id=job_id, attempt=attempt))
        enqueue_on_commit(job)  # the worker it was promised to is free again: dispatch its queue
    event("job cancelled", job)
    return job


def job_retry(*, job: Job) -> Job:
    """Queue a failed or cancelled job again as a new attempt, retry count reset."""
    with transaction.atomic():
        # The same per-user lock and active cap as job_create: a retry queues a job too.
        # (The caller's copy decides which attempt is retried: a stale copy is refused below.)
        limits.lock_user(job.user_id)
        if job.status in (JobStatus.FAILED, JobStatus.CANCELLED):
            limits.check_active_cap(job.user_id)
        now = timezone.now()
        old_attempt = job.attempt
        updated = Job.objects.filter(
            pk=job.pk, attempt=old_attempt, status__in=(JobStatus.FAILED, JobStatus.CANCELLED)
        ).update(
            status=JobStatus.QUEUED, attempt=old_attempt + 1, retry_count=0, progress=0, error_message="", error_detail="",
            started_at=None, completed_at=None, heartbeat_at=None, generation_time_ms=None, run_after=None,
            dispatched_at=None, queued_at=now, updated_at=now, **CLEARED_FIELDS,
        )
        job.refresh_from_db()
        if not updated:
            raise InvalidInput(f"Job is {job.status}; only failed or cancelled jobs can be retried.")
        remove_files_on_commit(job, keep_attempt=None)
        enqueue_on_commit(job)
    event("job retried by user", job, attempt=job.attempt)
    return job


def job_delete(*, job: Job) -> None:
    """Delete a job and its files; a running attempt sees the row gone and stops."""
    with transaction.atomic():
        job_id, attempt, user_id = job.id, job.attempt, job.user_id
        Job.objects.filter(pk=job.pk).delete()
        transaction.on_commit(lambda: queueing.forget_attempt(job_id=job_id, attempt=attempt))
        transaction.on_commit(lambda: stored_files.remove_job_files(user_id=user_id, job_id=job_id))
        enqueue_on_commit(job)  # dispatch its queue: a worker may have been promised this job
    event("job deleted", job_id)

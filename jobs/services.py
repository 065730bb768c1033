"""Every job write and status change: the one state machine.

queued -> processing -> completed | failed | cancelled
processing --(attempt failed, retries left)--> queued (attempt + 1, after a backoff)
failed | cancelled --(user retry)--> queued (new attempt, retry count reset)

The API, the pages, the admin, the worker and the reconciler all come here. Writes
made on behalf of a running attempt are conditional on (id, attempt, status), so a
stale execution can never overwrite a newer attempt or a cancellation. Enqueueing
and file removal run after the transaction commits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from jobs import dispatch, limits, outputs, queueing
from jobs.catalog import ModelEntry, default_model_id, model_for_request
from jobs.generation.base import QUALITIES, RESOLUTIONS
from jobs.models import ACTIVE_STATUSES, PROMPT_MAX_LENGTH, Job, JobStatus
from projects.models import Project
from videogen.errors import Conflict, Forbidden, InvalidInput
from videogen.ids import valid_id
from videogen.request_id import current_request_id

logger = logging.getLogger("videogen.jobs")

MAX_DURATION = 60
MAX_RETRIES_LIMIT = 10


@dataclass(frozen=True)
class JobRequest:
    """A validated job submission (types already checked by the caller)."""

    prompt: str
    project_id: str | None = None
    model: str | None = None
    resolution: str = "1080p"
    quality: str = "high"
    duration: int = 5
    metadata: dict | None = None
    max_retries: int = 3

    def fingerprint(self) -> str:
        body = {
            "prompt": self.prompt, "projectId": self.project_id, "model": self.model or default_model_id(),
            "resolution": self.resolution, "quality": self.quality, "duration": self.duration,
            "metadata": self.metadata or {}, "maxRetries": self.max_retries,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _event(message: str, job: Job | str, **extra) -> None:
    job_id = job if isinstance(job, str) else job.id
    logger.info(message, extra={"job_id": job_id, "event": message, "request_id": current_request_id(), **extra})


METADATA_MAX_DEPTH = 32


def _metadata_problem(value) -> str | None:
    """Why a metadata value cannot be stored, or None.

    Walks iteratively (no recursion limit to hit) and refuses what PostgreSQL's jsonb
    refuses: NUL characters and lone surrogates.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > METADATA_MAX_DEPTH:
            return f"Must be nested at most {METADATA_MAX_DEPTH} levels deep."
        if isinstance(item, dict):
            for key, inner in item.items():
                stack.append((key, depth))
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "Null characters are not allowed."
            if any("\ud800" <= char <= "\udfff" for char in item):
                return "Text must be valid Unicode (no lone surrogates)."
    return None


def _validate(request: JobRequest) -> None:
    prompt = request.prompt.strip()
    if not prompt:
        raise InvalidInput.for_field("prompt", "This field may not be blank.")
    if len(request.prompt) > PROMPT_MAX_LENGTH:
        raise InvalidInput.for_field("prompt", f"Ensure this field has no more than {PROMPT_MAX_LENGTH} characters.")
    if "\x00" in request.prompt:
        raise InvalidInput.for_field("prompt", "Null characters are not allowed.")
    if request.resolution not in RESOLUTIONS:
        raise InvalidInput.for_field("resolution", f"Must be one of {', '.join(RESOLUTIONS)}.")
    if request.quality not in QUALITIES:
        raise InvalidInput.for_field("quality", f"Must be one of {', '.join(QUALITIES)}.")
    if not 1 <= request.duration <= MAX_DURATION:
        raise InvalidInput.for_field("duration", f"Must be between 1 and {MAX_DURATION} seconds.")
    if not 0 <= request.max_retries <= MAX_RETRIES_LIMIT:
        raise InvalidInput.for_field("maxRetries", f"Must be between 0 and {MAX_RETRIES_LIMIT}.")
    metadata = request.metadata if request.metadata is not None else {}
    if not isinstance(metadata, dict):
        raise InvalidInput.for_field("metadata", "Must be a JSON object.")
    problem = _metadata_problem(metadata)
    if problem:
        raise InvalidInput.for_field("metadata", problem)
    size = len(json.dumps(metadata, separators=(",", ":")).encode())
    if size > settings.VIDEOGEN_METADATA_MAX_BYTES:
        raise InvalidInput.for_field(
            "metadata", f"Must be at most {settings.VIDEOGEN_METADATA_MAX_BYTES} bytes as JSON; got {size}."
        )
    seed = metadata.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63):
        raise InvalidInput.for_field("metadata", "metadata.seed must be a non-negative integer.")


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
    _validate(request)
    model = model_for_request(
        model_id=request.model or default_model_id(), resolution=request.resolution, duration=request.duration
    )
    _project_for(user, request.project_id)
    return model


def job_create(*, user: User, request: JobRequest, idempotency_key: str | None = None) -> tuple[Job, bool]:
    """Save a queued job and enqueue it after commit. Returns (job, created).

    The same Idempotency-Key and body from the same user returns the first job
    (created False); the same key with another body is a Conflict.
    """
    _validate(request)
    model_id = request.model or default_model_id()
    model = model_for_request(model_id=model_id, resolution=request.resolution, duration=request.duration)
    fingerprint = request.fingerprint()
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
        raise InvalidInput.for_field("Idempotency-Key", "Must be 1 to 255 characters.")

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
            metadata=request.metadata or {}, max_retries=request.max_retries, queue=model.queue,
            status=JobStatus.QUEUED, queued_at=timezone.now(), idempotency_key=idempotency_key or None,
            request_fingerprint=fingerprint,
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
        _enqueue_on_commit(job)
    _event("job created", job, user_id=user.pk, model=job.model)
    return job, True


def _replay(existing: Job, fingerprint: str) -> Job:
    if existing.request_fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request body.",
            details={"Idempotency-Key": ["Reused with a different body."]},
        )
    return existing


def _enqueue_on_commit(job: Job) -> None:
    """The job waits in the database; jobs.dispatch hands it to a worker in fair order."""
    dispatch.dispatch_on_commit(job.queue)


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
        job_id, attempt = job.id, job.attempt
        transaction.on_commit(lambda: queueing.forget_attempt(job_id=job_id, attempt=attempt))
        dispatch.dispatch_on_commit(job.queue)  # the worker it was promised to is free again
    _event("job cancelled", job)
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
            status=JobStatus.QUEUED, attempt=old_attempt + 1, retry_count=0, progress=0, error_message="",
            started_at=None, completed_at=None, heartbeat_at=None, generation_time_ms=None, run_after=None,
            dispatched_at=None, queued_at=now, updated_at=now, **outputs.CLEARED_RESULT,
        )
        job.refresh_from_db()
        if not updated:
            raise InvalidInput(f"Job is {job.status}; only failed or cancelled jobs can be retried.")
        _remove_files_on_commit(job, keep_attempt=None)
        _enqueue_on_commit(job)
    _event("job retried by user", job, attempt=job.attempt)
    return job


def job_delete(*, job: Job) -> None:
    """Delete a job and its files; a running attempt sees the row gone and stops."""
    with transaction.atomic():
        job_id, attempt, user_id = job.id, job.attempt, job.user_id
        Job.objects.filter(pk=job.pk).delete()
        transaction.on_commit(lambda: queueing.forget_attempt(job_id=job_id, attempt=attempt))
        transaction.on_commit(lambda: outputs.remove_job_files(user_id=user_id, job_id=job_id))
        dispatch.dispatch_on_commit(job.queue)
    _event("job deleted", job_id)


def _remove_files_on_commit(job: Job, *, keep_attempt: int | None) -> None:
    user_id, job_id = job.user_id, job.id
    transaction.on_commit(
        lambda: outputs.remove_job_files(user_id=user_id, job_id=job_id, keep_attempt=keep_attempt)
    )


# --- Writes made on behalf of a running attempt (fenced by attempt) ----------------


def _attempt(job_id: str, attempt: int, *statuses: str):
    return Job.objects.filter(pk=job_id, attempt=attempt, status__in=statuses)


def job_start_attempt(
    *, job_id: str, attempt: int, provider: str, model_name: str, job: Job | None = None
) -> Job | None:
    """queued -> processing for this attempt; None when it is no longer ours to run.

    ``job``, when the caller already loaded the row, is brought up to date in memory
    instead of being read again: the fenced write succeeding means the row is that
    attempt, queued until now, and nothing else about a queued attempt changes.
    """
    now = timezone.now()
    changes = dict(
        status=JobStatus.PROCESSING, started_at=now, heartbeat_at=now, progress=0,
        used_provider=provider, used_model=model_name, run_after=None, updated_at=now,
    )
    updated = _attempt(job_id, attempt, JobStatus.QUEUED).update(**changes)
    if not updated:
        return None
    _event("attempt started", job_id, attempt=attempt)
    if job is None or job.pk != job_id or job.attempt != attempt:
        return Job.objects.get(pk=job_id)
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def job_heartbeat(*, job_id: str, attempt: int, progress: int) -> bool:
    """Record progress and liveness; False means this attempt must stop."""
    now = timezone.now()
    return bool(
        _attempt(job_id, attempt, JobStatus.PROCESSING).update(
            progress=max(0, min(99, progress)), heartbeat_at=now, updated_at=now
        )
    )


def job_complete_attempt(
    *, job_id: str, attempt: int, result: outputs.StoredResult, generation_time_ms: int, user_id: str | None = None
) -> bool:
    """processing -> completed with the result; False when the attempt was superseded.

    One conditional UPDATE, like every fenced write: the database checks (id, attempt,
    status) on the row it locks, so a cancel or a newer attempt committed first wins.
    Pass the job's ``user_id`` when known, to skip reading it back.
    """
    now = timezone.now()
    updated = _attempt(job_id, attempt, JobStatus.PROCESSING).update(
        status=JobStatus.COMPLETED, progress=100, completed_at=now, heartbeat_at=now, updated_at=now,
        generation_time_ms=generation_time_ms, error_message="", **result.as_fields(),
    )
    if not updated:
        return False
    if user_id is None:
        user_id = Job.objects.filter(pk=job_id).values_list("user_id", flat=True).first()
    if user_id is not None:
        # Earlier attempts' files (after commit: the row no longer points at them).
        transaction.on_commit(
            lambda: outputs.remove_job_files(user_id=user_id, job_id=job_id, keep_attempt=attempt)
        )
    _event("attempt completed", job_id, attempt=attempt, generation_time_ms=generation_time_ms)
    return True


def retry_delay_seconds(retry_count: int) -> float:
    """Exponential backoff with full jitter between half and all of the step."""
    base = settings.VIDEOGEN_RETRY_BASE_SECONDS
    step = min(settings.VIDEOGEN_RETRY_MAX_SECONDS, base * (2**retry_count))
    return step * random.uniform(0.5, 1.0)


def job_fail_attempt(*, job_id: str, attempt: int, message: str, permanent: bool, from_statuses=None) -> str | None:
    """End a failed attempt: back to queued (retries left) or failed.

    Returns the new status, or None when the attempt was no longer current.
    """
    statuses = from_statuses or (JobStatus.PROCESSING,)
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.attempt != attempt or job.status not in statuses:
            return None
        now = timezone.now()
        if not permanent and job.retry_count < job.max_retries:
            delay = retry_delay_seconds(job.retry_count)
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.QUEUED, attempt=attempt + 1, retry_count=job.retry_count + 1, progress=0,
                error_message=message, queued_at=now, run_after=now + timedelta(seconds=delay),
                dispatched_at=None, started_at=None, heartbeat_at=None, updated_at=now,
            )
            job.refresh_from_db()
            _remove_files_on_commit(job, keep_attempt=None)
            _enqueue_on_commit(job)  # handed out once run_after has passed
            _event("attempt failed; retrying", job_id, attempt=attempt, error=message, delay_seconds=round(delay, 2))
            return JobStatus.QUEUED
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error_message=message, completed_at=now, updated_at=now, run_after=None
        )
        _remove_files_on_commit(job, keep_attempt=None)
    _event("job failed", job_id, attempt=attempt, error=message)
    return JobStatus.FAILED


def job_requeue_attempt(*, job_id: str, attempt: int, reason: str) -> bool:
    """Hand a processing attempt back to the queue as a new attempt (worker shutdown).

    The retry count is not charged: the attempt did not fail.
    """
    with transaction.atomic():
        now = timezone.now()
        updated = _attempt(job_id, attempt, JobStatus.PROCESSING).update(
            status=JobStatus.QUEUED, attempt=attempt + 1, progress=0, queued_at=now, run_after=None,
            dispatched_at=None, started_at=None, heartbeat_at=None, updated_at=now,
        )
        if not updated:
            return False
        job = Job.objects.get(pk=job_id)
        _enqueue_on_commit(job)
    _event("attempt handed back", job_id, attempt=attempt, reason=reason)
    return True

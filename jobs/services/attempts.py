"""The worker's side of the state machine: one attempt's lifecycle.

queued -> processing -> completed | failed | cancelled
processing --(attempt failed, retries left)--> queued (attempt + 1, after a backoff)
failed | cancelled --(user retry)--> queued (new attempt, retry count reset; jobs.services.commands)

start, heartbeat, store, complete, fail, requeue: every write is conditional on
(id, attempt, status), so a stale execution can never overwrite a newer attempt or
a cancellation. The worker and the reconciler come here.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs import attempt_sql, events, stored_files
from jobs.events import event_record
from jobs.generation.base import VideoFacts
from jobs.models import Job, JobStatus
from jobs.results import VideoResult
from jobs.services.common import enqueue_on_commit, event, remove_files_on_commit


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
    updated = _fenced_write(job_id, attempt, JobStatus.QUEUED, changes, event_type=events.STARTED)
    if not updated:
        return None
    event("attempt started", job_id, attempt=attempt)
    if job is None or job.pk != job_id or job.attempt != attempt:
        return Job.objects.get(pk=job_id)
    for name, value in changes.items():
        setattr(job, name, value)
    return job


def _fenced_write(job_id: str, attempt: int, status: str, changes: dict, *, event_type: str) -> int:
    """The fenced UPDATE of (job, attempt, status) and, when it matched, the event, in one
    transaction.

    The worker's start and completion (the hot path) first try the write on the
    condition that nobody listens for the job's events (jobs.events.nobody_listening):
    one autocommitted statement in plain SQL (jobs.attempt_sql), no BEGIN, no event, no
    COMMIT round trip. Only when that matches nothing (someone listens, or the attempt
    is no longer current) is the write made again with its event."""
    quiet = attempt_sql.quiet_condition()
    if quiet is not None:
        updated = attempt_sql.fenced_update(job_id=job_id, attempt=attempt, status=status, changes=changes,
                                            condition=quiet)
        if updated:
            return updated
    with transaction.atomic():
        updated = _attempt(job_id, attempt, status).update(**changes)
        if updated:
            event_record(job_id=job_id, type=event_type)
    return updated


def job_heartbeat(*, job_id: str, attempt: int, progress: int, announce: bool = False) -> bool:
    """Record progress and liveness; False means this attempt must stop.

    ``announce`` also records a job.progress event (the caller throttles it)."""
    now = timezone.now()

    def write() -> bool:
        return bool(_attempt(job_id, attempt, JobStatus.PROCESSING).update(
            progress=max(0, min(99, progress)), heartbeat_at=now, updated_at=now
        ))

    if not announce:
        return write()  # the hot path: one statement, no transaction around it
    with transaction.atomic():
        alive = write()
        if alive:
            event_record(job_id=job_id, type=events.PROGRESS)
    return alive


def job_store_attempt_outputs(
    *, job: Job, attempt: int, video_path: str, thumbnail_path: str, facts: VideoFacts
) -> VideoResult:
    """Upload an attempt's rendered files to its own storage folder (no row changes:
    ``job_complete_attempt`` then points the job at them, or they are removed)."""
    return stored_files.store_outputs(
        user_id=job.user_id, job_id=job.id, attempt=attempt, video_path=video_path,
        thumbnail_path=thumbnail_path, facts=facts,
    )


def job_complete_attempt(
    *, job_id: str, attempt: int, result: VideoResult, generation_time_ms: int, user_id: str | None = None,
    job: Job | None = None,
) -> bool:
    """processing -> completed with the result; False when the attempt was superseded.

    One conditional UPDATE, like every fenced write: the database checks (id, attempt,
    status) on the row it locks, so a cancel or a newer attempt committed first wins.
    Pass the job's ``user_id`` (or the loaded ``job``) when known, to skip reading it back.
    """
    now = timezone.now()
    changes = dict(
        status=JobStatus.COMPLETED, progress=100, completed_at=now, heartbeat_at=now, updated_at=now,
        generation_time_ms=generation_time_ms, error_message="", error_detail="", **result.job_fields(),
    )
    updated = _fenced_write(job_id, attempt, JobStatus.PROCESSING, changes, event_type=events.COMPLETED)
    if not updated:
        return False
    if user_id is None and job is not None and job.pk == job_id:
        user_id = job.user_id
    if user_id is None:
        user_id = Job.objects.filter(pk=job_id).values_list("user_id", flat=True).first()
    if user_id is not None:
        # Earlier attempts' files (after commit: the row no longer points at them).
        transaction.on_commit(
            lambda: stored_files.remove_job_files(user_id=user_id, job_id=job_id, keep_attempt=attempt)
        )
    event("attempt completed", job_id, attempt=attempt, generation_time_ms=generation_time_ms)
    return True


def retry_delay_seconds(retry_count: int) -> float:
    """Exponential backoff with full jitter between half and all of the step."""
    base = settings.VIDEOGEN_RETRY_BASE_SECONDS
    step = min(settings.VIDEOGEN_RETRY_MAX_SECONDS, base * (2**retry_count))
    return step * random.uniform(0.5, 1.0)


def job_fail_attempt(
    *, job_id: str, attempt: int, message: str, permanent: bool, detail: str = "", from_statuses=None
) -> str | None:
    """End a failed attempt: back to queued (retries left) or failed.

    ``message`` is what the user reads (safe, says what to do); ``detail`` the full
    story for the admin (the log has it too).

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
                error_message=message, error_detail=detail, queued_at=now, run_after=now + timedelta(seconds=delay),
                dispatched_at=None, started_at=None, heartbeat_at=None, updated_at=now,
            )
            job.refresh_from_db()
            remove_files_on_commit(job, keep_attempt=None)
            enqueue_on_commit(job)  # handed out once run_after has passed
            event("attempt failed; retrying", job_id, attempt=attempt, error=message, delay_seconds=round(delay, 2))
            return JobStatus.QUEUED
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error_message=message, error_detail=detail, completed_at=now, updated_at=now, run_after=None
        )
        event_record(job_id=job_id, type=events.FAILED)
        remove_files_on_commit(job, keep_attempt=None)
    event("job failed", job_id, attempt=attempt, error=message)
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
        enqueue_on_commit(job)
    event("attempt handed back", job_id, attempt=attempt, reason=reason)
    return True

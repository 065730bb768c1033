"""What both halves of the state machine share: event logging and after-commit effects."""

from __future__ import annotations

import logging

from django.db import transaction

from jobs import dispatch, stored_files
from jobs.models import Job
from videogen.request_id import current_request_id

logger = logging.getLogger("videogen.jobs")


def event(message: str, job: Job | str, **extra) -> None:
    job_id = job if isinstance(job, str) else job.id
    logger.info(message, extra={"job_id": job_id, "event": message, "request_id": current_request_id(), **extra})


def enqueue_on_commit(job: Job) -> None:
    """The job waits in the database; jobs.dispatch hands it to a worker in fair order
    (a retry once its run_after has passed). The attempt remembers the request that
    queued it, for the worker's log lines."""
    request_id = current_request_id()
    if job.pk and job.queued_by_request != request_id:
        Job.objects.filter(pk=job.pk).update(queued_by_request=request_id)
        job.queued_by_request = request_id
    dispatch.dispatch_on_commit(job.queue)


def remove_files_on_commit(job: Job, *, keep_attempt: int | None) -> None:
    user_id, job_id = job.user_id, job.id
    transaction.on_commit(
        lambda: stored_files.remove_job_files(user_id=user_id, job_id=job_id, keep_attempt=keep_attempt)
    )

"""The RQ task: run one attempt of one job.

It takes ids, sets up the request id and the database connection, and calls one
service, ``jobs.services.job_run_attempt``.
"""

from __future__ import annotations

from django.db import close_old_connections

from jobs.services.running import SHUTDOWN, job_run_attempt
from videogen.request_id import reset_request_id, set_request_id

__all__ = ["SHUTDOWN", "run_job_attempt"]


def run_job_attempt(job_id: str, attempt: int) -> str:
    """Entry point enqueued as ``jobs.tasks.run_job_attempt(job_id, attempt)``."""
    close_old_connections()
    # The job's log lines carry the id of the request that queued it.
    token = set_request_id(_queued_by_request())
    try:
        return job_run_attempt(job_id=job_id, attempt=attempt)
    finally:
        reset_request_id(token)
        close_old_connections()


def _queued_by_request() -> str:
    from rq import get_current_job

    current = get_current_job()
    return (current.meta.get("request_id") if current is not None else None) or "-"

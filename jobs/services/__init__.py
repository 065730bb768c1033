"""Every job write and status change, by whose it is.

- ``commands``: the user's commands (create, cancel, retry, delete), called by the
  API, the pages and the admin;
- ``attempts``: the worker's attempt lifecycle (start, heartbeat, store, complete,
  fail, requeue), every write fenced by the attempt number;
- ``running``: ``job_run_attempt``, the one service the RQ task calls.

Callers import from here (``from jobs import services``).
"""

from jobs.services.attempts import (
    job_complete_attempt,
    job_fail_attempt,
    job_heartbeat,
    job_requeue_attempt,
    job_start_attempt,
    job_store_attempt_outputs,
    retry_delay_seconds,
)
from jobs.services.commands import JobRequest, job_cancel, job_create, job_delete, job_request_check, job_retry
from jobs.services.running import job_run_attempt

__all__ = [
    "JobRequest", "job_cancel", "job_complete_attempt", "job_create", "job_delete", "job_fail_attempt",
    "job_heartbeat", "job_request_check", "job_requeue_attempt", "job_retry",
    "job_start_attempt", "job_store_attempt_outputs", "retry_delay_seconds", "job_run_attempt",
]


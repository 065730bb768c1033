"""Small helpers shared by the jobs tests."""

from __future__ import annotations

from jobs import queueing


def rq_job_ids(queue: str = "cpu") -> list[str]:
    """Every RQ job Redis holds for this queue: waiting or scheduled."""
    q = queueing.get_queue(queue)
    return [*q.job_ids, *q.scheduled_job_registry.get_job_ids()]

"""Deliveries on their own RQ queue, so slow receivers never hold up a render.

The RQ job id is (delivery, attempts made): enqueueing the same attempt twice is
harmless, and the reconciler can ask Redis whether a due delivery is still held.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings

from jobs import queueing

logger = logging.getLogger("videogen.webhooks")

QUEUE = queueing.WEBHOOKS_QUEUE
TASK = "jobs.webhooks.tasks.deliver"


def rq_id(delivery_id: str, attempts: int) -> str:
    return f"webhook-{delivery_id}-{attempts}"


def try_enqueue(*, delivery_id: str, attempts: int, delay_seconds: float = 0.0) -> bool:
    """Enqueue one delivery attempt; False (logged) when Redis is unreachable: the
    reconciler enqueues it later from the database."""
    try:
        queue = queueing.get_queue(QUEUE)
        options = dict(
            job_id=rq_id(delivery_id, attempts), args=(delivery_id,), result_ttl=0, failure_ttl=24 * 3600,
            job_timeout=int(settings.VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS) + 60,
        )
        if delay_seconds > 0:
            queue.enqueue_in(timedelta(seconds=delay_seconds), TASK, **options)
        else:
            queue.enqueue(TASK, **options)
        return True
    except Exception as exc:
        logger.warning("webhook enqueue failed; the reconciler will retry",
                       extra={"delivery_id": delivery_id, "error": str(exc)})
        return False


def is_held(*, delivery_id: str, attempts: int, redis=None) -> bool:
    """Whether Redis will run this attempt without help; asked only of due deliveries,
    so a retry still waiting in RQ's scheduled registry does not count (see rq_job_is_held)."""
    return queueing.rq_job_is_held(rq_id(delivery_id, attempts), redis=redis, scheduled_counts=False)

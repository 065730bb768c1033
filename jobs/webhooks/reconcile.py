"""The reconciler's webhook step: enqueue every due delivery Redis does not hold.

Covers a failed enqueue (Redis down), a flushed Redis, a scheduled retry whose RQ
scheduler is not running, and an attempt whose worker died (its lease expired).
Also prunes old attempts, at most once an hour.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from jobs import queueing as job_queueing
from jobs.webhooks import queueing
from jobs.webhooks.models import DeliveryState, WebhookDelivery
from jobs.webhooks.services import attempts_prune

logger = logging.getLogger("videogen.webhooks")

BATCH = 500
PRUNE_KEY = "videogen:webhooks:pruned"
PRUNE_EVERY_SECONDS = 3600


def reconcile_deliveries() -> list[str]:
    now = timezone.now()
    grace = timedelta(seconds=settings.VIDEOGEN_ENQUEUE_GRACE_SECONDS)
    due = (
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("id", "attempts")[:BATCH]
    )
    redis = job_queueing.connection()
    enqueued = []
    for delivery_id, attempts in due:
        if not queueing.is_held(delivery_id=delivery_id, attempts=attempts, redis=redis):
            if queueing.try_enqueue(delivery_id=delivery_id, attempts=attempts):
                enqueued.append(delivery_id)
    if enqueued:
        logger.info("re-enqueued %d webhook deliveries", len(enqueued), extra={"deliveries": len(enqueued)})
    if redis.set(PRUNE_KEY, "1", nx=True, ex=PRUNE_EVERY_SECONDS):
        attempts_prune(now=now)
    return enqueued

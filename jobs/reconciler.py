"""Repairs the gap between PostgreSQL (the truth) and Redis (the hints).

- A queued job whose current attempt Redis does not hold (Redis restarted empty,
  the enqueue failed while Redis was down) is enqueued again.
- A processing job whose heartbeat went stale (worker killed, machine lost) ends
  its attempt as a failure: retried when retries are left, failed otherwise.

Only one reconciler acts at a time (a Redis lock); every repair is a fenced,
conditional write, so running it twice changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jobs import queueing, services
from jobs.models import Job, JobStatus

logger = logging.getLogger("videogen.reconciler")

LOCK_KEY = "videogen:reconciler:lock"
BATCH = 500
STALE_MESSAGE = "The worker running this job stopped responding (killed or lost)."

# Repairs other apps add to every pass (the webhooks app's undelivered events),
# registered at start-up so that jobs never imports them.
_extra_repairs: list[Callable[[], None]] = []


def register_repair(repair: Callable[[], None]) -> None:
    if repair not in _extra_repairs:
        _extra_repairs.append(repair)


@dataclass
class ReconcileReport:
    reenqueued: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    skipped_locked: bool = False

    def __str__(self) -> str:
        if self.skipped_locked:
            return "another reconciler is running; nothing done"
        return f"re-enqueued {len(self.reenqueued)} queued job(s), recovered {len(self.recovered)} stale job(s)"


def reconcile_once(*, stale_after: float | None = None, grace: float | None = None) -> ReconcileReport:
    report = ReconcileReport()
    redis = queueing.connection()
    token = uuid.uuid4().hex
    ttl_ms = int(max(10.0, settings.VIDEOGEN_RECONCILE_INTERVAL_SECONDS) * 1000)
    if not redis.set(LOCK_KEY, token, nx=True, px=ttl_ms):
        report.skipped_locked = True
        return report
    try:
        _recover_stale(report, stale_after if stale_after is not None else settings.VIDEOGEN_STALE_AFTER_SECONDS)
        # A queued job younger than the grace may still be in its on-commit enqueue.
        _reenqueue_lost(report, timedelta(seconds=grace if grace is not None else settings.VIDEOGEN_ENQUEUE_GRACE_SECONDS))
        for repair in _extra_repairs:
            try:
                repair()
            except Exception:
                logger.exception("reconcile repair failed", extra={"repair": getattr(repair, "__name__", "?")})
    finally:
        # Release only our own lock.
        redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, LOCK_KEY, token)
    if report.reenqueued or report.recovered:
        logger.info(str(report), extra={"reenqueued": len(report.reenqueued), "recovered": len(report.recovered)})
    return report


def _recover_stale(report: ReconcileReport, stale_after: float) -> None:
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    stale = (
        Job.objects.filter(status=JobStatus.PROCESSING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
        .values_list("id", "attempt")[:BATCH]
    )
    for job_id, attempt in stale:
        outcome = services.job_fail_attempt(job_id=job_id, attempt=attempt, message=STALE_MESSAGE, permanent=False)
        if outcome is not None:
            report.recovered.append(job_id)


def _reenqueue_lost(report: ReconcileReport, grace: timedelta) -> None:
    now = timezone.now()
    queued = (
        Job.objects.filter(status=JobStatus.QUEUED, queued_at__lt=now - grace)
        .filter(Q(run_after__isnull=True) | Q(run_after__lte=now))
        .only("id", "attempt", "queue")
        .order_by("queued_at")[:BATCH]
    )
    redis = queueing.connection()
    for job in queued:
        if not queueing.attempt_is_held(job_id=job.id, attempt=job.attempt, redis=redis):
            services.job_reenqueue(job=job)
            report.reenqueued.append(job.id)

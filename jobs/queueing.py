"""Redis and RQ plumbing: the only module that talks to the queue directly.

Redis only carries "please run job X, attempt N"; the database is the truth. The
RQ job id is derived from (job id, attempt), so enqueueing the same attempt twice
is harmless and the reconciler can ask Redis whether an attempt is still held.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from redis import Redis
from redis.maint_notifications import MaintNotificationsConfig
from rq import Queue, Worker
from rq.job import Job as RQJob
from rq.job import JobStatus as RQStatus
from rq.worker_registration import WORKERS_BY_QUEUE_KEY

from videogen.request_id import current_request_id

logger = logging.getLogger("videogen.jobs")

TASK = "jobs.tasks.run_job_attempt"
RQ_JOB_TIMEOUT = 3 * 3600

_lock = threading.Lock()


def _after_fork_in_child() -> None:
    # A fork taken while another thread (the reconciler) held the lock would leave
    # the child's copy locked for ever.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
_clients: dict[str, Redis] = {}


# Every new connection would otherwise also send CLIENT SETINFO twice and try CLIENT
# MAINT_NOTIFICATIONS (which Redis 7 refuses): three round trips that each forked
# work-horse pays again, since a horse cannot reuse its parent's sockets.
_LEAN_HANDSHAKE = {"driver_info": None, "maint_notifications_config": MaintNotificationsConfig(enabled=False)}


def connection() -> Redis:
    """A shared client for web processes: fails fast when Redis is down."""
    url = settings.REDIS_URL
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = Redis.from_url(
                url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30, **_LEAN_HANDSHAKE
            )
            _clients[url] = client
        return client


def worker_connection() -> Redis:
    """A client for a worker: RQ sets its own socket timeout for blocking pops."""
    return Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, health_check_interval=30, **_LEAN_HANDSHAKE)


# RQ's queue for the webhooks app's deliveries: served by the default worker beside its
# render queues, never a place jobs.dispatch hands job attempts to.
WEBHOOKS_QUEUE = "webhooks"


def queue_names() -> tuple[str, ...]:
    return tuple(settings.RQ_QUEUE_NAMES)


def job_queue_names() -> tuple[str, ...]:
    """The queues that run job attempts (every queue but the webhooks delivery queue)."""
    return tuple(name for name in settings.RQ_QUEUE_NAMES if name != WEBHOOKS_QUEUE)


def get_queue(name: str, *, redis: Redis | None = None) -> Queue:
    return Queue(name, connection=redis or connection(), default_timeout=RQ_JOB_TIMEOUT)


def rq_job_id(job_id: str, attempt: int) -> str:
    return f"videogen-{job_id}-{attempt}"


def enqueue_attempt(*, job_id: str, attempt: int, queue: str, request_id: str | None = None) -> None:
    """Put (job, attempt) on its queue now; raises redis errors to the caller.

    ``request_id``: the request that queued the attempt (the dispatcher runs elsewhere,
    often in a worker); else the current one.

    Only jobs.dispatch calls this, for a job that should start now: nothing waits in
    Redis for a time to come (no ``enqueue_in``, so nothing rests on RQ's scheduler).
    """
    get_queue(queue).enqueue(
        TASK,
        job_id=rq_job_id(job_id, attempt),
        meta={"request_id": request_id or current_request_id()},
        args=(job_id, attempt),
        result_ttl=60,
        failure_ttl=24 * 3600,
        job_timeout=RQ_JOB_TIMEOUT,
    )


def try_enqueue_attempt(*, job_id: str, attempt: int, queue: str, request_id: str | None = None) -> bool:
    """Enqueue, logging instead of raising when Redis is unreachable (the job is back
    to waiting in the database for the next dispatch)."""
    try:
        enqueue_attempt(job_id=job_id, attempt=attempt, queue=queue, request_id=request_id)
        return True
    except Exception as exc:  # redis.ConnectionError, TimeoutError, ...
        logger.warning(
            "enqueue failed; the reconciler will retry",
            extra={"job_id": job_id, "attempt": attempt, "error": str(exc)},
        )
        return False


def idle_worker_count(queue: str, *, also: str | None = None, redis: Redis | None = None) -> int:
    """Live workers listening on ``queue`` that are waiting for a job (RQ's registry),
    counting the worker named ``also`` as idle whatever its state.

    Two round trips. A worker killed while idle counts until its key expires (about a
    minute): that can only hand out one attempt early, never hold one back.
    """
    redis = redis or connection()
    keys = {key.decode() if isinstance(key, bytes) else key for key in redis.smembers(WORKERS_BY_QUEUE_KEY % queue)}
    own = f"{Worker.redis_worker_namespace_prefix}{also}" if also else None
    others = sorted(keys - {own})
    idle = 1 if own else 0
    if others:
        pipeline = redis.pipeline(transaction=False)
        for key in others:
            pipeline.hget(key, "state")
        idle += sum(1 for state in pipeline.execute() if state in (b"idle", "idle"))
    return idle


def attempt_is_held(*, job_id: str, attempt: int, redis: Redis | None = None) -> bool:
    """Whether Redis still holds this attempt: on its queue, or running on a live worker.

    Attempts never wait in RQ's scheduled registry (jobs.dispatch hands out only what is
    due): one found there is a leftover that nothing would start, so it does not count."""
    return rq_job_is_held(rq_job_id(job_id, attempt), redis=redis, scheduled_counts=False)


def rq_job_is_held(rq_id: str, *, redis: Redis | None = None, scheduled_counts: bool = True) -> bool:
    """Whether Redis still holds the RQ job with this id: waiting, scheduled or running.

    ``scheduled_counts=False`` for a caller that knows the job is already due: RQ's
    scheduler may not run for minutes (its lock outlives a killed worker)."""
    redis = redis or connection()
    try:
        rq_job = RQJob.fetch(rq_id, connection=redis)
    except Exception:
        return False
    status = rq_job.get_status(refresh=False)
    if status == RQStatus.SCHEDULED and not scheduled_counts:
        return False
    if status in (RQStatus.QUEUED, RQStatus.SCHEDULED, RQStatus.DEFERRED):
        queue = get_queue(rq_job.origin, redis=redis)
        if status == RQStatus.QUEUED:
            return queue.get_job_position(rq_job.id) is not None
        return rq_job.id in queue.scheduled_job_registry
    if status != RQStatus.STARTED:
        return False
    # Started counts only while the worker that took it is alive: a worker and
    # work-horse killed together leave "started" behind until RQ's own cleanup.
    worker_name = getattr(rq_job, "worker_name", None)
    return bool(worker_name) and bool(redis.exists(f"{Worker.redis_worker_namespace_prefix}{worker_name}"))


def forget_attempt(*, job_id: str, attempt: int) -> None:
    """Drop an attempt from Redis (best effort): a cancelled queued job never runs."""
    try:
        redis = connection()
        rq_job = RQJob.fetch(rq_job_id(job_id, attempt), connection=redis)
        if rq_job.get_status(refresh=False) != RQStatus.STARTED:
            rq_job.cancel()
            rq_job.delete()
    except Exception:
        pass


def workers_for(queue: Queue) -> list[Worker]:
    return Worker.all(queue=queue)

"""Which job starts next: the database decides; Redis only carries what should run now.

The fair order on one queue (the one rule: the dispatcher and the staff queue view use
``fair_order``; the queue positions users see count the same order in jobs.positions,
which jobs/tests/test_positions.py checks against ``queue_order`` on random queues):

1. the highest priority level present goes first (staff set priorities);
2. within it, the user served least recently on that queue (never served first; a tie
   goes to the user whose oldest job has waited longest);
3. that user's oldest job (queued_at, then id).

A queued job waits in the database (``dispatched_at`` empty) until it is handed out.
It is *due* once its ``run_after`` (a retry's backoff) has passed. A user who already has
``VIDEOGEN_MAX_RUNNING_PER_USER`` attempts running or handed out is passed over, so their
other jobs hold nobody back.

``dispatch(queue)`` hands due jobs to Redis only for workers that are idle and not
already promised an attempt (idle workers on the queue - attempts handed out and not
started yet), so a job arriving later can still overtake the ones waiting. It runs when a
job is queued (after commit), when a worker is about to wait for work, and from every
worker's reconciler loop (each pass, and when the next backoff ends): nothing rests on
RQ's scheduler or on any single process.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Iterable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from jobs import dispatch_sql, queueing
from jobs.models import Job, JobStatus, QueueControl, QueueTurn

logger = logging.getLogger("videogen.dispatch")

_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


@dataclass(frozen=True)
class Waiting:
    """A queued job as the fair order sees it."""

    id: str
    user_id: str
    priority: int
    queued_at: datetime
    attempt: int = 1
    request_id: str = ""  # the request that queued this attempt (for the worker's log lines)


_FIELDS = ("id", "user_id", "priority", "queued_at", "attempt", "queued_by_request")


def _waiting(rows: Iterable[tuple]) -> list[Waiting]:
    return [Waiting(id=i, user_id=u, priority=p, queued_at=q or _EPOCH, attempt=a, request_id=r or "")
            for i, u, p, q, a, r in rows]


def fair_order(waiting: Iterable[Waiting], served: dict[str, datetime]) -> Iterator[Waiting]:
    """Yield ``waiting`` in the order the jobs would start if all were due now and nothing
    else arrived; ``served`` maps a user id to when the user was last served on the queue."""
    levels: dict[int, dict[str, deque[Waiting]]] = defaultdict(lambda: defaultdict(deque))
    for job in sorted(waiting, key=lambda job: (job.queued_at, job.id)):
        levels[job.priority][job.user_id].append(job)
    # (0,) never served < (1, real time) < (2, n): the n-th serve of this walk.
    turn: dict[str, tuple] = {user: (1, at.timestamp()) for user, at in served.items()}
    serves = 0
    for level in sorted(levels, reverse=True):
        users = levels[level]
        heap = [(turn.get(user, (0,)), jobs[0].queued_at, jobs[0].id, user) for user, jobs in users.items()]
        heapq.heapify(heap)
        while heap:
            user = heapq.heappop(heap)[3]
            job = users[user].popleft()
            yield job
            serves += 1
            turn[user] = (2, serves)
            if users[user]:
                following = users[user][0]
                heapq.heappush(heap, (turn[user], following.queued_at, following.id, user))


def _handed_out(queue: str | None = None):
    rows = Job.objects.filter(status=JobStatus.QUEUED, dispatched_at__isnull=False)
    return rows.filter(queue=queue) if queue else rows


# --- handing jobs to workers -------------------------------------------------------------


def dispatch(queue: str, *, worker_name: str | None = None) -> list[str]:
    """Hand due jobs of ``queue`` to its idle workers in fair order; the ids handed out.

    ``worker_name``: a worker about to wait for a job, counted as idle. Raises Redis
    errors; ``dispatch_safely`` logs them instead.
    """
    idle = queueing.idle_worker_count(queue, also=worker_name)
    if idle <= 0:  # the common case under load: one Redis round trip, no SQL
        return []
    with transaction.atomic():
        # One dispatcher per queue at a time (PostgreSQL row lock; SQLite's writes are serial).
        control = dispatch_sql.locked_control(queue)
        if control is None:  # the queue's first dispatch
            QueueControl.objects.get_or_create(name=queue)
            control = dispatch_sql.locked_control(queue)
        paused, handed_out = control
        if paused:
            return []
        slots = idle - handed_out
        if slots <= 0:
            return []
        now = timezone.now()
        due = _waiting(dispatch_sql.due_rows(queue, now))
        if not due:
            return []
        running, served = dispatch_sql.users_standing(queue, {job.user_id for job in due})
        limit = settings.VIDEOGEN_MAX_RUNNING_PER_USER
        handed: list[Waiting] = []
        turns: dict[str, datetime] = {}
        for job in fair_order(due, served):
            if running.get(job.user_id, 0) >= limit:
                continue
            stamp = now + timedelta(microseconds=len(handed))  # keeps this batch's order in served_at
            if dispatch_sql.mark_handed_out(job_id=job.id, attempt=job.attempt, at=stamp):
                handed.append(job)
                running[job.user_id] = running.get(job.user_id, 0) + 1
                turns[job.user_id] = stamp
            if len(handed) >= slots:
                break
        if turns:
            dispatch_sql.record_turns(queue, turns)
    # Called outside any transaction (after a commit, or from a loop), so the marks are
    # committed by now: a worker that takes an attempt sees it handed out.
    _enqueue(queue, handed)
    return [job.id for job in handed]


def _enqueue(queue: str, handed: list[Waiting]) -> None:
    for job in handed:
        if not queueing.try_enqueue_attempt(job_id=job.id, attempt=job.attempt, queue=queue,
                                             request_id=job.request_id):
            # Back to waiting, so the next dispatch (or the reconciler) hands it out again.
            Job.objects.filter(pk=job.id, attempt=job.attempt, status=JobStatus.QUEUED).update(dispatched_at=None)


def dispatch_safely(queue: str, *, worker_name: str | None = None) -> list[str]:
    """``dispatch``, logging instead of raising (for on-commit hooks and loops): a job
    left waiting is handed out by the next dispatch or reconciler pass."""
    try:
        return dispatch(queue, worker_name=worker_name)
    except Exception as exc:  # redis.ConnectionError, a database hiccup, ...
        logger.warning("enqueue failed; the reconciler will retry", extra={"queue": queue, "error": str(exc)})
        return []


def queues_with_due_safely(queues: list[str]) -> list[str]:
    """Those of ``queues`` with a job due now, in their order; on a database error, all of
    them (``dispatch_safely`` then logs it). Nothing due means nothing to hand out to
    anyone: a job queued later is dispatched by its own commit, a backoff that ends later
    by the reconciler loop."""
    try:
        due = dispatch_sql.queues_with_due(queues, timezone.now())
    except Exception:
        return list(queues)
    return [name for name in queues if name in due]


def dispatch_on_commit(queue: str) -> None:
    transaction.on_commit(lambda: dispatch_safely(queue))


def take_back(*, job_id: str, attempt: int) -> bool:
    """Return a handed-out attempt that Redis lost to the waiting list (the reconciler)."""
    return bool(
        Job.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.QUEUED, dispatched_at__isnull=False)
        .update(dispatched_at=None)
    )


def next_due_at(queues: Iterable[str]) -> datetime | None:
    """When the earliest backoff among waiting jobs on ``queues`` ends (None: none waits)."""
    return (
        Job.objects.filter(status=JobStatus.QUEUED, queue__in=list(queues), dispatched_at__isnull=True,
                           run_after__gt=timezone.now())
        .aggregate(at=Min("run_after"))["at"]
    )


# --- pausing a queue -----------------------------------------------------------------------


def queue_pause(*, queue: str) -> int:
    """Stop handing out jobs on ``queue``; attempts handed out but not started are taken
    back. Returns how many were taken back. Running jobs carry on."""
    with transaction.atomic():
        QueueControl.objects.update_or_create(name=queue, defaults={"paused": True})
        taken = list(_handed_out(queue).values_list("id", "attempt"))
        back = [(job_id, attempt) for job_id, attempt in taken if take_back(job_id=job_id, attempt=attempt)]
        for job_id, attempt in back:
            transaction.on_commit(lambda j=job_id, a=attempt: queueing.forget_attempt(job_id=j, attempt=a))
    logger.info("queue paused", extra={"queue": queue, "taken_back": len(back)})
    return len(back)


def queue_resume(*, queue: str) -> None:
    with transaction.atomic():
        QueueControl.objects.update_or_create(name=queue, defaults={"paused": False})
        dispatch_on_commit(queue)
    logger.info("queue resumed", extra={"queue": queue})


def paused_queues() -> set[str]:
    return set(QueueControl.objects.filter(paused=True).values_list("name", flat=True))


# --- where each job stands ---------------------------------------------------------------


def queue_order(queues: Iterable[str]) -> dict[str, list[Waiting]]:
    """Every queued job of ``queues`` in the order it will start, per queue: the attempts
    already handed out first (in the order they were), then the fair order of the rest
    (backoffs and running limits aside: they only ever delay a job briefly)."""
    queues = sorted(set(queues))
    if not queues:
        return {}
    rows = (
        Job.objects.filter(status=JobStatus.QUEUED, queue__in=queues)
        .order_by("dispatched_at", "id").values_list("queue", "dispatched_at", *_FIELDS)
    )
    handed: dict[str, list[Waiting]] = defaultdict(list)
    waiting: dict[str, list[Waiting]] = defaultdict(list)
    for queue, dispatched_at, *fields in rows:
        (handed if dispatched_at else waiting)[queue].extend(_waiting([fields]))
    served: dict[str, dict[str, datetime]] = defaultdict(dict)
    users = {job.user_id for jobs in waiting.values() for job in jobs}
    if users:
        for queue, user_id, at in QueueTurn.objects.filter(queue__in=queues, user_id__in=users).values_list(
            "queue", "user_id", "served_at"
        ):
            served[queue][user_id] = at
    return {
        queue: handed[queue] + list(fair_order(waiting[queue], served[queue]))
        for queue in queues if handed[queue] or waiting[queue]
    }


# --- staff: priorities ---------------------------------------------------------------------

PRIORITY_LIMIT = 1000


def job_set_priority(*, job: Job, priority: int) -> Job:
    """Staff only (the admin): set a job's priority; higher starts first."""
    from videogen.errors import InvalidInput

    if not -PRIORITY_LIMIT <= priority <= PRIORITY_LIMIT:
        raise InvalidInput.for_field("priority", f"Must be between {-PRIORITY_LIMIT} and {PRIORITY_LIMIT}.")
    Job.objects.filter(pk=job.pk).update(priority=priority, updated_at=timezone.now())
    job.priority = priority
    logger.info("job priority set", extra={"job_id": job.id, "priority": priority})
    return job


def job_move_to_front(*, job: Job) -> Job:
    """Staff only: one priority level above every other queued job on its queue, so it is
    the next to be handed out there."""
    from videogen.errors import InvalidInput

    if job.status != JobStatus.QUEUED:
        raise InvalidInput(f"Job is {job.status}; only a queued job can be moved to the front.")
    top = (
        Job.objects.filter(status=JobStatus.QUEUED, queue=job.queue).exclude(pk=job.pk)
        .aggregate(top=Max("priority"))["top"]
    )
    return job_set_priority(job=job, priority=min(PRIORITY_LIMIT, max(job.priority, (top or 0) + 1)))

"""Where each queued job stands: its place in the fair order, from per-user counts.

``jobs.dispatch.queue_order`` lists every queued job of a queue in the order it will
start; a job's position is its index there. That reads and orders every waiting row,
which the API would pay on every create and every list with a queued job. The fair
order is regular enough to count instead:

- attempts handed out come first, in the order they were handed out;
- then each priority level, highest first; within a level the users take turns
  (round robin) in a fixed order: the turn order of ``fair_order`` (never served, then
  least recently served, ties by their oldest job), each user's jobs oldest first.

So the k-th job of user u at a level starts after: everything above the level, u's own
k - 1 earlier jobs, min(n_v, k) jobs of every user v ahead of u in the turn order, and
min(n_v, k - 1) jobs of every user behind u (n_v: v's waiting jobs at the level).
A user served at a higher level takes their turn at a lower level after everyone who was
not, in the order of their last serve up there. The database sends one row per
(priority, user) and one per asked job (two queries), not every waiting job.
``jobs.tests.test_positions`` checks this against ``queue_order`` on random queues.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Iterable

from django.db import connection

from jobs.dispatch_sql import moment
from jobs.models import Job, JobStatus, QueueTurn

_JOB = Job._meta.db_table
_TURN = QueueTurn._meta.db_table
_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


@dataclass
class _Group:
    """One user's waiting jobs at one priority level of a queue."""

    user_id: str
    count: int
    first: tuple  # (queued_at, id) of the oldest: the tie-break between equal turns


def positions_for(jobs: Iterable[Job]) -> None:
    """Set ``queue_position`` on each job (1 = next to start on its queue; None unless queued)."""
    jobs = list(jobs)
    for job in jobs:
        job.queue_position = None
    by_queue: dict[str, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.status == JobStatus.QUEUED:
            by_queue[job.queue].append(job)
    for queue, asked in by_queue.items():
        _place(queue, asked)


def _place(queue: str, asked: list[Job]) -> None:
    ranks, handed = _ranks(queue, asked)
    levels, served = _levels(queue)
    turn: dict[str, tuple] = {user_id: (1, at.timestamp()) for user_id, at in served.items()}
    ahead = handed  # jobs that start before the level being walked
    serves = 0  # serves of the walk so far, for the turn order of users seen again below
    places: dict[str, int] = {job_id: k for job_id, (level, _, k) in ranks.items() if level is None}
    for priority in sorted(levels, reverse=True):
        groups = sorted(levels[priority].values(), key=lambda g: (turn.get(g.user_id, (0,)), *g.first))
        index_of = {group.user_id: index for index, group in enumerate(groups)}
        counts = [group.count for group in groups]
        for job_id, (level, user_id, k) in ranks.items():
            # (A user missing here had their job handed out between the two reads: no place.)
            if level == priority and user_id in index_of:
                places[job_id] = ahead + _before(counts, index_of[user_id], k) + 1
        for index, group in enumerate(groups):
            turn[group.user_id] = (2, serves + _before(counts, index, group.count) + 1)
        total = sum(counts)
        ahead += total
        serves += total
    for job in asked:
        job.queue_position = places.get(job.id)


def _before(counts: list[int], index: int, k: int) -> int:
    """Serves at a level before the k-th job of the user at ``index`` in the turn order."""
    return (k - 1) + sum(min(n, k) for n in counts[:index]) + sum(min(n, k - 1) for n in counts[index + 1:])


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _ranks(queue: str, asked: list[Job]) -> tuple[dict[str, tuple[int | None, str, int]], int]:
    """For each asked job, (its priority level, its user, k): it is the k-th waiting job of
    its user at that level; or (None, user, k) when it is the k-th attempt handed out.
    And how many attempts are handed out. One query."""
    users = sorted({job.user_id for job in asked})
    ids = sorted(job.id for job in asked)
    sql = (
        f"SELECT r.id, r.handed, r.priority, r.user_id, r.k,"
        f" (SELECT COUNT(*) FROM {_JOB} h WHERE h.status = %s AND h.queue = %s AND h.dispatched_at IS NOT NULL)"
        f" FROM (SELECT id, dispatched_at IS NOT NULL AS handed, priority, user_id, ROW_NUMBER() OVER ("
        f"PARTITION BY dispatched_at IS NULL, CASE WHEN dispatched_at IS NULL THEN priority END,"
        f" CASE WHEN dispatched_at IS NULL THEN user_id END"
        f" ORDER BY dispatched_at, CASE WHEN dispatched_at IS NULL THEN {_queued_at()} END, id) AS k"
        f" FROM {_JOB} WHERE status = %s AND queue = %s AND (dispatched_at IS NOT NULL OR user_id IN ({_marks(users)}))) r"
        f" WHERE r.id IN ({_marks(ids)})"
    )
    queued = JobStatus.QUEUED.value
    ranks: dict[str, tuple[int | None, str, int]] = {}
    handed_total = 0
    with connection.cursor() as cursor:
        cursor.execute(sql, [queued, queue, queued, queue, *users, *ids])
        for job_id, handed, priority, user_id, k, handed_total in cursor.fetchall():
            ranks[job_id] = (None if handed else priority, user_id, int(k))
    return ranks, int(handed_total)


_WAITING = "status = %s AND queue = %s AND dispatched_at IS NULL"
# A job without queued_at sorts first, as fair_order takes it for the epoch (a text
# literal: PostgreSQL reads it as the column's type, SQLite compares the stored text).
def _queued_at(alias: str = "") -> str:
    return f"COALESCE({alias}queued_at, '1970-01-01 00:00:00')"


def _levels(queue: str) -> tuple[dict[int, dict[str, _Group]], dict[str, datetime]]:
    """Per priority level, per user: how many jobs wait and which is the oldest; and when
    each of those users was last served on the queue."""
    sql = (
        f"SELECT g.priority, g.user_id, g.n, g.first_at,"
        f" (SELECT MIN(j.id) FROM {_JOB} j WHERE j.status = %s AND j.queue = %s AND j.dispatched_at IS NULL"
        f" AND j.priority = g.priority AND j.user_id = g.user_id AND {_queued_at('j.')} = g.first_at),"
        f" (SELECT t.served_at FROM {_TURN} t WHERE t.user_id = g.user_id AND t.queue = %s)"
        f" FROM (SELECT priority, user_id, COUNT(*) AS n, MIN({_queued_at()}) AS first_at FROM {_JOB}"
        f" WHERE {_WAITING} GROUP BY priority, user_id) g"
    )
    queued = JobStatus.QUEUED.value
    levels: dict[int, dict[str, _Group]] = defaultdict(dict)
    served: dict[str, datetime] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [queued, queue, queue, queued, queue])
        for priority, user_id, count, first_at, first_id, served_at in cursor.fetchall():
            levels[priority][user_id] = _Group(user_id=user_id, count=int(count),
                                               first=(moment(first_at) or _EPOCH, first_id or ""))
            if served_at is not None:
                served[user_id] = moment(served_at)
    return levels, served

"""The dispatcher's statements, in plain SQL: its reads and its two writes (the hand-out
mark and the turns), which only jobs.dispatch makes, inside its locked transaction.

They run for every job handed out (in the request that queues it, or in a worker about
to wait), where building the same statements through the ORM cost more CPU than the
database took to answer them. Standard SQL that PostgreSQL and SQLite both run; table
and column names come from the models.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

from django.db import connection
from django.utils.dateparse import parse_datetime

from accounts.models import User
from jobs.models import Job, JobStatus, QueueControl, QueueTurn

_JOB = Job._meta.db_table
_CONTROL = QueueControl._meta.db_table
_TURN = QueueTurn._meta.db_table
_USER = User._meta.db_table


def moment(value) -> datetime | None:
    """A datetime column as read by a raw cursor: aware, in UTC (SQLite gives naive UTC
    datetimes, or text for a value computed by a subquery)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt_timezone.utc)


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def locked_control(queue: str) -> tuple[bool, int] | None:
    """(paused, attempts handed out and not started) for ``queue``, its control row locked
    until the transaction ends; None when the queue has no control row yet.

    Two statements: the count must be read after the lock is held (on PostgreSQL each
    statement sees what was committed when it started), so that a dispatcher that waited
    for the lock counts what the one before it handed out."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT paused FROM {_CONTROL} WHERE name = %s{_for_update()}", [queue])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(
            f"SELECT COUNT(*) FROM {_JOB} WHERE status = %s AND queue = %s AND dispatched_at IS NOT NULL",
            [JobStatus.QUEUED.value, queue],
        )
        return bool(row[0]), int(cursor.fetchone()[0])


# A job waiting on a queue whose backoff, if any, has ended (parameters: status, queue, now).
_DUE = "status = %s AND queue = %s AND dispatched_at IS NULL AND (run_after IS NULL OR run_after <= %s)"


def due_rows(queue: str, now: datetime) -> list[tuple]:
    """(id, user_id, priority, queued_at, attempt, queued_by_request) of every job waiting
    on ``queue`` whose backoff, if any, has ended by ``now``."""
    sql = (
        f"SELECT id, user_id, priority, queued_at, attempt, queued_by_request FROM {_JOB} WHERE {_DUE}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [JobStatus.QUEUED.value, queue, connection.ops.adapt_datetimefield_value(now)])
        return [(i, u, p, moment(q), a, r) for i, u, p, q, a, r in cursor.fetchall()]


def queues_with_due(queues: list[str], now: datetime) -> set[str]:
    """Which of ``queues`` have a job waiting whose backoff, if any, has ended by ``now``:
    one statement outside any transaction, so that a worker about to wait skips the
    locked dispatch of a queue with nothing to hand out."""
    if not queues:
        return set()
    exists = f"EXISTS (SELECT 1 FROM {_JOB} WHERE {_DUE})"
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([exists] * len(queues)),
                       [value for queue in queues for value in (JobStatus.QUEUED.value, queue, at)])
        return {queue for queue, due in zip(queues, cursor.fetchone()) if due}


def users_standing(queue: str, user_ids: set[str]) -> tuple[dict[str, int], dict[str, datetime]]:
    """For each user: attempts running or handed out (on any queue), and when the user was
    last served on ``queue`` (absent: never)."""
    if not user_ids:
        return {}, {}
    ids = sorted(user_ids)
    sql = (
        f"SELECT u.id,"
        f" (SELECT COUNT(*) FROM {_JOB} j WHERE j.user_id = u.id AND (j.status = %s"
        f" OR (j.status = %s AND j.dispatched_at IS NOT NULL))),"
        f" (SELECT t.served_at FROM {_TURN} t WHERE t.user_id = u.id AND t.queue = %s)"
        f" FROM {_USER} u WHERE u.id IN ({', '.join(['%s'] * len(ids))})"
    )
    running: dict[str, int] = {}
    served: dict[str, datetime] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [JobStatus.PROCESSING.value, JobStatus.QUEUED.value, queue, *ids])
        for user_id, count, at in cursor.fetchall():
            running[user_id] = int(count)
            if at is not None:
                served[user_id] = moment(at)
    return running, served


def mark_handed_out(*, job_id: str, attempt: int, at: datetime) -> bool:
    """Mark this attempt handed out at ``at``, if it is still waiting."""
    sql = (
        f"UPDATE {_JOB} SET dispatched_at = %s"
        f" WHERE id = %s AND attempt = %s AND status = %s AND dispatched_at IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(at), job_id, attempt, JobStatus.QUEUED.value])
        return cursor.rowcount == 1


def record_turns(queue: str, served: dict[str, datetime]) -> None:
    """Each user in ``served`` was last served on ``queue`` at that time."""
    sql = (
        f"INSERT INTO {_TURN} (user_id, queue, served_at) VALUES (%s, %s, %s)"
        f" ON CONFLICT (user_id, queue) DO UPDATE SET served_at = excluded.served_at"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[user_id, queue, adapt(at)] for user_id, at in served.items()])

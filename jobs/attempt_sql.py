"""A work-horse's own statements, in plain SQL: loading its job, and the fenced write
of its start and of its completion on condition that nobody listens for the job's
events (the hot path of jobs.services.attempts).

Every horse is a fresh process that runs each of them once, so the ORM built them anew
every time: on the two-core CI box that cost more than the database took to answer
(about 1 ms a statement, against 0.3 ms for the plain one). What only depends on the
models and on the listeners (the column list, the converters, the listeners' condition
compiled to SQL) is built once, in the worker before it forks (``prepare``), and
inherited by every horse. Standard SQL that PostgreSQL and SQLite both run.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection

from jobs import events
from jobs.models import Job, JobStatus

_JOB = Job._meta.db_table
_NEVER = ("never", ())  # a condition no row meets


def prepare() -> None:
    """Build what the statements need, so that forked horses inherit it."""
    _columns()
    quiet_condition()


@lru_cache(maxsize=None)
def _columns() -> tuple[str, tuple[str, ...], tuple]:
    """(the SELECT list, the attribute names, (index, column, converters) for each
    column whose value the driver returns needs converting)."""
    fields = Job._meta.concrete_fields
    quote = connection.ops.quote_name
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(_JOB)
        found = tuple(connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        if found:
            converters.append((index, column, found))
    select = ", ".join(quote(field.column) for field in fields)
    return select, tuple(field.attname for field in fields), tuple(converters)


def _column(name: str) -> str:
    return connection.ops.quote_name(Job._meta.get_field(name).column)


def load_job(job_id: str) -> Job | None:
    """The job's row as a model instance (what ``Job.objects.filter(pk=...)`` gives)."""
    select, names, converters = _columns()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {connection.ops.quote_name(_JOB)} WHERE {_column('id')} = %s",
                       [job_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, functions in converters:
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    return Job.from_db(connection.alias, names, values)


@lru_cache(maxsize=None)
def _quiet_sql(conditions: tuple) -> tuple[str, tuple]:
    query = Job.objects.filter(events.nobody_listening()).query
    try:
        sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    except FullResultSet:  # no listener: every row
        return "", ()
    except EmptyResultSet:  # no row: every write goes the way that records its event
        return _NEVER
    return sql, tuple(params)


def quiet_condition() -> tuple[str, tuple] | None:
    """``events.nobody_listening()`` as SQL on the job's row ("": every row), or None
    when every write must record its event. Compiled once per set of listeners (their
    conditions are fixed: see ``events.listen``)."""
    conditions = events.quiet_conditions()
    if conditions is None:
        return None
    compiled = _quiet_sql(conditions)
    return None if compiled is _NEVER else compiled


def fenced_update(*, job_id: str, attempt: int, status: str, changes: dict, condition: tuple[str, tuple]) -> int:
    """UPDATE the job with ``changes`` if it is still attempt ``attempt`` in ``status``
    and ``condition`` (SQL, params) holds; how many rows changed (0 or 1)."""
    assignments, params = [], []
    for name, value in changes.items():
        assignments.append(f"{_column(name)} = %s")
        params.append(Job._meta.get_field(name).get_db_prep_save(value, connection))
    where, where_params = condition
    sql = (
        f"UPDATE {connection.ops.quote_name(_JOB)} SET {', '.join(assignments)}"
        f" WHERE {_column('id')} = %s AND {_column('attempt')} = %s AND {_column('status')} = %s"
        + (f" AND ({where})" if where else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, job_id, attempt, getattr(status, "value", status), *where_params])
        return cursor.rowcount


def touch() -> None:
    """Run the statements on an id no job has (nothing changes), so that a new database
    session has loaded what they need (the tables' catalog) before its job runs them."""
    load_job("")
    condition = quiet_condition()
    if condition is not None:
        fenced_update(job_id="", attempt=0, status=JobStatus.QUEUED, changes={"progress": 0}, condition=condition)

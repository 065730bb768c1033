"""Job events: what other apps may react to, recorded inside the state change's transaction.

The state-change services call ``event_record`` right after their write, inside the
same transaction; each registered listener (the webhooks app registers one) writes
what it needs (its outbox rows) in that transaction too, so an event is committed
exactly when the change that caused it is. Listeners must not do I/O beyond the
database; side effects go into ``transaction.on_commit``.

jobs knows nothing about its listeners: they register themselves at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

STARTED = "job.started"
PROGRESS = "job.progress"
COMPLETED = "job.completed"
FAILED = "job.failed"
CANCELLED = "job.cancelled"
TYPES = (STARTED, PROGRESS, COMPLETED, FAILED, CANCELLED)

# A running job announces progress at most this often.
PROGRESS_INTERVAL_SECONDS = 2.0

_listeners: list[Callable[["JobEvent"], None]] = []
_quiet: list[Callable[[], Q] | None] = []


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    type: str
    occurred_at: datetime = field(default_factory=timezone.now)


def listen(listener: Callable[[JobEvent], None], *, quiet: Callable[[], Q] | None = None) -> None:
    """Register ``listener`` (once) to be called with every recorded event.

    ``quiet()``: a condition on the job's row under which the listener wants none of its
    events (it may look at other tables through subqueries); without it the listener
    wants every event. It must always return the same condition (nothing from the clock
    or the request): the worker compiles it to SQL once (jobs.attempt_sql).
    """
    if listener not in _listeners:
        _listeners.append(listener)
        _quiet.append(quiet)


def nobody_listening() -> Q | None:
    """A condition on a job's row under which no listener wants its events, or None when
    some listener wants every event.

    The worker's hot writes (start, completion) add it to their fenced UPDATE: when it
    matches, the change is one autocommitted statement and no event is recorded; when it
    does not, the change is made again in a transaction that records the event. The
    database checks it in the same statement as the write, so a listener that starts
    listening while the write runs misses that one event, exactly as if it had started an
    instant later.
    """
    condition = Q()
    for quiet in _quiet:
        if quiet is None:
            return None
        condition &= quiet()
    return condition


def quiet_conditions() -> tuple | None:
    """What ``nobody_listening`` is built from (None when some listener wants every
    event): it changes only when a listener is added."""
    return None if None in _quiet else tuple(_quiet)


def event_record(*, job_id: str, type: str) -> None:
    """Record that ``type`` happened to the job; call inside the change's transaction."""
    if not _listeners:
        return
    event = JobEvent(job_id=job_id, type=type)
    for listener in _listeners:
        listener(event)


class _PublicSite:
    """Stands in for a request when a job's URLs are built outside one: absolute on
    VIDEOGEN_PUBLIC_URL when it is set, site-relative paths otherwise."""

    def build_absolute_uri(self, path: str) -> str:
        from django.conf import settings

        base = settings.VIDEOGEN_PUBLIC_URL.rstrip("/")
        return f"{base}{path}" if base else path


def job_public_json(job) -> dict:
    """The API's JSON for ``job`` outside a request (same function GET uses)."""
    from jobs.selectors import job_for_display
    from jobs.presentation import JobUrls, job_json

    return job_json(job_for_display(job), urls=JobUrls(_PublicSite()))

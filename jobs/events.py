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
_interest: list[Callable[[object], bool]] = []


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    type: str
    occurred_at: datetime = field(default_factory=timezone.now)


def listen(listener: Callable[[JobEvent], None], *, interested: Callable[[object], bool] | None = None) -> None:
    """Register ``listener`` (once) to be called with every recorded event.

    ``interested(job)``: whether the listener may want events of this job (a cheap
    check, at most one query); without it the listener always counts as interested.
    """
    if listener not in _listeners:
        _listeners.append(listener)
        _interest.append(interested or (lambda job: True))


def anyone_listening(job) -> bool:
    """Whether any listener may want an event of ``job`` (its ``user_id`` and webhook
    fields loaded). The worker's hot writes ask first and, when nobody listens, make
    their change as one statement instead of a transaction that records an event.

    A listener that starts listening between this answer and the write misses that one
    event, exactly as if it had started an instant later.
    """
    return any(interested(job) for interested in _interest)


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

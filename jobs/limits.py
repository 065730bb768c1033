"""Per-user limits on queueing jobs, checked under the user's row lock.

- the active-job cap (``VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER``): queued plus processing,
  for a create and for a retry alike;
- the creation rate (``VIDEOGEN_JOB_CREATE_RATE``, e.g. 60/min): jobs created within the
  last period, a sliding window counted from the jobs themselves.

(The running limit, ``VIDEOGEN_MAX_RUNNING_PER_USER``, is the dispatcher's: jobs.dispatch.)
Callers hold ``lock_user`` inside their transaction, so the counts are exact under
concurrency; both raise TooManyRequests (429 with Retry-After; a form error on pages).
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from jobs.models import ACTIVE_STATUSES, Job
from videogen.errors import TooManyRequests

ACTIVE_CAP_RETRY_AFTER = 30


def lock_user(user_id: str) -> None:
    """One job writer per user at a time, until the transaction ends."""
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()


def check_active_cap(user_id: str) -> None:
    active = Job.objects.filter(user_id=user_id, status__in=ACTIVE_STATUSES).count()
    cap = settings.VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER
    if active >= cap:
        raise TooManyRequests(
            f"You already have {active} active jobs (the limit is {cap}). Wait for some to finish or cancel them.",
            retry_after=ACTIVE_CAP_RETRY_AFTER,
        )


def check_create_rate(user_id: str) -> None:
    count, period = settings.VIDEOGEN_JOB_CREATE_RATE
    now = timezone.now()
    # The count-th newest job inside the window, if there is one, is the one to wait out.
    nth = (
        Job.objects.filter(user_id=user_id, created_at__gt=now - timedelta(seconds=period))
        .order_by("-created_at").values_list("created_at", flat=True)[count - 1 : count]
    )
    oldest = next(iter(nth), None)
    if oldest is None:
        return
    wait = max(1, math.ceil((oldest + timedelta(seconds=period) - now).total_seconds()))
    raise TooManyRequests(
        f"You can create at most {count} jobs per {_period_name(period)}. Try again in {wait} s.",
        retry_after=wait,
    )


def _period_name(seconds: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds} s")

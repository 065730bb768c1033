"""One delivery attempt: claim it, send it, log it, decide what comes next.

At least once, never lost: an attempt first moves the delivery's ``next_attempt_at``
to the end of a lease (a conditional write on the attempts made, so two workers
never send the same attempt), and only then makes the request. A worker killed
mid-request leaves the delivery pending with an expired lease, which the reconciler
enqueues again.

Schedule (Standard Webhooks): immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
10 h after each failure, each with jitter; a longer Retry-After wins. 410 Gone disables
the endpoint; an endpoint whose deliveries have all failed for 3 days is disabled.
"""

from __future__ import annotations

import email.utils
import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jobs.webhooks import queueing, signing
from jobs.webhooks.models import (
    DeliveryAttempt, DeliveryState, UserSigningSecret, WebhookDelivery, WebhookEndpoint,
)
from videogen import outbound

logger = logging.getLogger("videogen.webhooks")

# Seconds to wait before attempt n + 1 (n attempts made); the first entry is attempt 1.
SCHEDULE = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
JITTER = 0.1
MAX_RETRY_AFTER = 24 * 3600
DISABLE_AFTER = timedelta(days=3)
KEEP_RESPONSE_BYTES = 1024


def lease() -> timedelta:
    """How long a claimed attempt may run before it counts as lost."""
    return timedelta(seconds=settings.VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS + 5)


def retry_delay(*, attempts_made: int, retry_after: float | None = None) -> float | None:
    """Seconds until the next attempt, or None when the schedule is exhausted."""
    if attempts_made >= len(SCHEDULE):
        return None
    delay = SCHEDULE[attempts_made] * random.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date); None when absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def delivery_attempt(*, delivery_id: str, now: datetime | None = None) -> str:
    """Make the due attempt of one delivery; returns what happened (for logs and tests)."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("message", "endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    made = delivery.attempts
    if delivery.state != DeliveryState.PENDING or delivery.next_attempt_at is None or delivery.next_attempt_at > now:
        return "not due"
    # The claim: only one worker moves (attempts made, due) to (made + 1, leased).
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, attempts=made, next_attempt_at__lte=now
    ).update(attempts=made + 1, next_attempt_at=now + lease(), updated_at=now)
    if not claimed:
        return "not due"
    delivery.attempts = made + 1
    endpoint = delivery.endpoint
    if endpoint is not None and not endpoint.enabled:
        _finish(delivery, state=DeliveryState.FAILED, now=now, error="The endpoint is disabled.")
        return "endpoint disabled"
    signer = endpoint if endpoint is not None else user_secret(user_id=delivery.message.user_id)
    message = delivery.message
    answer = outbound.post(
        # An endpoint's deliveries follow its URL as the owner edits it.
        endpoint.url if endpoint is not None else delivery.url, body=message.body.encode(),
        headers=signing.headers(secrets_=signing.secrets_in_force(signer, now=now), msg_id=message.id,
                                body=message.body, now=now),
        timeout=settings.VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS, allow_private=settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE,
        keep_bytes=KEEP_RESPONSE_BYTES,
    )
    return _record(delivery, answer, number=made + 1, attempted_at=now,
                   now=now + timedelta(milliseconds=answer.duration_ms))


def _record(delivery: WebhookDelivery, answer: outbound.Answer, *, number: int, attempted_at: datetime,
            now: datetime) -> str:
    """Log the attempt and decide what follows; ``now`` is when the answer came."""
    ok = answer.status is not None and 200 <= answer.status < 300
    error = answer.error or ("" if ok else f"HTTP {answer.status}")
    endpoint = delivery.endpoint
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, endpoint=endpoint, number=number, attempted_at=attempted_at, status_code=answer.status,
            duration_ms=answer.duration_ms, response_body=answer.body[:KEEP_RESPONSE_BYTES], error=error[:500],
            succeeded=ok,
        )
        delivery.last_status_code = answer.status
        if ok:
            _finish(delivery, state=DeliveryState.SUCCEEDED, now=now, error="")
            if endpoint is not None and endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return "succeeded"
        if answer.status == 410:
            _finish(delivery, state=DeliveryState.FAILED, now=now, error="410 Gone: the receiver asked to stop.")
            if endpoint is not None:
                endpoint_disable(endpoint=endpoint, reason=f"Disabled on {_when(now)}: the receiver answered 410 Gone.")
            return "gone"
        if endpoint is not None:
            failing_since = endpoint.failing_since or now
            if endpoint.failing_since is None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
            if now - failing_since >= DISABLE_AFTER:
                _finish(delivery, state=DeliveryState.FAILED, now=now, error=error)
                endpoint_disable(
                    endpoint=endpoint,
                    reason=f"Disabled on {_when(now)}: every delivery failed since {_when(failing_since)} "
                           f"(last: {error}).",
                )
                return "failed; endpoint disabled"
        delay = retry_delay(
            attempts_made=number, retry_after=parse_retry_after(answer.headers.get("Retry-After"), now=now)
        )
        if delay is None:
            _finish(delivery, state=DeliveryState.FAILED, now=now, error=error)
            return "failed"
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.last_error = error[:500]
        delivery.save(update_fields=["next_attempt_at", "last_status_code", "last_error", "updated_at"])
        delivery_id, attempts = delivery.id, number
        transaction.on_commit(lambda: queueing.try_enqueue(delivery_id=delivery_id, attempts=attempts, delay_seconds=delay))
    logger.info("webhook attempt failed; will retry", extra={"delivery_id": delivery.id, "error": error,
                                                            "delay_seconds": round(delay, 1)})
    return "retrying"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _finish(delivery: WebhookDelivery, *, state: str, now: datetime, error: str) -> None:
    delivery.state = state
    delivery.next_attempt_at = None
    delivery.finished_at = now
    delivery.last_error = error[:500]
    delivery.save(update_fields=["state", "next_attempt_at", "finished_at", "last_status_code", "last_error", "updated_at"])


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Turn an endpoint off for a reason its owner sees; its pending deliveries stop."""
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason=reason[:500], updated_at=now)
    WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
        state=DeliveryState.FAILED, next_attempt_at=None, finished_at=now, last_error="The endpoint was disabled.",
        updated_at=now,
    )
    logger.warning("webhook endpoint disabled", extra={"endpoint_id": endpoint.pk, "reason": reason})


def user_secret(*, user_id: str) -> UserSigningSecret:
    """The user's default signing secret, created on first use."""
    found = UserSigningSecret.objects.filter(user_id=user_id).first()
    if found is None:
        found, _ = UserSigningSecret.objects.get_or_create(user_id=user_id, defaults={"secret": signing.new_secret()})
    return found

"""From a job event to outbox rows: one message, one delivery per receiver that wants it.

Runs inside the job change's transaction (see jobs.events), so the message is
committed with the change or not at all; the deliveries are enqueued after commit.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone as dt_timezone

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from jobs.events import JobEvent, job_public_json
from jobs.models import Job
from jobs.webhooks import queueing
from jobs.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage


def iso(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).isoformat().replace("+00:00", "Z")


def payload(*, type: str, occurred_at: datetime, data: dict) -> str:
    """The body every attempt sends: {"type", "timestamp", "data"}."""
    return json.dumps({"type": type, "timestamp": iso(occurred_at), "data": data}, separators=(",", ":"))


def quiet() -> Q:
    """Jobs whose events go nowhere: no webhook of their own, and an owner without an
    enabled endpoint (a condition on the job's row, for jobs.events.nobody_listening)."""
    return Q(webhook_url="") & ~Exists(WebhookEndpoint.objects.filter(user_id=OuterRef("user_id"), enabled=True))


def on_job_event(event: JobEvent) -> None:
    # One light query when nobody listens (the common case): the job's owner and own
    # webhook, and whether the owner has any enabled endpoint.
    found = (
        Job.objects.filter(pk=event.job_id)
        .annotate(has_endpoints=Exists(WebhookEndpoint.objects.filter(user_id=OuterRef("user_id"), enabled=True)))
        .values_list("user_id", "webhook_url", "webhook_events", "has_endpoints")
        .first()
    )
    if found is None:
        return
    user_id, webhook_url, webhook_events, has_endpoints = found
    endpoints = []
    if has_endpoints:
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(user_id=user_id, enabled=True).only("id", "url", "events")
            if event.type in endpoint.events
        ]
    urls: list[tuple[WebhookEndpoint | None, str]] = [(endpoint, endpoint.url) for endpoint in endpoints]
    if webhook_url and event.type in (webhook_events or []):
        urls.append((None, webhook_url))
    if not urls:
        return
    job = Job.objects.get(pk=event.job_id)
    message = WebhookMessage.objects.create(
        user_id=user_id, job_id=job.id, type=event.type,
        body=payload(type=event.type, occurred_at=event.occurred_at, data=job_public_json(job)),
    )
    deliveries_create(message=message, targets=urls)


def deliveries_create(*, message: WebhookMessage, targets: list[tuple[WebhookEndpoint | None, str]]) -> list[WebhookDelivery]:
    """Delivery rows due now, enqueued once the transaction commits."""
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(message=message, endpoint=endpoint, url=url, next_attempt_at=now) for endpoint, url in targets]
    )
    ids = [delivery.id for delivery in deliveries]
    transaction.on_commit(lambda: [queueing.try_enqueue(delivery_id=i, attempts=0) for i in ids])
    return deliveries

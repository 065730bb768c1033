"""Shortcuts for webhook tests: endpoints through the service, deliveries made due."""

from __future__ import annotations

from django.utils import timezone

from jobs.webhooks import services
from jobs.webhooks.delivery import delivery_attempt
from jobs.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_for(user, url: str, *, events: list[str] | None = None) -> WebhookEndpoint:
    return services.endpoint_create(user=user, fields=services.EndpointFields(url=url, events=events))


def attempt_now(delivery: WebhookDelivery | str) -> str:
    """Make the delivery due now (as if its wait had passed) and run its attempt."""
    delivery_id = getattr(delivery, "id", delivery)
    WebhookDelivery.objects.filter(pk=delivery_id, state="pending").update(next_attempt_at=timezone.now())
    return delivery_attempt(delivery_id=delivery_id)


def seconds_until_next(delivery_id: str, *, after) -> float:
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    return (delivery.next_attempt_at - after).total_seconds()

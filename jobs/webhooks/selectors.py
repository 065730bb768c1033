"""Reads: the owner's endpoints, their attempt log, and the access helpers."""

from __future__ import annotations

from accounts.models import User
from jobs.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from videogen.errors import Forbidden, NotFound
from videogen.ids import valid_id


def get_endpoint_for_user(*, user: User, endpoint_id: str) -> WebhookEndpoint:
    """The one way views load an endpoint: 404 when missing, 403 when another user's."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first() if valid_id(endpoint_id) else None
    if endpoint is None:
        raise NotFound("Webhook endpoint not found.")
    if endpoint.user_id != user.pk:
        raise Forbidden("You do not have access to this webhook endpoint.")
    return endpoint


def get_message_for_endpoint(*, endpoint: WebhookEndpoint, message_id: str) -> WebhookMessage:
    """An event this endpoint's owner received (any of their events can be redelivered)."""
    message = (
        WebhookMessage.objects.filter(pk=message_id, user_id=endpoint.user_id).first() if valid_id(message_id) else None
    )
    if message is None:
        raise NotFound("Event not found.")
    return message


def endpoint_list(*, user: User, skip: int = 0, take: int = 50) -> tuple[list[WebhookEndpoint], int]:
    endpoints = WebhookEndpoint.objects.filter(user=user)
    return list(endpoints[skip : skip + take]), endpoints.count()


def attempt_list(*, endpoint: WebhookEndpoint, skip: int = 0, take: int = 50) -> tuple[list[DeliveryAttempt], int]:
    """The endpoint's attempts, newest first, with their delivery and event."""
    attempts = DeliveryAttempt.objects.filter(endpoint=endpoint)
    rows = list(attempts.select_related("delivery__message")[skip : skip + take])
    return rows, attempts.count()


def job_webhook_attempts(*, user: User, job_id: str | None = None, skip: int = 0,
                         take: int = 50) -> tuple[list[DeliveryAttempt], int]:
    """Attempts to jobs' own ``webhookUrl`` (no endpoint), of ``user``'s jobs or of one of
    them, newest first, with their delivery and event."""
    attempts = DeliveryAttempt.objects.filter(endpoint__isnull=True, delivery__message__user_id=user.pk)
    if job_id is not None:
        attempts = attempts.filter(delivery__message__job_id=job_id)
    rows = list(attempts.select_related("delivery__message")[skip : skip + take])
    return rows, attempts.count()


def pending_deliveries(*, endpoint: WebhookEndpoint) -> int:
    return WebhookDelivery.objects.filter(endpoint=endpoint, state="pending").count()

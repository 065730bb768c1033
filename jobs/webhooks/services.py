"""Every webhook write an owner makes: endpoints, secrets, redelivery, test events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from jobs import events
from jobs.webhooks import fanout, signing
from jobs.webhooks.delivery import user_secret
from jobs.webhooks.models import (
    DeliveryAttempt, UserSigningSecret, WebhookDelivery, WebhookEndpoint, WebhookMessage,
)
from videogen import outbound
from videogen.errors import InvalidInput

TEST_EVENT = "webhook.test"
DESCRIPTION_MAX_LENGTH = 500
MAX_ENDPOINTS_PER_USER = 20
ATTEMPTS_KEPT_DAYS = 30


@dataclass(frozen=True)
class EndpointFields:
    """What an owner sets on an endpoint; None leaves a field as it is (updates)."""

    url: str | None = None
    description: str | None = None
    events: list[str] | None = None
    enabled: bool | None = None


def _checked(fields: EndpointFields) -> dict:
    values: dict = {}
    if fields.url is not None:
        try:
            outbound.check_url(fields.url, allow_private=settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE)
        except outbound.UnsafeDestination as exc:
            raise InvalidInput.for_field("url", str(exc)) from None
        values["url"] = fields.url
    if fields.description is not None:
        if len(fields.description) > DESCRIPTION_MAX_LENGTH or "\x00" in fields.description:
            raise InvalidInput.for_field(
                "description", f"Must be at most {DESCRIPTION_MAX_LENGTH} characters, without null characters."
            )
        values["description"] = fields.description
    if fields.events is not None:
        if not fields.events or any(name not in events.TYPES for name in fields.events):
            raise InvalidInput.for_field("events", f"Must be a non-empty list of: {', '.join(events.TYPES)}.")
        values["events"] = sorted(set(fields.events))
    if fields.enabled is not None:
        values["enabled"] = fields.enabled
    return values


def endpoint_create(*, user: User, fields: EndpointFields) -> WebhookEndpoint:
    if fields.url is None:
        raise InvalidInput.for_field("url", "This field is required.")
    values = _checked(EndpointFields(
        url=fields.url, description=fields.description or "", events=fields.events or list(events.TYPES),
        enabled=True if fields.enabled is None else fields.enabled,
    ))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        if WebhookEndpoint.objects.filter(user=user).count() >= MAX_ENDPOINTS_PER_USER:
            raise InvalidInput(f"You can have at most {MAX_ENDPOINTS_PER_USER} webhook endpoints.")
        return WebhookEndpoint.objects.create(user=user, secret=signing.new_secret(), **values)


def endpoint_update(*, endpoint: WebhookEndpoint, fields: EndpointFields) -> WebhookEndpoint:
    values = _checked(fields)
    if values.get("enabled"):
        # Turned back on by its owner: the platform's reason no longer applies.
        values.update(disabled_reason="", failing_since=None)
    for name, value in values.items():
        setattr(endpoint, name, value)
    if values:
        endpoint.save(update_fields=[*values, "updated_at"])
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def _rotate(owner, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    owner.previous_secret = owner.secret
    owner.previous_expires_at = now + signing.ROTATION_OVERLAP
    owner.secret = signing.new_secret()


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing (beside it) for 24 hours."""
    _rotate(endpoint)
    endpoint.save(update_fields=["secret", "previous_secret", "previous_expires_at", "updated_at"])
    return endpoint


def user_secret_get(*, user: User) -> UserSigningSecret:
    return user_secret(user_id=user.pk)


def user_secret_rotate(*, user: User) -> UserSigningSecret:
    with transaction.atomic():
        owner = user_secret(user_id=user.pk)
        owner = UserSigningSecret.objects.select_for_update().get(pk=owner.pk)
        _rotate(owner)
        owner.save(update_fields=["secret", "previous_secret", "previous_expires_at"])
    return owner


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a webhook.test event to this endpoint now."""
    now = timezone.now()
    with transaction.atomic():
        message = WebhookMessage.objects.create(
            user_id=endpoint.user_id, type=TEST_EVENT,
            body=fanout.payload(type=TEST_EVENT, occurred_at=now, data={
                "endpointId": endpoint.id, "message": "A test event from videogen: your endpoint receives webhooks.",
            }),
        )
        (delivery,) = fanout.deliveries_create(message=message, targets=[(endpoint, endpoint.url)])
    return delivery


def message_redeliver(*, endpoint: WebhookEndpoint, message: WebhookMessage) -> WebhookDelivery:
    """Deliver an event again to the endpoint's current URL, with its original webhook-id."""
    if not endpoint.enabled:
        raise InvalidInput("This endpoint is disabled; enable it before redelivering.")
    with transaction.atomic():
        (delivery,) = fanout.deliveries_create(message=message, targets=[(endpoint, endpoint.url)])
    return delivery


def attempts_prune(*, now: datetime | None = None) -> int:
    """Forget attempts (and finished events) older than 30 days."""
    cutoff = (now or timezone.now()) - timedelta(days=ATTEMPTS_KEPT_DAYS)
    removed, _ = DeliveryAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    WebhookMessage.objects.filter(created_at__lt=cutoff).exclude(deliveries__state="pending").delete()
    return removed

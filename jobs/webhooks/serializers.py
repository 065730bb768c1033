"""Webhook JSON (camelCase, like the rest of the API)."""

from __future__ import annotations

from rest_framework import serializers

from jobs import events
from jobs.webhooks.models import DeliveryAttempt, SigningSecret, WebhookDelivery, WebhookEndpoint
from videogen.api.strict_fields import StrictCharField
from videogen.outbound import MAX_URL_LENGTH


class EndpointWriteSerializer(serializers.Serializer):
    """Types and presence only; the service checks the URL (SSRF) and the events."""

    url = StrictCharField(max_length=MAX_URL_LENGTH, trim_whitespace=False)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=events.TYPES), required=False,
                                   allow_empty=False, max_length=len(events.TYPES) * 2)
    enabled = serializers.BooleanField(required=False)


class RedeliverSerializer(serializers.Serializer):
    eventId = StrictCharField(max_length=64)


def _iso(value):
    from jobs.webhooks.fanout import iso

    return iso(value) if value is not None else None


def secret_json(owner: SigningSecret) -> dict:
    return {
        "secret": owner.secret,
        "previousSecret": owner.previous_secret or None,
        "previousSecretExpiresAt": _iso(owner.previous_expires_at),
    }


def endpoint_json(endpoint: WebhookEndpoint, *, with_secret: bool) -> dict:
    data = {
        "id": endpoint.id, "url": endpoint.url, "description": endpoint.description, "events": endpoint.events,
        "enabled": endpoint.enabled, "disabledReason": endpoint.disabled_reason or None,
        "failingSince": _iso(endpoint.failing_since), "createdAt": _iso(endpoint.created_at),
        "updatedAt": _iso(endpoint.updated_at),
    }
    if with_secret:
        data.update(secret_json(endpoint))
    return data


def delivery_json(delivery: WebhookDelivery) -> dict:
    return {
        "id": delivery.id, "eventId": delivery.message_id, "state": delivery.state, "attempts": delivery.attempts,
        "nextAttemptAt": _iso(delivery.next_attempt_at), "createdAt": _iso(delivery.created_at),
    }


def attempt_json(attempt: DeliveryAttempt) -> dict:
    message = attempt.delivery.message
    return {
        "id": attempt.id, "deliveryId": attempt.delivery_id, "eventId": message.id, "eventType": message.type,
        "jobId": message.job_id or None, "attempt": attempt.number, "attemptedAt": _iso(attempt.attempted_at),
        "statusCode": attempt.status_code, "durationMs": attempt.duration_ms, "succeeded": attempt.succeeded,
        "response": attempt.response_body, "error": attempt.error or None, "deliveryState": attempt.delivery.state,
    }


class EndpointSerializer(serializers.Serializer):
    """Documents the shape (OpenAPI); the JSON comes from endpoint_json."""

    id = serializers.CharField()
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField()
    disabledReason = serializers.CharField(allow_null=True)
    failingSince = serializers.DateTimeField(allow_null=True)
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    secret = serializers.CharField(required=False)
    previousSecret = serializers.CharField(allow_null=True, required=False)
    previousSecretExpiresAt = serializers.DateTimeField(allow_null=True, required=False)


class AttemptSerializer(serializers.Serializer):
    id = serializers.CharField()
    deliveryId = serializers.CharField()
    eventId = serializers.CharField()
    eventType = serializers.CharField()
    jobId = serializers.CharField(allow_null=True)
    attempt = serializers.IntegerField()
    attemptedAt = serializers.DateTimeField()
    statusCode = serializers.IntegerField(allow_null=True)
    durationMs = serializers.IntegerField()
    succeeded = serializers.BooleanField()
    response = serializers.CharField()
    error = serializers.CharField(allow_null=True)
    deliveryState = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    id = serializers.CharField()
    eventId = serializers.CharField()
    state = serializers.CharField()
    attempts = serializers.IntegerField()
    nextAttemptAt = serializers.DateTimeField(allow_null=True)
    createdAt = serializers.DateTimeField()

"""Webhook endpoints, the event outbox (messages), deliveries and their attempts.

A message is one event as its receivers get it (its id is the ``webhook-id``, its
body the exact bytes signed); a delivery is that message on its way to one URL, with
the time of its next attempt (the database is the truth: Redis only carries "deliver
X now"); an attempt is one HTTP request and what came back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from videogen.ids import new_id


def new_message_id() -> str:
    return f"msg_{new_id()}"


class SigningSecret(models.Model):
    """A whsec_ secret and, for 24 hours after a rotation, the one it replaced."""

    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class WebhookEndpoint(SigningSecret):
    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=500, blank=True, default="")
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    # Why the platform turned it off (410 Gone, failing for days); empty when the owner did.
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    # Since when every delivery has failed (None while it answers).
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "enabled"], name="webhook_endpoint_user")]

    def __str__(self) -> str:
        return self.url


class UserSigningSecret(SigningSecret):
    """The user's default secret: signs the webhooks jobs carry themselves (webhookUrl)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="webhook_secret"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class WebhookMessage(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=new_message_id, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_messages")
    job_id = models.CharField(max_length=32, blank=True, default="", db_index=True)
    type = models.CharField(max_length=40)
    body = models.TextField()  # the exact JSON bytes every attempt sends and signs
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


class DeliveryState(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up: schedule exhausted, endpoint gone or disabled


class WebhookDelivery(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    # None for a job's own webhookUrl (signed with the user's default secret).
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    url = models.CharField(max_length=2000)
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due; while one runs, when it counts as lost (a lease).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.message_id} -> {self.url} ({self.state})"


class DeliveryAttempt(models.Model):
    id = models.CharField(primary_key=True, max_length=32, default=new_id, editable=False)
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    response_body = models.TextField(blank=True, default="")  # the first 1 KB of the answer
    error = models.CharField(max_length=500, blank=True, default="")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-attempted_at"], name="webhook_attempt_endpoint")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.status_code or self.error}"

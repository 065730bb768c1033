"""The reconciler's webhook step: due deliveries Redis will not run are enqueued again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import queueing as job_queueing
from jobs.reconciler import reconcile_once
from jobs.webhooks import queueing, services
from jobs.webhooks.models import WebhookDelivery
from jobs.webhooks.reconcile import reconcile_deliveries
from jobs.webhooks.tests.helpers import endpoint_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]


@pytest.fixture
def no_grace(settings):
    settings.VIDEOGEN_ENQUEUE_GRACE_SECONDS = 0


def queued_ids() -> list[str]:
    return job_queueing.get_queue(queueing.QUEUE).job_ids


def a_delivery(owner, *, due_in: float = -1) -> WebhookDelivery:
    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, "http://127.0.0.1:9/hook"))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=due_in))
    return delivery


def test_a_due_delivery_that_redis_lost_is_enqueued_once(owner, allow_private, no_grace):
    delivery = a_delivery(owner)  # its on-commit enqueue never ran (the test's transaction)
    assert queued_ids() == []
    assert reconcile_deliveries() == [delivery.id]
    assert queued_ids() == [queueing.rq_id(delivery.id, 0)]
    assert reconcile_deliveries() == []  # held now: not pushed twice
    assert len(queued_ids()) == 1


def test_the_reconciler_pass_runs_the_webhook_step(owner, allow_private, no_grace):
    delivery = a_delivery(owner)
    reconcile_once()
    assert queued_ids() == [queueing.rq_id(delivery.id, 0)]


def test_a_delivery_not_yet_due_is_left_alone(owner, allow_private, no_grace):
    a_delivery(owner, due_in=300)
    assert reconcile_deliveries() == []


def test_a_due_retry_stuck_in_rqs_scheduled_registry_is_enqueued(owner, allow_private, no_grace):
    delivery = a_delivery(owner)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=1)
    assert queueing.try_enqueue(delivery_id=delivery.id, attempts=1, delay_seconds=3600)  # no scheduler runs here
    assert queued_ids() == []
    assert reconcile_deliveries() == [delivery.id]
    assert queued_ids() == [queueing.rq_id(delivery.id, 1)]


def test_finished_deliveries_are_never_enqueued(owner, allow_private, no_grace):
    delivery = a_delivery(owner)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="succeeded")
    assert reconcile_deliveries() == []

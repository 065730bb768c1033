"""Delivery attempts against a real HTTP receiver on loopback; every signature is
checked with the standardwebhooks library. Waits are skipped by making the next
attempt due (next_attempt_at), never by sleeping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.webhooks import services
from jobs.webhooks.delivery import DISABLE_AFTER, SCHEDULE, delivery_attempt, retry_delay
from jobs.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from jobs.webhooks.tests.helpers import attempt_now, endpoint_for, seconds_until_next
from jobs.webhooks.tests.receiver import Reply

pytestmark = pytest.mark.django_db


def test_500_500_200_makes_three_attempts_with_one_webhook_id_on_the_schedule(owner, receiver, allow_private):
    receiver.answer(Reply(500, body=b"boom"), Reply(500), Reply(200))
    endpoint = endpoint_for(owner, receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint)

    before = timezone.now()
    assert attempt_now(delivery) == "retrying"
    assert 5 * 0.9 - 1 <= seconds_until_next(delivery.id, after=before) <= 5 * 1.1 + 1
    assert delivery_attempt(delivery_id=delivery.id) == "not due"  # 5 s have not passed

    before = timezone.now()
    assert attempt_now(delivery) == "retrying"
    assert 300 * 0.9 - 1 <= seconds_until_next(delivery.id, after=before) <= 300 * 1.1 + 1
    assert attempt_now(delivery) == "succeeded"

    got = receiver.wait_for(3)
    assert len(got) == 3
    assert len({request.webhook_id for request in got}) == 1
    assert all(request.verifies_with(endpoint.secret) for request in got)
    assert got[0].json()["type"] == "webhook.test"
    assert got[0].body == got[2].body
    log = list(DeliveryAttempt.objects.filter(endpoint=endpoint).order_by("number"))
    assert [(a.number, a.status_code, a.succeeded) for a in log] == [(1, 500, False), (2, 500, False), (3, 200, True)]
    assert log[0].response_body == "boom"
    assert WebhookDelivery.objects.get(pk=delivery.id).state == "succeeded"
    assert delivery_attempt(delivery_id=delivery.id) == "not due"  # done: never sent again


def test_the_schedule_is_the_standard_one_with_jitter_and_then_gives_up():
    assert SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    for made, step in enumerate(SCHEDULE[1:], start=1):
        delays = {retry_delay(attempts_made=made) for _ in range(20)}
        assert all(step * 0.9 <= d <= step * 1.1 for d in delays)
        assert len(delays) > 1  # jittered
    assert retry_delay(attempts_made=len(SCHEDULE)) is None


def test_a_delivery_gives_up_after_the_eighth_failed_attempt(owner, receiver, allow_private):
    receiver.answer(Reply(503))
    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, receiver.url))
    outcomes = [attempt_now(delivery) for _ in range(len(SCHEDULE))]
    assert outcomes == ["retrying"] * 7 + ["failed"]
    assert WebhookDelivery.objects.get(pk=delivery.id).state == "failed"
    assert attempt_now(delivery) == "not due"
    assert len(receiver.received) == 8


def test_retry_after_is_honoured(owner, receiver, allow_private):
    receiver.answer(Reply(429, headers={"Retry-After": "3600"}))
    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, receiver.url))
    before = timezone.now()
    assert attempt_now(delivery) == "retrying"
    assert 3599 <= seconds_until_next(delivery.id, after=before) <= 3602


def test_410_gone_disables_the_endpoint_with_a_reason(owner, receiver, allow_private):
    receiver.answer(Reply(410))
    endpoint = endpoint_for(owner, receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint)
    waiting = services.endpoint_send_test(endpoint=endpoint)
    assert attempt_now(delivery) == "gone"
    endpoint.refresh_from_db()
    assert endpoint.enabled is False
    assert "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get(pk=waiting.id).state == "failed"
    assert attempt_now(waiting) == "not due"
    assert len(receiver.received) == 1


def test_an_endpoint_failing_for_three_days_is_disabled_and_says_why(owner, receiver, allow_private):
    receiver.answer(Reply(500))
    endpoint = endpoint_for(owner, receiver.url)
    first = services.endpoint_send_test(endpoint=endpoint)
    assert attempt_now(first) == "retrying"
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.enabled
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - DISABLE_AFTER - timedelta(minutes=1))
    assert attempt_now(first) == "failed; endpoint disabled"
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "every delivery failed since" in endpoint.disabled_reason and "HTTP 500" in endpoint.disabled_reason


def test_a_success_clears_the_failing_clock(owner, receiver, allow_private):
    receiver.answer(Reply(500), Reply(204))
    endpoint = endpoint_for(owner, receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint)
    attempt_now(delivery)
    assert attempt_now(delivery) == "succeeded"
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_redirect_is_a_failure_and_is_not_followed(owner, receiver, allow_private):
    receiver.answer(Reply(302, headers={"Location": receiver.url + "/elsewhere"}))
    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, receiver.url))
    assert attempt_now(delivery) == "retrying"
    assert len(receiver.received) == 1
    assert DeliveryAttempt.objects.get(delivery=delivery).status_code == 302


def test_a_receiver_slower_than_the_timeout_is_a_failure(owner, receiver, allow_private, settings):
    import threading

    settings.VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS = 0.5
    release = threading.Event()
    receiver.answer(Reply(200, hold=release))
    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, receiver.url))
    try:
        assert attempt_now(delivery) == "retrying"
    finally:
        release.set()
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and "timed out" in attempt.error.lower()


def test_a_refused_connection_is_logged_and_retried(owner, allow_private):
    from videogen.embedded_redis import free_port

    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, f"http://127.0.0.1:{free_port()}/x"))
    assert attempt_now(delivery) == "retrying"
    attempt = DeliveryAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None and attempt.error


def test_only_the_first_kilobyte_of_the_answer_is_kept(owner, receiver, allow_private):
    receiver.answer(Reply(200, body=b"x" * 5000))
    delivery = services.endpoint_send_test(endpoint=endpoint_for(owner, receiver.url))
    attempt_now(delivery)
    assert len(DeliveryAttempt.objects.get(delivery=delivery).response_body) == 1024


def test_after_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new_one(owner, receiver, allow_private):
    endpoint = endpoint_for(owner, receiver.url)
    old_secret = endpoint.secret
    endpoint = services.endpoint_rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old_secret
    assert timedelta(hours=23, minutes=59) < endpoint.previous_expires_at - timezone.now() <= timedelta(hours=24)

    attempt_now(services.endpoint_send_test(endpoint=endpoint))
    (during,) = receiver.wait_for(1)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verifies_with(old_secret) and during.verifies_with(endpoint.secret)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_expires_at=timezone.now() - timedelta(seconds=1))
    attempt_now(services.endpoint_send_test(endpoint=endpoint))
    after = receiver.wait_for(2)[1]
    assert after.verifies_with(endpoint.secret) and not after.verifies_with(old_secret)


def test_redelivery_sends_the_same_event_with_the_same_webhook_id(owner, receiver, allow_private):
    endpoint = endpoint_for(owner, receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint)
    attempt_now(delivery)
    again = services.message_redeliver(endpoint=endpoint, message=delivery.message)
    assert again.id != delivery.id
    attempt_now(again)
    first, second = receiver.wait_for(2)
    assert first.webhook_id == second.webhook_id and first.body == second.body
    assert second.verifies_with(endpoint.secret)


def test_attempts_older_than_30_days_are_pruned(owner, receiver, allow_private):
    endpoint = endpoint_for(owner, receiver.url)
    old = services.endpoint_send_test(endpoint=endpoint)
    attempt_now(old)
    new = services.endpoint_send_test(endpoint=endpoint)
    attempt_now(new)
    DeliveryAttempt.objects.filter(delivery=old).update(attempted_at=timezone.now() - timedelta(days=31))
    assert services.attempts_prune() == 1
    assert list(DeliveryAttempt.objects.values_list("delivery_id", flat=True)) == [new.id]


def test_pending_retries_follow_the_endpoints_new_url(owner, receiver, allow_private):
    from videogen.embedded_redis import free_port

    endpoint = endpoint_for(owner, f"http://127.0.0.1:{free_port()}/typo")
    delivery = services.endpoint_send_test(endpoint=endpoint)
    assert attempt_now(delivery) == "retrying"
    services.endpoint_update(endpoint=endpoint, fields=services.EndpointFields(url=receiver.url))
    assert attempt_now(delivery) == "succeeded"
    assert receiver.wait_for(1)[0].verifies_with(endpoint.secret)

"""Deliveries by real worker processes (`manage.py worker`), to a real receiver on
loopback, verified with the standardwebhooks library. Waits on conditions, never sleeps."""

from __future__ import annotations

import threading

import pytest

from conftest import client_for
from jobs.tests.live_workers import wait_until
from jobs.webhooks.models import DeliveryAttempt, WebhookDelivery
from jobs.webhooks.tests.receiver import Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LOOPBACK = {"VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE": "1"}


def register(api, url: str, **extra) -> dict:
    response = api.post("/api/v1/webhooks", {"url": url, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_default_worker_delivers_job_events_signed_with_the_job_as_the_api_shows_it(
    owner, live_workers, clean_redis, receiver, allow_private
):
    api = client_for(owner)
    endpoint = register(api, receiver.url, events=["job.started", "job.completed"])
    live_workers.start(**LOOPBACK)  # queues cpu,default: deliveries run in the process it starts beside
    response = api.post("/api/v1/jobs", {"prompt": "hook me", "model": "test-counting", "resolution": "480p",
                                         "quality": "low", "duration": 1}, format="json")
    job_id = response.json()["id"]

    started, completed = sorted(receiver.wait_for(2), key=lambda r: r.json()["type"] != "job.started")
    assert started.json()["type"] == "job.started" and completed.json()["type"] == "job.completed"
    assert all(r.verifies_with(endpoint["secret"]) for r in (started, completed))
    assert started.webhook_id != completed.webhook_id
    data = completed.json()["data"]
    api_view = api.get(f"/api/v1/jobs/{job_id}").json()
    assert data["id"] == job_id and data["status"] == "completed"
    # The worker has no request: links are site paths (VIDEOGEN_PUBLIC_URL unset), otherwise identical.
    assert data["result"]["videoUrl"] == api_view["result"]["videoUrl"].removeprefix("http://testserver")
    assert {k: v for k, v in data.items() if k != "result"} == {k: v for k, v in api_view.items() if k != "result"}


def test_a_delivery_whose_worker_is_killed_mid_request_is_delivered_on_retry(
    owner, live_workers, clean_redis, receiver, allow_private
):
    api = client_for(owner)
    endpoint = register(api, receiver.url)
    hang = threading.Event()
    receiver.answer(Reply(200, hold=hang), Reply(200))
    env = {**LOOPBACK, "VIDEOGEN_WEBHOOK_TIMEOUT_SECONDS": "2"}
    first = live_workers.start(queues="webhooks", **env)
    sent = api.post(f"/api/v1/webhooks/{endpoint['id']}/test").json()

    receiver.wait_for(1)  # the first worker is inside the request
    first.kill_hard()
    hang.set()
    live_workers.start(queues="webhooks", **env)

    got = receiver.wait_for(2, timeout=60)
    assert got[0].webhook_id == got[1].webhook_id
    assert got[1].verifies_with(endpoint["secret"])
    wait_until(lambda: WebhookDelivery.objects.filter(pk=sent["id"], state="succeeded").exists(), timeout=30,
               message="the delivery to be marked succeeded")
    assert DeliveryAttempt.objects.filter(delivery_id=sent["id"], succeeded=True).count() == 1


def test_deliveries_lost_by_a_flushed_redis_are_delivered(owner, live_workers, clean_redis, receiver, allow_private):
    api = client_for(owner)
    endpoint = register(api, receiver.url)
    sent = [api.post(f"/api/v1/webhooks/{endpoint['id']}/test").json()["id"] for _ in range(3)]
    clean_redis.flushdb()
    live_workers.start(queues="webhooks", **LOOPBACK)
    got = receiver.wait_for(3, timeout=60)
    assert len({r.webhook_id for r in got}) == 3
    wait_until(lambda: WebhookDelivery.objects.filter(pk__in=sent, state="succeeded").count() == 3, timeout=30,
               message="the three deliveries to succeed")

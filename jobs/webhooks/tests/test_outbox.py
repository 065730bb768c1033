"""Job events become outbox rows inside the job change's own transaction."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jobs import events, services
from jobs.models import JobStatus
from jobs.generation.base import VideoFacts
from jobs.results import VideoResult
from jobs.services.running import AttemptControl
from jobs.webhooks.delivery import user_secret
from jobs.webhooks.models import WebhookDelivery, WebhookMessage
from jobs.webhooks.tests.helpers import attempt_now, endpoint_for

pytestmark = pytest.mark.django_db

RESULT = VideoResult(video_path="videos/u/j/1/video.mp4", thumbnail_path="videos/u/j/1/poster.jpg",
                     facts=VideoFacts(width=854, height=480, fps=24, frames=48, duration_seconds=2.0, size_bytes=1000))


def run_to_completion(job) -> None:
    services.job_start_attempt(job_id=job.id, attempt=job.attempt, provider="procedural", model_name=job.model)
    assert services.job_complete_attempt(job_id=job.id, attempt=job.attempt, result=RESULT, generation_time_ms=900)


def test_a_completed_job_sends_the_job_exactly_as_the_api_shows_it(owner, owner_api, make_job, allow_private, settings):
    settings.VIDEOGEN_PUBLIC_URL = "http://testserver"
    endpoint_for(owner, "http://127.0.0.1:9/hook")
    job = make_job(owner)
    run_to_completion(job)

    started, completed = WebhookMessage.objects.filter(job_id=job.id).order_by("created_at", "type")
    assert (started.type, completed.type) == ("job.started", "job.completed")
    body = json.loads(completed.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == "job.completed"
    assert body["data"] == owner_api.get(f"/api/v1/jobs/{job.id}").json()
    assert body["data"]["result"]["videoUrl"].startswith("http://testserver/api/v1/jobs/")
    assert completed.deliveries.count() == 1


def test_the_event_rolls_back_with_the_change_that_caused_it(owner, make_job, allow_private):
    endpoint_for(owner, "http://127.0.0.1:9/hook")
    job = make_job(owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.job_cancel(job=job)
        assert WebhookMessage.objects.filter(type="job.cancelled").exists()
        raise RuntimeError("the outer transaction fails after the change")
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert not WebhookMessage.objects.exists() and not WebhookDelivery.objects.exists()


def test_deliveries_are_enqueued_only_after_commit(owner, make_job, allow_private, django_capture_on_commit_callbacks):
    endpoint_for(owner, "http://127.0.0.1:9/hook")
    job = make_job(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.job_cancel(job=job)
    assert WebhookDelivery.objects.count() == 1
    assert callbacks  # the enqueue waits for the commit


def test_endpoints_only_get_the_events_they_asked_for(owner, other_user, make_job, allow_private):
    endpoint_for(owner, "http://127.0.0.1:9/done", events=["job.completed"])
    endpoint_for(other_user, "http://127.0.0.1:9/theirs")
    job = make_job(owner)
    services.job_cancel(job=job)
    assert not WebhookMessage.objects.exists()
    run_to_completion(make_job(owner))
    assert list(WebhookMessage.objects.values_list("type", flat=True)) == ["job.completed"]


def test_a_job_without_receivers_writes_nothing(owner, make_job):
    run_to_completion(make_job(owner))
    assert not WebhookMessage.objects.exists()


def test_a_disabled_endpoint_gets_nothing(owner, make_job, allow_private):
    from jobs.webhooks import services as webhook_services

    endpoint = endpoint_for(owner, "http://127.0.0.1:9/hook")
    webhook_services.endpoint_update(endpoint=endpoint, fields=webhook_services.EndpointFields(enabled=False))
    run_to_completion(make_job(owner))
    assert not WebhookMessage.objects.exists()


def test_a_failed_job_sends_job_failed(owner, make_job, allow_private):
    endpoint_for(owner, "http://127.0.0.1:9/hook", events=["job.failed"])
    job = make_job(owner, status=JobStatus.PROCESSING, max_retries=0)
    services.job_fail_attempt(job_id=job.id, attempt=job.attempt, message="broken", permanent=True)
    message = WebhookMessage.objects.get()
    assert message.type == "job.failed" and json.loads(message.body)["data"]["errorMessage"] == "broken"


def test_a_jobs_own_webhook_url_is_signed_with_the_users_default_secret(owner, owner_api, receiver, allow_private):
    response = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookUrl": receiver.url,
                                               "webhookEvents": ["job.cancelled"]}, format="json")
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    assert owner_api.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 200
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint is None and delivery.url == receiver.url
    assert attempt_now(delivery) == "succeeded"
    (got,) = receiver.wait_for(1)
    assert got.verifies_with(user_secret(user_id=owner.pk).secret)
    assert got.json()["type"] == "job.cancelled" and got.json()["data"]["id"] == job_id


def test_job_webhook_events_must_be_known_and_need_a_url(owner_api, allow_private):
    from videogen.testing.api import assert_api_error

    bad = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookUrl": "http://127.0.0.1:9/",
                                          "webhookEvents": ["job.exploded"]}, format="json")
    assert_api_error(bad, 400, field="webhookEvents")
    lonely = owner_api.post("/api/v1/jobs", {"prompt": "a fox", "webhookEvents": ["job.completed"]}, format="json")
    assert_api_error(lonely, 400, field="webhookEvents")


def test_progress_is_announced_only_when_the_heartbeat_asks(owner, make_job, allow_private):
    endpoint_for(owner, "http://127.0.0.1:9/hook", events=["job.progress"])
    job = make_job(owner, status=JobStatus.PROCESSING)
    assert services.job_heartbeat(job_id=job.id, attempt=job.attempt, progress=10)
    assert not WebhookMessage.objects.exists()
    assert services.job_heartbeat(job_id=job.id, attempt=job.attempt, progress=20, announce=True)
    message = WebhookMessage.objects.get()
    assert message.type == "job.progress" and json.loads(message.body)["data"]["progress"] == 20


def test_a_running_attempt_announces_progress_at_most_every_two_seconds(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr("jobs.services.running.time.monotonic", lambda: clock["now"])
    control = AttemptControl(job_id="j", attempt=1, interval=0.2)
    assert not control._should_announce(10)  # just started (job.started was the news)
    clock["now"] += events.PROGRESS_INTERVAL_SECONDS
    assert control._should_announce(10)
    control._announced = (10, clock["now"])
    clock["now"] += 1.9
    assert not control._should_announce(30)
    clock["now"] += 0.1
    assert control._should_announce(30)
    control._announced = (30, clock["now"] - 5)
    assert not control._should_announce(30)


def run_as_the_worker_does(job) -> None:
    """Start and completion given the loaded row, as jobs.services.running calls them."""
    job = services.job_start_attempt(job_id=job.id, attempt=job.attempt, provider="procedural",
                                     model_name=job.model, job=job)
    assert services.job_complete_attempt(job_id=job.id, attempt=job.attempt, result=RESULT, generation_time_ms=900,
                                         user_id=job.user_id, job=job)


@pytest.mark.parametrize("receiver_kind", ["endpoint", "own webhook"])
def test_the_workers_start_and_completion_record_their_events(owner, make_job, allow_private, receiver_kind):
    if receiver_kind == "endpoint":
        endpoint_for(owner, "http://127.0.0.1:9/hook")
        job = make_job(owner)
    else:
        job = make_job(owner, webhook_url="http://127.0.0.1:9/own", webhook_events=["job.started", "job.completed"])
    run_as_the_worker_does(job)
    assert list(WebhookMessage.objects.order_by("created_at").values_list("type", flat=True)) == [
        "job.started", "job.completed"]


def test_an_endpoint_added_while_a_job_renders_gets_its_completion(owner, make_job, allow_private):
    job = make_job(owner)
    job = services.job_start_attempt(job_id=job.id, attempt=job.attempt, provider="procedural",
                                     model_name=job.model, job=job)
    endpoint_for(owner, "http://127.0.0.1:9/hook")
    services.job_complete_attempt(job_id=job.id, attempt=job.attempt, result=RESULT, generation_time_ms=900,
                                  user_id=job.user_id, job=job)
    assert list(WebhookMessage.objects.values_list("type", flat=True)) == ["job.completed"]


def test_with_nobody_listening_the_workers_writes_are_single_statements(owner, make_job):
    job = make_job(owner)
    with CaptureQueriesContext(connection) as start:
        job = services.job_start_attempt(job_id=job.id, attempt=job.attempt, provider="procedural",
                                         model_name=job.model, job=job)
    with CaptureQueriesContext(connection) as completion:
        services.job_complete_attempt(job_id=job.id, attempt=job.attempt, result=RESULT, generation_time_ms=900,
                                      user_id=job.user_id, job=job)
    for captured in (start, completion):
        statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
        assert statements == ["UPDATE"]  # the fenced write on condition that nobody listens, autocommitted
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert not WebhookMessage.objects.exists()

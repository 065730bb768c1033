"""A job accepted while Redis is unreachable is saved as queued, for the reconciler to enqueue."""

import logging
import time

import pytest

from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

def test_a_create_still_answers_201_and_the_job_is_queued(
    redis_down, owner_api, caplog, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="videogen.jobs"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = owner_api.post("/api/v1/jobs", {"prompt": "A lighthouse"}, format="json")
    elapsed = time.monotonic() - started

    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.QUEUED and job.attempt == 1 and job.queued_at
    assert len(callbacks) == 1
    assert "enqueue failed; the reconciler will retry" in caplog.text
    assert elapsed < 5  # a refused connection fails fast; no long socket timeouts


@pytest.mark.django_db(transaction=True)
def test_the_job_is_committed_even_though_the_enqueue_failed(redis_down, owner_api):
    response = owner_api.post("/api/v1/jobs", {"prompt": "A lighthouse"}, format="json")

    assert response.status_code == 201
    assert Job.objects.filter(pk=response.json()["id"], status=JobStatus.QUEUED).exists()


def test_a_retry_still_answers_200_and_queues_the_job(redis_down, owner, owner_api, make_job,
                                                      django_capture_on_commit_callbacks):
    job = make_job(owner, status=JobStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"/api/v1/jobs/{job.id}/retry")

    assert response.status_code == 200
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.QUEUED, 2)


def test_a_cancel_still_answers_200(redis_down, owner, owner_api, make_job, django_capture_on_commit_callbacks):
    job = make_job(owner, status=JobStatus.QUEUED)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"/api/v1/jobs/{job.id}/cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"

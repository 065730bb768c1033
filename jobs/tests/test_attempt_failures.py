"""What a user reads when an attempt fails: a safe message saying what to do.

The attempt runs through the RQ task's entry point (``jobs.tasks.run_job_attempt``)
in this process, with a test engine whose exception carries internal detail; the
detail must reach the log and the admin, never the API or the pages.
"""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from jobs import services, tasks
from jobs.generation.base import EngineError, PermanentEngineError
from jobs.models import Job, JobStatus
from jobs.services.running import PERMANENT_FAILURE, TRANSIENT_FAILURE

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "/srv/videogen/models/private-weights: CUDA error 700 at 0x7f3a"


class LeakyEngine:
    provider = "test"

    def __init__(self, *, permanent: bool = False):
        self.permanent = permanent

    def render(self, spec, sink, control) -> None:
        raise (PermanentEngineError if self.permanent else EngineError)(SECRET)


CATALOG = {
    "leaky": {"engine": "jobs.tests.test_attempt_failures:LeakyEngine", "queue": "cpu", "max_duration": 5},
    "leaky-permanent": {"engine": "jobs.tests.test_attempt_failures:LeakyEngine", "queue": "cpu",
                        "max_duration": 5, "options": {"permanent": True}},
}


@pytest.fixture(autouse=True)
def leaky_catalog(media_root):
    from jobs.generation import registry

    registry.reset()
    with override_settings(VIDEOGEN_MODELS=CATALOG, VIDEOGEN_DEFAULT_MODEL="leaky"):
        yield
    registry.reset()


def failed_job(owner, model: str) -> Job:
    job, _ = services.job_create(
        user=owner, request=services.JobRequest(prompt="fails", model=model, resolution="480p", duration=1,
                                                max_retries=0),
    )
    assert tasks.run_job_attempt(job.id, job.attempt) == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    return job


@pytest.mark.parametrize(("model", "message"), [
    ("leaky", TRANSIENT_FAILURE), ("leaky-permanent", PERMANENT_FAILURE.format(model="leaky-permanent")),
])
def test_the_user_reads_a_safe_message_and_the_detail_stays_inside(owner, owner_api, owner_client, model, message,
                                                                    caplog):
    with caplog.at_level(logging.INFO, logger="videogen.jobs"):
        job = failed_job(owner, model)

    body = owner_api.get(f"/api/v1/jobs/{job.id}").json()
    assert body["errorMessage"] == message
    assert "Retry" in message or "Try another model" in message  # what the user can do
    assert SECRET not in body["errorMessage"]
    page = owner_client.get(f"/jobs/{job.id}").content.decode()
    assert "contact the operator" in page and SECRET not in page
    # The full story: in the log and on the job, for the admin.
    assert SECRET in job.error_detail and "Traceback" in job.error_detail
    assert any(SECRET in (record.exc_text or "") for record in caplog.records)


def test_the_admin_shows_the_failure_detail(owner, staff_client):
    job = failed_job(owner, "leaky")

    page = staff_client.get(f"/admin/jobs/job/{job.id}/change/").content.decode()
    assert SECRET in page


def test_a_retry_clears_the_message_and_the_detail(owner):
    job = services.job_retry(job=failed_job(owner, "leaky"))

    assert (job.error_message, job.error_detail) == ("", "")

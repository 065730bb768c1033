"""The work-horse's statements in plain SQL read and write exactly what the ORM would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import attempt_sql, events
from jobs.models import Job, JobStatus
from jobs.webhooks.tests.helpers import endpoint_for

pytestmark = pytest.mark.django_db


def fields_of(job: Job) -> dict:
    return {field.attname: getattr(job, field.attname) for field in Job._meta.concrete_fields}


def test_a_loaded_job_is_the_row_the_orm_loads(owner, make_job):
    moment = timezone.now() - timedelta(minutes=3)
    job = make_job(
        owner, status=JobStatus.COMPLETED, params={"seed": 7, "steps": [1, 2], "guidance": 4.5},
        metadata={"seed": 7, "note": "ünïcode"}, webhook_events=["job.completed"], run_after=moment,
        dispatched_at=moment, preview_at=moment, idempotency_key=None,
    )
    loaded = attempt_sql.load_job(job.id)
    assert fields_of(loaded) == fields_of(Job.objects.get(pk=job.id))
    assert loaded.params == {"seed": 7, "steps": [1, 2], "guidance": 4.5}
    assert loaded.completed_at.tzinfo is not None
    assert not loaded._state.adding and loaded._state.db == connection.alias
    assert attempt_sql.load_job("no-such-job") is None


def test_the_fenced_write_changes_only_the_current_attempt_in_its_status(owner, make_job):
    job = make_job(owner, attempt=2)
    quiet = attempt_sql.quiet_condition()
    now = timezone.now()
    changes = {"status": JobStatus.PROCESSING, "started_at": now, "run_after": None, "used_model": "m"}

    for attempt, status in ((1, JobStatus.QUEUED), (2, JobStatus.PROCESSING), (3, JobStatus.QUEUED)):
        assert attempt_sql.fenced_update(job_id=job.id, attempt=attempt, status=status, changes=changes,
                                         condition=quiet) == 0
    assert Job.objects.get(pk=job.id).status == JobStatus.QUEUED

    assert attempt_sql.fenced_update(job_id=job.id, attempt=2, status=JobStatus.QUEUED, changes=changes,
                                     condition=quiet) == 1
    job.refresh_from_db()
    assert (job.status, job.started_at, job.run_after, job.used_model) == (JobStatus.PROCESSING, now, None, "m")


def test_the_quiet_condition_holds_only_for_jobs_nobody_listens_to(owner, other_user, make_job, settings):
    settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = True  # a loopback receiver
    quiet_job = make_job(owner)
    own_hook = make_job(owner, webhook_url="https://example.com/hook")
    with_endpoint = make_job(other_user)
    endpoint = endpoint_for(other_user, "http://127.0.0.1:9/endpoint")
    quiet = attempt_sql.quiet_condition()

    def write(job) -> int:
        return attempt_sql.fenced_update(job_id=job.id, attempt=1, status=JobStatus.QUEUED,
                                         changes={"progress": 5}, condition=quiet)

    assert [write(job) for job in (quiet_job, own_hook, with_endpoint)] == [1, 0, 0]
    endpoint.enabled = False
    endpoint.save(update_fields=["enabled"])
    assert write(with_endpoint) == 1
    # The same rows as the ORM's condition picks out.
    assert set(Job.objects.filter(events.nobody_listening()).values_list("id", flat=True)) == {
        quiet_job.id, with_endpoint.id,
    }


def test_a_listener_that_wants_every_event_leaves_no_quiet_condition(monkeypatch):
    monkeypatch.setattr(events, "_quiet", [*events._quiet, None])
    assert attempt_sql.quiet_condition() is None


def test_touching_the_statements_changes_nothing(owner, make_job):
    job = make_job(owner)
    before = fields_of(Job.objects.get(pk=job.id))
    with CaptureQueriesContext(connection) as captured:
        attempt_sql.touch()
    assert [query["sql"].split()[0].upper() for query in captured.captured_queries] == ["SELECT", "UPDATE"]
    assert fields_of(Job.objects.get(pk=job.id)) == before

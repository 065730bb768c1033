"""The work-horse's statements in plain SQL read and write exactly what the ORM would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.db.models import Q
from django.utils import timezone

from jobs import attempt_sql, events
from jobs.generation.base import VideoFacts
from jobs.models import Job, JobStatus
from jobs.results import VideoResult
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


def test_without_listeners_every_row_is_quiet_and_with_one_that_wants_all_none_is(owner, make_job, monkeypatch):
    job = make_job(owner, webhook_url="https://example.com/hook")
    monkeypatch.setattr(events, "_quiet", [])
    assert attempt_sql.quiet_condition() == ("", ())
    assert attempt_sql.fenced_update(job_id=job.id, attempt=1, status=JobStatus.QUEUED, changes={"progress": 3},
                                     condition=attempt_sql.quiet_condition()) == 1
    # A condition no row can meet: every write takes the way that records its event.
    monkeypatch.setattr(events, "_quiet", [lambda: Q(pk__in=[])])
    assert attempt_sql.quiet_condition() is None


def test_the_completions_columns_are_written_as_the_orm_writes_them(owner, make_job):
    """Floats, big integers, cleared strings and datetimes, against the ORM's UPDATE."""
    ours, theirs = (make_job(owner, status=JobStatus.PROCESSING, error_message="x", error_detail="y") for _ in range(2))
    result = VideoResult(video_path=f"videos/{owner.id}/j/1/video.mp4", thumbnail_path="", facts=VideoFacts(
        width=1920, height=1080, fps=24, frames=241, duration_seconds=10.041666, size_bytes=5_000_000_000))
    now = timezone.now()
    changes = dict(status=JobStatus.COMPLETED, progress=100, completed_at=now, heartbeat_at=now, updated_at=now,
                   generation_time_ms=4321, error_message="", error_detail="", **result.job_fields())
    assert attempt_sql.fenced_update(job_id=ours.id, attempt=1, status=JobStatus.PROCESSING, changes=changes,
                                     condition=attempt_sql.quiet_condition()) == 1
    assert Job.objects.filter(pk=theirs.id).update(**changes) == 1
    written = [{name: fields_of(Job.objects.get(pk=job.id))[name] for name in changes} for job in (ours, theirs)]
    assert written[0] == written[1]
    assert written[0]["video_size_bytes"] == 5_000_000_000 and written[0]["video_duration"] == 10.041666


def test_touching_runs_the_jobs_statements_on_no_job(owner, make_job):
    job = make_job(owner)
    before = fields_of(Job.objects.get(pk=job.id))
    with CaptureQueriesContext(connection) as captured:
        attempt_sql.touch()
    assert [query["sql"].split()[0].upper() for query in captured.captured_queries] == ["SELECT", "UPDATE"]
    assert fields_of(Job.objects.get(pk=job.id)) == before


def test_a_standby_connects_then_touches_the_statements(owner, make_job):
    """Where sessions outlive a job (CONN_MAX_AGE > 0) the standby's database steps are
    these; where they do not there is nothing to warm. None of them changes a row."""
    from django.db import connections

    from jobs import standby

    if connections["default"].settings_dict["CONN_MAX_AGE"] == 0:
        assert standby._database_steps() == ()
        return
    steps = standby._database_steps()
    assert steps == (connections["default"].ensure_connection, attempt_sql.touch, standby._listened_start)
    job = make_job(owner)
    before = fields_of(Job.objects.get(pk=job.id))
    for step in steps:
        step()
    assert fields_of(Job.objects.get(pk=job.id)) == before


def test_the_worker_builds_the_statements_before_it_forks(monkeypatch):
    """Built in the worker, so that every horse inherits them."""
    from rq.worker.base import BaseWorker

    from jobs import queueing, worker

    order = []
    monkeypatch.setattr(worker, "preload_engines", lambda names: None)
    monkeypatch.setattr(worker, "preload_url_routes", lambda: None)
    monkeypatch.setattr(attempt_sql, "prepare", lambda: order.append("prepare"))
    monkeypatch.setattr(BaseWorker, "work", lambda self, *args, **kwargs: order.append("work"))
    redis = queueing.worker_connection()
    worker.ForkingWorker([queueing.get_queue("cpu", redis=redis)], connection=redis).work(burst=True)
    assert order == ["prepare", "work"]

"""The state machine in jobs.services, driven directly: transitions, and fenced worker writes."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jobs import stored_files, queueing, services
from jobs.generation.base import VideoFacts
from jobs.models import Job, JobStatus
from jobs.results import VideoResult
from jobs.tests.helpers import rq_job_ids
from videogen.errors import Conflict, Forbidden, InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]


def snapshot(job: Job) -> dict:
    return Job.objects.filter(pk=job.pk).values().get()


def result_for(job: Job, attempt: int) -> VideoResult:
    folder = stored_files.attempt_folder(user_id=job.user_id, job_id=job.id, attempt=attempt)
    return VideoResult(
        video_path=default_storage.save(f"{folder}/{stored_files.VIDEO_NAME}", ContentFile(b"video")),
        thumbnail_path=default_storage.save(f"{folder}/{stored_files.POSTER_NAME}", ContentFile(b"poster")),
        facts=VideoFacts(width=854, height=480, fps=24, frames=48, duration_seconds=2.0, size_bytes=5, codec="h264"),
    )


@pytest.fixture
def running(owner, make_job):
    """A job whose third attempt is processing."""
    return make_job(owner, status=JobStatus.PROCESSING, attempt=3, retry_count=1, max_retries=3)


# --- starting -------------------------------------------------------------------------


def test_starting_the_current_attempt_moves_it_to_processing(owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED, attempt=2)

    started = services.job_start_attempt(job_id=job.id, attempt=2, provider="procedural", model_name="p1")

    assert started.status == JobStatus.PROCESSING
    assert started.started_at and started.heartbeat_at
    assert (started.used_provider, started.used_model) == ("procedural", "p1")


@pytest.mark.parametrize(("status", "attempt"), [(JobStatus.QUEUED, 1), (JobStatus.CANCELLED, 2)])
def test_starting_a_stale_or_cancelled_attempt_does_nothing(owner, make_job, status, attempt):
    job = make_job(owner, status=status, attempt=2)
    before = snapshot(job)

    assert services.job_start_attempt(job_id=job.id, attempt=attempt, provider="p", model_name="m") is None
    assert snapshot(job) == before


# --- fenced writes --------------------------------------------------------------------


def test_a_heartbeat_of_the_current_attempt_records_progress(running):
    assert services.job_heartbeat(job_id=running.id, attempt=3, progress=55) is True

    running.refresh_from_db()
    assert running.progress == 55


def test_a_heartbeat_never_reports_100_before_completion(running):
    services.job_heartbeat(job_id=running.id, attempt=3, progress=100)

    running.refresh_from_db()
    assert running.progress == 99


def test_a_heartbeat_with_a_stale_attempt_returns_false_and_changes_nothing(running):
    before = snapshot(running)

    assert services.job_heartbeat(job_id=running.id, attempt=2, progress=80) is False
    assert snapshot(running) == before


def test_a_heartbeat_after_a_cancel_tells_the_attempt_to_stop(running):
    services.job_cancel(job=running)
    before = snapshot(running)

    assert services.job_heartbeat(job_id=running.id, attempt=3, progress=80) is False
    assert snapshot(running) == before


def test_completing_the_current_attempt_stores_the_result(running, media_root, django_capture_on_commit_callbacks):
    result = result_for(running, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_complete_attempt(job_id=running.id, attempt=3, result=result, generation_time_ms=900)

    running.refresh_from_db()
    assert running.status == JobStatus.COMPLETED and running.progress == 100
    assert running.completed_at and running.generation_time_ms == 900
    assert (running.video_path, running.video_width, running.video_codec) == (result.video_path, 854, "h264")
    assert default_storage.exists(result.video_path)


def test_completing_removes_files_left_by_earlier_attempts(running, media_root, django_capture_on_commit_callbacks):
    leftover = result_for(running, 2)
    current = result_for(running, 3)

    with django_capture_on_commit_callbacks(execute=True):
        services.job_complete_attempt(job_id=running.id, attempt=3, result=current, generation_time_ms=900)

    assert not default_storage.exists(leftover.video_path)
    assert default_storage.exists(current.video_path)


def test_completing_with_a_stale_attempt_returns_false_and_changes_nothing(running, media_root):
    before = snapshot(running)

    completed = services.job_complete_attempt(
        job_id=running.id, attempt=2, result=result_for(running, 2), generation_time_ms=900
    )

    assert completed is False
    assert snapshot(running) == before


def test_completing_after_a_cancel_keeps_the_job_cancelled(running, media_root):
    services.job_cancel(job=running)

    completed = services.job_complete_attempt(
        job_id=running.id, attempt=3, result=result_for(running, 3), generation_time_ms=900
    )

    assert completed is False
    running.refresh_from_db()
    assert running.status == JobStatus.CANCELLED and running.video_path == ""


def test_a_deleted_job_refuses_every_write_of_its_running_attempt(running, media_root):
    services.job_delete(job=running)

    assert services.job_heartbeat(job_id=running.id, attempt=3, progress=50) is False
    assert services.job_complete_attempt(
        job_id=running.id, attempt=3, result=result_for(running, 3), generation_time_ms=1
    ) is False
    assert services.job_fail_attempt(job_id=running.id, attempt=3, message="x", permanent=False) is None
    assert not Job.objects.filter(pk=running.id).exists()


# --- failing --------------------------------------------------------------------------


def test_a_failed_attempt_with_retries_left_is_queued_again_as_the_next_attempt(
    running, settings, idle_workers, django_capture_on_commit_callbacks
):
    settings.VIDEOGEN_RETRY_BASE_SECONDS = 0

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.job_fail_attempt(job_id=running.id, attempt=3, message="GPU fell over", permanent=False)

    assert outcome == JobStatus.QUEUED
    running.refresh_from_db()
    assert running.status == JobStatus.QUEUED
    assert running.attempt == 4
    assert running.retry_count == 2
    assert running.progress == 0 and running.started_at is None
    assert running.error_message == "GPU fell over"
    assert rq_job_ids("cpu") == [f"videogen-{running.id}-4"]


def test_a_retry_after_a_failure_waits_for_its_backoff_in_the_database(
    running, settings, idle_workers, django_capture_on_commit_callbacks
):
    settings.VIDEOGEN_RETRY_BASE_SECONDS = 10
    settings.VIDEOGEN_RETRY_MAX_SECONDS = 60

    with django_capture_on_commit_callbacks(execute=True):
        services.job_fail_attempt(job_id=running.id, attempt=3, message="flaky", permanent=False)

    running.refresh_from_db()
    wait = (running.run_after - running.queued_at).total_seconds()
    assert 10 <= wait <= 20  # retry 1: a step of 20 s, jittered to half..all of it
    # Nothing waits in Redis (no RQ scheduler involved): the row's run_after is the truth.
    assert rq_job_ids("cpu") == []
    assert running.dispatched_at is None


def test_a_permanent_failure_fails_the_job_whatever_the_retries(running):
    outcome = services.job_fail_attempt(job_id=running.id, attempt=3, message="Bad prompt", permanent=True)

    assert outcome == JobStatus.FAILED
    running.refresh_from_db()
    assert (running.status, running.attempt, running.retry_count) == (JobStatus.FAILED, 3, 1)
    assert running.error_message == "Bad prompt" and running.completed_at
    assert rq_job_ids("cpu") == []


def test_a_failure_with_no_retries_left_fails_the_job_with_its_message(owner, make_job):
    job = make_job(owner, status=JobStatus.PROCESSING, attempt=4, retry_count=3, max_retries=3)

    outcome = services.job_fail_attempt(job_id=job.id, attempt=4, message="Out of memory", permanent=False)

    assert outcome == JobStatus.FAILED
    job.refresh_from_db()
    assert (job.status, job.attempt, job.error_message) == (JobStatus.FAILED, 4, "Out of memory")


def test_a_failure_of_a_stale_attempt_returns_none_and_changes_nothing(running):
    before = snapshot(running)

    assert services.job_fail_attempt(job_id=running.id, attempt=2, message="late", permanent=False) is None
    assert snapshot(running) == before


def test_handing_an_attempt_back_queues_the_next_one_without_charging_a_retry(
    running, idle_workers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_requeue_attempt(job_id=running.id, attempt=3, reason="worker shutdown") is True

    running.refresh_from_db()
    assert (running.status, running.attempt, running.retry_count) == (JobStatus.QUEUED, 4, 1)
    assert rq_job_ids("cpu") == [f"videogen-{running.id}-4"]


# --- user transitions -----------------------------------------------------------------


def test_cancel_retry_and_cancel_again_follow_the_lifecycle(owner, make_job):
    job = make_job(owner, status=JobStatus.QUEUED)

    services.job_cancel(job=job)
    assert job.status == JobStatus.CANCELLED
    services.job_retry(job=job)
    assert (job.status, job.attempt) == (JobStatus.QUEUED, 2)
    services.job_cancel(job=job)
    assert job.status == JobStatus.CANCELLED


def test_a_completed_job_can_neither_be_cancelled_nor_retried(owner, make_job):
    job = make_job(owner, status=JobStatus.COMPLETED)

    with pytest.raises(InvalidInput, match="already completed"):
        services.job_cancel(job=job)
    with pytest.raises(InvalidInput, match="only failed or cancelled"):
        services.job_retry(job=job)


def test_a_retry_from_a_stale_copy_of_the_job_is_refused(owner, make_job):
    job = make_job(owner, status=JobStatus.FAILED)
    stale_copy = Job.objects.get(pk=job.pk)
    services.job_retry(job=job)
    services.job_fail_attempt(job_id=job.id, attempt=2, message="again", permanent=True, from_statuses=("queued",))

    with pytest.raises(InvalidInput):
        services.job_retry(job=stale_copy)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (JobStatus.FAILED, 2)


def test_create_checks_the_project_owner(owner, other_user, make_project):
    project = make_project(owner)

    with pytest.raises(Forbidden):
        services.job_create(user=other_user, request=services.JobRequest(prompt="x", project_id=project.id))


def test_create_with_a_reused_key_and_another_body_is_a_conflict(owner):
    services.job_create(user=owner, request=services.JobRequest(prompt="one"), idempotency_key="k")

    with pytest.raises(Conflict):
        services.job_create(user=owner, request=services.JobRequest(prompt="two"), idempotency_key="k")


def test_the_request_check_raises_what_create_would(owner, other_user, make_project, settings):
    settings.VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER = 1
    services.job_create(user=owner, request=services.JobRequest(prompt="fills the cap"))

    model = services.job_request_check(user=owner, request=services.JobRequest(prompt="ok", resolution="720p"))
    assert model.id == "videogen-procedural-1"  # the cap is create's alone
    with pytest.raises(InvalidInput, match="duration"):
        services.job_request_check(user=owner, request=services.JobRequest(prompt="x", duration=61))
    with pytest.raises(Forbidden):
        services.job_request_check(
            user=other_user, request=services.JobRequest(prompt="x", project_id=make_project(owner).id)
        )

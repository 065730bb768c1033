"""GET, cancel, retry and DELETE on one job, and that nobody but the owner can do any of it."""

import pytest
from django.core.files.storage import default_storage

from jobs import stored_files
from jobs.models import Job, JobStatus
from jobs.tests.helpers import rq_job_ids
from videogen.testing.api import assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]


def url(job_or_id, action: str = "") -> str:
    job_id = getattr(job_or_id, "id", job_or_id)
    return f"/api/v1/jobs/{job_id}" + (f"/{action}" if action else "")


def snapshot(job: Job) -> dict:
    return Job.objects.filter(pk=job.pk).values().get()


# --- GET ------------------------------------------------------------------------------


def test_the_owner_gets_the_job(owner, owner_api, make_job, make_project):
    job = make_job(owner, project=make_project(owner), metadata={"seed": 3})

    response = owner_api.get(url(job))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == job.id
    assert body["userId"] == owner.id
    assert body["projectId"] == job.project_id
    assert body["metadata"] == {"seed": 3}
    assert body["queuePosition"] == 1


def test_a_completed_job_carries_its_result(owner, owner_api, make_job, store_output):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED, used_provider="procedural"))

    body = owner_api.get(url(job)).json()

    assert body["status"] == "completed" and body["progress"] == 100
    assert body["result"] == {
        "videoUrl": f"http://testserver/api/v1/jobs/{job.id}/video?v=1",
        "thumbnailUrl": f"http://testserver/api/v1/jobs/{job.id}/thumbnail?v=1",
        "downloadUrl": f"http://testserver/api/v1/jobs/{job.id}/video?download=1&v=1",
        "width": 854, "height": 480, "fps": 24, "frames": 48, "durationSeconds": 2.0, "sizeBytes": 1000,
        "codec": "h264",
    }
    assert body["generationTimeMs"] == 1200
    assert body["usedProvider"] == "procedural"
    assert body["completedAt"] and body["startedAt"]


def test_a_missing_job_is_404(owner_api):
    assert_api_error(owner_api.get(url("nosuchjob")), 404, mentions="Job not found")


# --- cancel ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.PROCESSING])
def test_the_owner_cancels_an_active_job(owner, owner_api, make_job, status):
    job = make_job(owner, status=status)

    response = owner_api.post(url(job, "cancel"))

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["completedAt"]
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_cancelling_a_queued_job_takes_it_off_the_queue(owner_api, idle_workers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = owner_api.post("/api/v1/jobs", {"prompt": "A lighthouse"}, format="json").json()["id"]
    assert rq_job_ids("cpu") == [f"videogen-{job_id}-1"]

    with django_capture_on_commit_callbacks(execute=True):
        owner_api.post(url(job_id, "cancel"))

    assert rq_job_ids("cpu") == []


@pytest.mark.parametrize("status", [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED])
def test_cancelling_a_finished_job_is_400_and_says_why(owner, owner_api, make_job, status):
    job = make_job(owner, status=status)
    before = snapshot(job)

    response = owner_api.post(url(job, "cancel"))

    assert_api_error(response, 400, mentions=f"Job is already {status}; only queued or processing jobs")
    assert snapshot(job) == before


# --- retry ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELLED])
def test_retrying_queues_a_new_attempt_with_the_retry_count_reset(
    owner, owner_api, make_job, status, idle_workers, django_capture_on_commit_callbacks
):
    job = make_job(owner, status=status, attempt=4, retry_count=3, max_retries=3, progress=60)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(url(job, "retry"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "queued"
    assert body["attempt"] == 5
    assert body["retryCount"] == 0
    assert body["progress"] == 0
    assert body["errorMessage"] == ""
    assert body["completedAt"] is None and body["startedAt"] is None
    assert body["queuePosition"] == 1
    assert rq_job_ids("cpu") == [f"videogen-{job.id}-5"]


def test_retrying_removes_the_previous_attempts_files(owner, owner_api, make_job, store_output,
                                                      django_capture_on_commit_callbacks):
    job = store_output(make_job(owner, status=JobStatus.CANCELLED))
    video_path = job.video_path

    with django_capture_on_commit_callbacks(execute=True):
        body = owner_api.post(url(job, "retry")).json()

    assert body["result"] is None
    assert not default_storage.exists(video_path)


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.COMPLETED])
def test_retrying_a_job_that_is_not_failed_or_cancelled_is_400(owner, owner_api, make_job, status):
    job = make_job(owner, status=status)
    before = snapshot(job)

    response = owner_api.post(url(job, "retry"))

    assert_api_error(response, 400, mentions=f"Job is {status}; only failed or cancelled jobs can be retried")
    assert snapshot(job) == before
    assert rq_job_ids("cpu") == []


# --- delete ---------------------------------------------------------------------------


def test_deleting_removes_the_job_and_its_files(owner, owner_api, make_job, store_output, media_root,
                                                django_capture_on_commit_callbacks):
    job = store_output(make_job(owner, status=JobStatus.COMPLETED))
    assert default_storage.exists(job.video_path) and default_storage.exists(job.thumbnail_path)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.delete(url(job))

    assert response.status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not default_storage.exists(job.video_path)
    assert not default_storage.exists(job.thumbnail_path)
    assert not (media_root / stored_files.job_folder(user_id=owner.id, job_id=job.id)).exists()


def test_deleting_a_processing_job_removes_it(owner, owner_api, make_job, django_capture_on_commit_callbacks):
    job = make_job(owner, status=JobStatus.PROCESSING)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.delete(url(job))

    assert response.status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()
    assert owner_api.get(url(job)).status_code == 404


def test_deleting_a_queued_job_takes_it_off_the_queue(owner_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = owner_api.post("/api/v1/jobs", {"prompt": "A lighthouse"}, format="json").json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        owner_api.delete(url(job_id))

    assert rq_job_ids("cpu") == []


# --- nobody else ----------------------------------------------------------------------

EVERY_ENDPOINT = [
    ("get", ""), ("post", "cancel"), ("post", "retry"), ("delete", ""), ("get", "video"), ("get", "thumbnail"),
]


@pytest.mark.parametrize(("method", "action"), EVERY_ENDPOINT)
@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.FAILED])
def test_another_user_gets_403_on_every_job_endpoint_and_changes_nothing(
    owner, other_api, make_job, store_output, method, action, status, django_capture_on_commit_callbacks
):
    job = store_output(make_job(owner, status=status))
    before = snapshot(job)

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(other_api, method)(url(job, action))

    assert_api_error(response, 403, mentions="You do not have access to this job")
    assert snapshot(job) == before
    assert default_storage.exists(job.video_path)


@pytest.mark.parametrize(("method", "action"), [("get", ""), ("post", "cancel"), ("post", "retry"), ("delete", "")])
def test_staff_get_403_on_another_users_job_through_the_api(
    owner, staff_api, make_job, method, action, django_capture_on_commit_callbacks
):
    job = make_job(owner, status=JobStatus.FAILED)
    before = snapshot(job)

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(staff_api, method)(url(job, action))

    assert_api_error(response, 403)
    assert snapshot(job) == before


@pytest.mark.parametrize(("method", "action"), EVERY_ENDPOINT)
def test_a_missing_job_is_404_on_every_endpoint(owner_api, method, action):
    response = getattr(owner_api, method)(url("nosuchjob", action))

    assert_api_error(response, 404)


@pytest.mark.parametrize(("method", "action"), EVERY_ENDPOINT)
def test_every_job_endpoint_requires_authentication(owner, anon_api, make_job, method, action):
    job = make_job(owner)

    assert_api_error(getattr(anon_api, method)(url(job, action)), 401)
    assert Job.objects.filter(pk=job.pk).exists()

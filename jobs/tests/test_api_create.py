"""POST /api/v1/jobs: the saved job, its defaults, every validation error, the cap, the enqueue."""

import pytest
from django.test import override_settings

from jobs.catalog_defaults import default_models
from jobs.models import Job, JobStatus
from jobs.tests.helpers import rq_job_ids
from videogen.testing.api import assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

URL = "/api/v1/jobs"

JOB_BODY_KEYS = {
    "id", "userId", "projectId", "status", "prompt", "model", "resolution", "quality", "duration", "metadata",
    "progress", "result", "startedAt", "completedAt", "retryCount", "maxRetries", "usedProvider", "usedModel",
    "generationTimeMs", "errorMessage", "createdAt", "updatedAt", "queuePosition", "attempt",
    "seed", "imageId", "negativePrompt", "steps", "guidanceScale",
}

# A catalog with a short, low-resolution model next to the default one.
SMALL_CATALOG = {
    **default_models(),
    "tiny-model": {"engine": "procedural", "queue": "cpu", "resolutions": ["480p"], "max_duration": 5, "fps": 12},
}


def post(api, **body):
    return api.post(URL, body, format="json")


def test_it_creates_a_queued_job_with_the_full_body(owner, owner_api, make_project):
    project = make_project(owner)

    response = post(
        owner_api, prompt="A lighthouse at dusk", projectId=project.id, model="videogen-procedural-1",
        resolution="720p", quality="medium", duration=8, metadata={"seed": 7, "style": "film"}, maxRetries=2,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == JOB_BODY_KEYS
    job = Job.objects.get()
    assert body["id"] == job.id and not job.id.isdigit()
    assert body["userId"] == owner.id
    assert body["projectId"] == project.id
    assert body["status"] == "queued"
    assert body["prompt"] == "A lighthouse at dusk"
    assert (body["model"], body["resolution"], body["quality"], body["duration"]) == (
        "videogen-procedural-1", "720p", "medium", 8,
    )
    assert body["metadata"] == {"seed": 7, "style": "film"}
    assert body["progress"] == 0
    assert body["result"] is None
    assert body["startedAt"] is None and body["completedAt"] is None
    assert body["retryCount"] == 0 and body["maxRetries"] == 2
    assert body["attempt"] == 1
    assert body["queuePosition"] == 1
    assert body["generationTimeMs"] is None
    assert body["createdAt"] and body["updatedAt"]
    assert job.user == owner and job.project == project and job.status == JobStatus.QUEUED
    assert (job.resolution, job.quality, job.duration, job.max_retries) == ("720p", "medium", 8, 2)


def test_it_fills_in_the_defaults(owner_api):
    response = post(owner_api, prompt="A lighthouse at dusk")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["model"] == "videogen-procedural-1"
    assert body["resolution"] == "1080p"
    assert body["quality"] == "high"
    assert body["duration"] == 5
    assert body["maxRetries"] == 3
    assert body["metadata"] == {}
    assert body["projectId"] is None


def test_staff_create_jobs_of_their_own(staff, staff_api):
    response = post(staff_api, prompt="A lighthouse at dusk")

    assert response.status_code == 201
    assert Job.objects.get().user == staff


def test_it_enqueues_exactly_one_rq_job_after_the_commit(owner_api, idle_workers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner_api, prompt="A lighthouse at dusk")

    job_id = response.json()["id"]
    assert rq_job_ids("cpu") == [f"videogen-{job_id}-1"]


def test_it_enqueues_nothing_before_the_commit(owner_api, idle_workers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(owner_api, prompt="A lighthouse at dusk")

    assert len(callbacks) == 1
    assert rq_job_ids("cpu") == []


def test_it_enqueues_on_the_models_own_queue(owner_api, idle_workers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner_api, prompt="A lighthouse", model="wan2.1-t2v-1.3b", resolution="480p", duration=3)

    assert response.status_code == 201, response.content
    assert rq_job_ids("gpu") == [f"videogen-{response.json()['id']}-1"]
    assert rq_job_ids("cpu") == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"prompt": None}, "prompt", "This field may not be null."),
        ({"prompt": ""}, "prompt", "This field may not be blank."),
        ({"prompt": "  \n\t "}, "prompt", "This field may not be blank."),
        ({"prompt": "x" * 5001}, "prompt", "Ensure this field has no more than 5000 characters."),
        ({"prompt": "a\x00b"}, "prompt", "Null characters are not allowed."),
        ({"resolution": "8k"}, "resolution", "Must be one of 480p, 720p, 1080p, 4k."),
        ({"quality": "ultra"}, "quality", "Must be one of low, medium, high."),
        # The contract's messages, the same as on the pages and in the admin.
        ({"duration": 0}, "duration", "Must be between 1 and 60 seconds."),
        ({"duration": 61}, "duration", "Must be between 1 and 60 seconds."),
        ({"duration": "five"}, "duration", "A valid integer is required."),
        ({"duration": 2.5}, "duration", "A valid integer is required."),
        ({"metadata": [1, 2]}, "metadata", "Must be a JSON object."),
        ({"metadata": "seed=1"}, "metadata", "Must be a JSON object."),
        ({"maxRetries": 11}, "maxRetries", "Must be between 0 and 10."),
        ({"maxRetries": -1}, "maxRetries", "Must be between 0 and 10."),
        # Strict types: nothing is converted (DRF would turn 123 into "123" and "3" into 3).
        ({"prompt": 123}, "prompt", "Must be a string."),
        ({"prompt": True}, "prompt", "Must be a string."),
        ({"duration": "3"}, "duration", "A valid integer is required."),
        ({"duration": True}, "duration", "A valid integer is required."),
        ({"maxRetries": "3"}, "maxRetries", "A valid integer is required."),
        ({"resolution": 720}, "resolution", "Must be a string."),
        ({"quality": ["high"]}, "quality", "Must be a string."),
        ({"model": 5}, "model", "Must be a string."),
        ({"projectId": 12}, "projectId", "Must be a string."),
    ],
)
def test_it_rejects_a_bad_field_naming_it(owner_api, body, field, message):
    response = post(owner_api, **{"prompt": "A lighthouse", **body})

    payload = assert_api_error(response, 400, field=field, mentions=message)
    assert payload["details"] == {field: [message]}
    assert not Job.objects.exists()


def test_it_requires_a_prompt(owner_api):
    response = post(owner_api, resolution="720p")

    assert_api_error(response, 400, field="prompt", mentions="This field is required.")


def test_it_accepts_a_prompt_of_exactly_5000_characters(owner_api):
    assert post(owner_api, prompt="x" * 5000).status_code == 201


@override_settings(VIDEOGEN_MODELS=SMALL_CATALOG)
def test_it_rejects_a_duration_over_the_model_limit(owner_api):
    response = post(owner_api, prompt="A lighthouse", model="tiny-model", resolution="480p", duration=6)

    assert_api_error(response, 400, field="duration", mentions="renders at most 5 seconds")
    assert not Job.objects.exists()


@override_settings(VIDEOGEN_MODELS=SMALL_CATALOG)
def test_it_accepts_a_duration_at_the_model_limit(owner_api):
    response = post(owner_api, prompt="A lighthouse", model="tiny-model", resolution="480p", duration=5)

    assert response.status_code == 201, response.content


@override_settings(VIDEOGEN_MODELS=SMALL_CATALOG)
def test_it_rejects_a_resolution_the_model_does_not_support(owner_api):
    response = post(owner_api, prompt="A lighthouse", model="tiny-model", resolution="1080p", duration=2)

    assert_api_error(response, 400, field="resolution", mentions="supports 480p, not 1080p")


def test_it_rejects_an_unknown_model(owner_api):
    response = post(owner_api, prompt="A lighthouse", model="sora-99")

    assert_api_error(response, 400, field="model", mentions="Unknown model 'sora-99'")


def test_it_rejects_metadata_over_16_kb(owner_api):
    response = post(owner_api, prompt="A lighthouse", metadata={"notes": "x" * (16 * 1024)})

    assert_api_error(response, 400, field="metadata", mentions="at most 16384 bytes")


def test_it_accepts_metadata_just_under_16_kb(owner_api):
    padding = 16 * 1024 - len('{"notes":""}')

    assert post(owner_api, prompt="A lighthouse", metadata={"notes": "x" * padding}).status_code == 201


def test_it_rejects_metadata_with_a_null_character(owner_api):
    response = post(owner_api, prompt="A lighthouse", metadata={"notes": ["fine", "not\x00fine"]})

    assert_api_error(response, 400, field="metadata", mentions="Null characters")


def test_it_rejects_a_project_that_does_not_exist(owner_api):
    response = post(owner_api, prompt="A lighthouse", projectId="nosuchproject")

    assert_api_error(response, 400, field="projectId", mentions="does not exist")


@pytest.mark.parametrize("persona", ["other_api", "staff_api"])
def test_it_refuses_another_users_project(request, owner, make_project, persona):
    project = make_project(owner)

    response = post(request.getfixturevalue(persona), prompt="A lighthouse", projectId=project.id)

    assert_api_error(response, 403, mentions="another user")
    assert not Job.objects.exists()


def test_it_rejects_a_body_that_is_not_an_object(owner_api):
    response = owner_api.post(URL, ["A lighthouse"], format="json")

    assert_api_error(response, 400, mentions="Expected a JSON object")


def test_it_requires_authentication(anon_api):
    response = post(anon_api, prompt="A lighthouse")

    assert_api_error(response, 401, mentions="credentials were not provided")
    assert not Job.objects.exists()


@override_settings(VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER=2)
def test_it_answers_429_once_the_active_jobs_reach_the_cap(owner_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert post(owner_api, prompt="one").status_code == 201
        assert post(owner_api, prompt="two").status_code == 201
        response = post(owner_api, prompt="three")

    assert_api_error(response, 429, mentions="2 active jobs (the limit is 2)")
    assert response["Retry-After"]
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 2


@override_settings(VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER=2)
def test_finished_jobs_and_other_users_jobs_do_not_count_toward_the_cap(owner, other_user, owner_api, make_job):
    make_job(owner, status=JobStatus.QUEUED)
    make_job(owner, status=JobStatus.COMPLETED)
    make_job(owner, status=JobStatus.FAILED)
    make_job(owner, status=JobStatus.CANCELLED)
    make_job(other_user, status=JobStatus.PROCESSING)
    make_job(other_user, status=JobStatus.QUEUED)

    assert post(owner_api, prompt="second active").status_code == 201
    assert post(owner_api, prompt="third active").status_code == 429


# --- values PostgreSQL would refuse, caught as 400s ------------------------------------


def test_it_rejects_metadata_nested_too_deeply(owner_api):
    nested: dict = {}
    for _ in range(600):
        nested = {"a": nested}
    response = owner_api.post("/api/v1/jobs", {"prompt": "deep", "metadata": nested}, format="json")
    assert response.status_code == 400
    assert "metadata" in response.json()["error"] and "nested" in response.json()["error"]


def test_it_rejects_metadata_with_a_lone_surrogate(owner_api):
    body = '{"prompt": "surrogate", "metadata": {"k\\ud800": 1}}'
    response = owner_api.post("/api/v1/jobs", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["details"]["metadata"]


def test_a_job_id_with_a_nul_byte_is_simply_not_found(owner_api):
    assert owner_api.get("/api/v1/jobs/a%00b").status_code == 404
    assert owner_api.post("/api/v1/jobs/a%00b/cancel").status_code == 404


def test_a_project_filter_with_a_nul_byte_is_a_400_naming_the_field(owner_api):
    response = owner_api.get("/api/v1/jobs?projectId=a%00b")
    assert response.status_code == 400
    assert "projectId" in response.json()["details"]


NARROW_CATALOG = {
    **default_models(),
    "short-clips": {"engine": "procedural", "params": {
        "duration": {"min": 2, "max": 8, "default": 4}, "quality": {"choices": ["low", "medium"], "default": "low"},
    }},
}


@override_settings(VIDEOGEN_MODELS=NARROW_CATALOG)
def test_a_parameter_left_out_takes_the_models_own_default(owner_api):
    response = post(owner_api, prompt="A lighthouse", model="short-clips", resolution="480p")

    assert response.status_code == 201, response.content
    assert (response.json()["duration"], response.json()["quality"]) == (4, "low")
    # Without a model of its own, the platform's defaults, as before.
    default = post(owner_api, prompt="A lighthouse").json()
    assert (default["duration"], default["quality"], default["resolution"]) == (5, "high", "1080p")


@override_settings(VIDEOGEN_MODELS=NARROW_CATALOG)
@pytest.mark.parametrize(("body", "field", "message"), [
    ({"duration": 1}, "duration", "Model 'short-clips' accepts duration between 2 and 8 seconds; got 1."),
    ({"duration": 9}, "duration", "Model 'short-clips' renders at most 8 seconds; got 9."),
    ({"quality": "high"}, "quality", "Model 'short-clips' supports low, medium, not high."),
])
def test_a_models_narrowed_ranges_are_enforced(owner_api, body, field, message):
    response = post(owner_api, prompt="A lighthouse", model="short-clips", resolution="480p", **body)

    payload = assert_api_error(response, 400, field=field, mentions=message)
    assert payload["details"] == {field: [message]}

"""GET /api/v1/jobs: the caller's jobs only, newest first, filtered and paged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Job, JobStatus
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/jobs"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [job["id"] for job in response.json()["jobs"]]


def aged(job: Job, minutes: int) -> Job:
    """Move a job's creation into the past, so 'newest first' has a definite answer."""
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return job


def test_it_lists_the_callers_jobs_newest_first(owner, owner_api, make_job):
    old = aged(make_job(owner), 30)
    middle = aged(make_job(owner), 20)
    new = aged(make_job(owner), 10)

    response = owner_api.get(URL)

    assert ids(response) == [new.id, middle.id, old.id]
    assert response.json()["total"] == 3
    assert (response.json()["skip"], response.json()["take"]) == (0, 50)


def test_it_answers_the_job_body_for_each_row(owner, owner_api, make_job):
    make_job(owner)

    job = owner_api.get(URL).json()["jobs"][0]

    assert {"id", "userId", "status", "result", "queuePosition", "attempt", "createdAt"} <= set(job)


@pytest.mark.parametrize("persona", ["other_api", "staff_api"])
def test_it_never_shows_another_users_jobs(request, owner, make_job, persona):
    make_job(owner)

    response = request.getfixturevalue(persona).get(URL)

    assert ids(response) == []
    assert response.json()["total"] == 0


def test_it_filters_by_status(owner, owner_api, make_job):
    failed = make_job(owner, status=JobStatus.FAILED)
    make_job(owner, status=JobStatus.COMPLETED)
    make_job(owner, status=JobStatus.QUEUED)

    response = owner_api.get(URL, {"status": "failed"})

    assert ids(response) == [failed.id]
    assert response.json()["total"] == 1


def test_it_filters_by_project(owner, owner_api, make_job, make_project):
    project = make_project(owner)
    inside = make_job(owner, project=project)
    make_job(owner)

    response = owner_api.get(URL, {"projectId": project.id})

    assert ids(response) == [inside.id]


def test_filtering_by_another_users_project_shows_nothing(owner, other_user, other_api, make_job, make_project):
    project = make_project(owner)
    make_job(owner, project=project)

    assert ids(other_api.get(URL, {"projectId": project.id})) == []


def test_it_combines_the_filters(owner, owner_api, make_job, make_project):
    project = make_project(owner)
    wanted = make_job(owner, project=project, status=JobStatus.CANCELLED)
    make_job(owner, project=project, status=JobStatus.QUEUED)
    make_job(owner, status=JobStatus.CANCELLED)

    assert ids(owner_api.get(URL, {"projectId": project.id, "status": "cancelled"})) == [wanted.id]


def test_it_rejects_an_unknown_status_naming_the_field(owner_api):
    response = owner_api.get(URL, {"status": "done"})

    assert_api_error(response, 400, field="status", mentions="Must be one of queued, processing")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"skip": "-1"}, "skip", "must be between 0"),
        ({"skip": "a"}, "skip", "must be an integer"),
        ({"take": "0"}, "take", "must be between 1 and 100"),
        ({"take": "101"}, "take", "must be between 1 and 100"),
        ({"take": "ten"}, "take", "must be an integer"),
    ],
)
def test_it_rejects_bad_paging_naming_the_field(owner_api, params, field, message):
    assert_api_error(owner_api.get(URL, params), 400, field=field, mentions=message)


def test_it_pages_with_skip_and_take(owner, owner_api, make_job):
    jobs = [aged(make_job(owner), minutes) for minutes in (50, 40, 30, 20, 10)]
    newest_first = [job.id for job in reversed(jobs)]

    response = owner_api.get(URL, {"skip": 1, "take": 2})

    assert ids(response) == newest_first[1:3]
    assert response.json()["total"] == 5
    assert (response.json()["skip"], response.json()["take"]) == (1, 2)


def test_it_accepts_take_100(owner_api):
    assert owner_api.get(URL, {"take": 100}).json()["take"] == 100


def test_a_page_past_the_end_is_empty(owner, owner_api, make_job):
    make_job(owner)

    response = owner_api.get(URL, {"skip": 5})

    assert ids(response) == []
    assert response.json()["total"] == 1


def test_it_requires_authentication(anon_api):
    assert_api_error(anon_api.get(URL), 401)


def test_queued_jobs_show_their_place_in_the_queue(owner, owner_api):
    created = [owner_api.post(URL, {"prompt": f"job {n}"}, format="json").json()["id"] for n in range(3)]

    jobs = {job["id"]: job for job in owner_api.get(URL).json()["jobs"]}

    assert [jobs[job_id]["queuePosition"] for job_id in created] == [1, 2, 3]


def test_only_queued_jobs_have_a_queue_position(owner, owner_api, make_job):
    make_job(owner, status=JobStatus.PROCESSING)
    make_job(owner, status=JobStatus.COMPLETED)

    jobs = owner_api.get(URL).json()["jobs"]

    assert [job["queuePosition"] for job in jobs] == [None, None]


def test_it_runs_the_same_queries_for_1_and_25_jobs(owner, owner_api, make_job, make_project,
                                                    django_assert_num_queries):
    project = make_project(owner)
    make_job(owner, project=project)
    # the token's user, the count, the page, and for queue positions (jobs.positions): the
    # asked jobs' ranks and the per-user groups of their queue
    with django_assert_num_queries(5):
        assert len(ids(owner_api.get(URL))) == 1

    for index in range(24):
        make_job(owner, project=project if index % 2 else None, status=JobStatus.values[index % 5])
    with django_assert_num_queries(5):
        assert len(ids(owner_api.get(URL))) == 25

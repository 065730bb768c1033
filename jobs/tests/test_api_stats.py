"""GET /api/v1/jobs/stats/summary: counts per status, success rate and average generation time."""

import pytest

from jobs.models import JobStatus
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/jobs/stats/summary"


def test_a_new_user_sees_every_status_at_zero(owner_api):
    response = owner_api.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "total": 0,
        "by_status": {"queued": 0, "processing": 0, "completed": 0, "failed": 0, "cancelled": 0},
        "success_rate": 0.0,
        "avg_generation_time_ms": None,
    }


def test_it_counts_each_status_and_the_success_rate(owner, owner_api, make_job):
    for status, count in [(JobStatus.QUEUED, 2), (JobStatus.PROCESSING, 1), (JobStatus.COMPLETED, 3),
                          (JobStatus.FAILED, 1), (JobStatus.CANCELLED, 4)]:
        for _ in range(count):
            make_job(owner, status=status)

    body = owner_api.get(URL).json()

    assert body["total"] == 11
    assert body["by_status"] == {"queued": 2, "processing": 1, "completed": 3, "failed": 1, "cancelled": 4}
    assert body["success_rate"] == 0.75  # completed / (completed + failed): cancelled ones do not count


def test_the_average_generation_time_is_over_completed_jobs(owner, owner_api, make_job):
    make_job(owner, status=JobStatus.COMPLETED, generation_time_ms=1000)
    make_job(owner, status=JobStatus.COMPLETED, generation_time_ms=2000)
    make_job(owner, status=JobStatus.FAILED, generation_time_ms=None)

    body = owner_api.get(URL).json()

    assert body["avg_generation_time_ms"] == 1500
    assert body["success_rate"] == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.parametrize("persona", ["other_api", "staff_api"])
def test_it_counts_only_the_callers_jobs(request, owner, make_job, persona):
    make_job(owner, status=JobStatus.COMPLETED)

    body = request.getfixturevalue(persona).get(URL).json()

    assert body["total"] == 0
    assert body["by_status"]["completed"] == 0


def test_it_requires_authentication(anon_api):
    assert_api_error(anon_api.get(URL), 401)

"""Idempotency-Key on POST /api/v1/jobs: one key, one job, one enqueue, even when requests race."""

import threading

import pytest
from django.db import connection

from conftest import client_for
from jobs.models import Job
from jobs.tests.helpers import rq_job_ids
from videogen.testing.api import assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

URL = "/api/v1/jobs"
BODY = {"prompt": "A lighthouse at dusk", "resolution": "720p", "duration": 3, "metadata": {"seed": 1}}


def post(api, body=BODY, key="key-1"):
    return api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_return_the_same_job_with_200(owner_api, idle_workers,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(owner_api)
    with django_capture_on_commit_callbacks(execute=True) as second_callbacks:
        second = post(owner_api)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["status"] == "queued"
    assert Job.objects.count() == 1
    assert second_callbacks == []
    assert rq_job_ids("cpu") == [f"videogen-{first.json()['id']}-1"]


def test_the_same_key_with_another_body_is_a_conflict(owner_api):
    first = post(owner_api)

    response = post(owner_api, {**BODY, "duration": 4})

    assert first.status_code == 201
    assert_api_error(response, 409, mentions="different request body")
    assert Job.objects.count() == 1


def test_a_defaulted_field_sent_explicitly_is_the_same_body(owner_api):
    first = post(owner_api, {"prompt": "A lighthouse"})

    second = post(owner_api, {"prompt": "A lighthouse", "quality": "high", "maxRetries": 3, "metadata": None})

    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]


def test_a_key_is_scoped_to_its_user(owner_api, other_api):
    mine = post(owner_api)

    theirs = post(other_api)

    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
    assert Job.objects.count() == 2


def test_different_keys_make_different_jobs(owner_api):
    post(owner_api, key="key-1")
    post(owner_api, key="key-2")

    assert Job.objects.count() == 2


def test_without_a_key_each_request_is_a_new_job(owner_api):
    owner_api.post(URL, BODY, format="json")
    owner_api.post(URL, BODY, format="json")

    assert Job.objects.count() == 2


def test_a_key_over_255_characters_is_rejected(owner_api):
    response = post(owner_api, key="k" * 256)

    assert_api_error(response, 400, field="Idempotency-Key", mentions="1 to 255 characters")
    assert not Job.objects.exists()


def test_a_replay_answers_even_when_the_active_cap_is_reached(owner_api, settings):
    settings.VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER = 1
    first = post(owner_api)

    second = post(owner_api)

    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_creates_with_one_key_make_exactly_one_job(owner, idle_workers):
    clients = [client_for(owner) for _ in range(20)]
    start = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def create(index: int) -> None:
        try:
            start.wait()
            responses[index] = post(clients[index], key="race")
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 19 + [201]
    job = Job.objects.get()
    assert {response.json()["id"] for response in responses} == {job.id}
    assert rq_job_ids("cpu") == [f"videogen-{job.id}-1"]

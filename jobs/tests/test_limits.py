"""Per-user limits on queueing jobs: the active cap holds for retries too (issue 11 §4),
and job creation is rate limited (VIDEOGEN_JOB_CREATE_RATE), with the production defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from jobs.models import ACTIVE_STATUSES, Job, JobStatus
from videogen.testing.api import assert_api_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]

URL = "/api/v1/jobs"
CAP_MESSAGE = "20 active jobs (the limit is 20)"


def create(api, n: int) -> list[str]:
    ids = []
    for index in range(n):
        response = api.post(URL, {"prompt": f"job {index}"}, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


@pytest.fixture
def twenty_cancelled_and_twenty_active(owner_api):
    """Cancel 20 jobs, create 20 more: the user is at the default cap of 20 active jobs."""
    cancelled = create(owner_api, 20)
    for job_id in cancelled:
        assert owner_api.post(f"{URL}/{job_id}/cancel").status_code == 200
    create(owner_api, 20)
    return cancelled


def active(user) -> int:
    return Job.objects.filter(user=user, status__in=ACTIVE_STATUSES).count()


def test_a_retry_over_the_active_cap_is_refused_through_the_api(owner, owner_api, twenty_cancelled_and_twenty_active):
    response = owner_api.post(f"{URL}/{twenty_cancelled_and_twenty_active[0]}/retry")

    assert_api_error(response, 429, mentions=CAP_MESSAGE)
    assert response["Retry-After"]
    assert active(owner) == 20
    assert Job.objects.get(pk=twenty_cancelled_and_twenty_active[0]).status == JobStatus.CANCELLED


def test_a_retry_over_the_active_cap_is_refused_on_the_page(owner, owner_client, twenty_cancelled_and_twenty_active):
    response = owner_client.post(f"/jobs/{twenty_cancelled_and_twenty_active[0]}/retry", follow=True)

    assert response.status_code == 200
    assert any(CAP_MESSAGE in str(message) for message in get_messages(response.wsgi_request)) or \
        CAP_MESSAGE in response.content.decode()
    assert active(owner) == 20


def test_a_retry_over_the_active_cap_is_refused_in_the_admin(owner, client, staff, twenty_cancelled_and_twenty_active):
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="jobs"))
    client.force_login(staff)

    response = client.post("/admin/jobs/job/", {"action": "retry_selected",
                                                "_selected_action": twenty_cancelled_and_twenty_active[:3]},
                           follow=True)

    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert sum(CAP_MESSAGE in text for text in texts) == 3, texts
    assert active(owner) == 20


def test_a_retry_under_the_cap_still_works(owner, owner_api, make_job):
    job = make_job(owner, status=JobStatus.FAILED)
    assert owner_api.post(f"{URL}/{job.id}/retry").status_code == 200


# --- the creation rate --------------------------------------------------------------------


def test_the_sixty_first_create_in_a_minute_answers_429_with_retry_after(owner, owner_api, make_job):
    # 60 jobs created within the last minute (finished: the active cap is not what stops it).
    now = timezone.now()
    for index in range(60):
        job = make_job(owner, status=JobStatus.COMPLETED)
        Job.objects.filter(pk=job.pk).update(created_at=now - timedelta(seconds=50 - index * 0.5))

    response = owner_api.post(URL, {"prompt": "one too many"}, format="json")

    assert_api_error(response, 429, mentions="at most 60 jobs per minute")
    assert 1 <= int(response["Retry-After"]) <= 11  # the oldest of the 60 leaves the window in ~10 s
    assert not Job.objects.filter(prompt="one too many").exists()


def test_jobs_older_than_the_window_do_not_count(owner, owner_api, make_job):
    for _ in range(60):
        job = make_job(owner, status=JobStatus.COMPLETED)
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=61))

    assert owner_api.post(URL, {"prompt": "fine"}, format="json").status_code == 201


def test_an_idempotent_replay_is_not_counted(owner, owner_api, settings):
    settings.VIDEOGEN_JOB_CREATE_RATE = (1, 60)
    headers = {"HTTP_IDEMPOTENCY_KEY": "same"}
    assert owner_api.post(URL, {"prompt": "once"}, format="json", **headers).status_code == 201
    assert owner_api.post(URL, {"prompt": "once"}, format="json", **headers).status_code == 200
    assert_api_error(owner_api.post(URL, {"prompt": "twice"}, format="json"), 429, mentions="at most 1 jobs per minute")


def test_another_users_jobs_do_not_count(owner_api, other_user, make_job, settings):
    settings.VIDEOGEN_JOB_CREATE_RATE = (1, 60)
    make_job(other_user)
    assert owner_api.post(URL, {"prompt": "mine"}, format="json").status_code == 201


def test_the_create_page_shows_the_rate_limit_as_a_form_error(owner, owner_client, settings):
    settings.VIDEOGEN_JOB_CREATE_RATE = (1, 3600)
    form = {"prompt": "a lighthouse", "model": "videogen-procedural-1", "resolution": "480p", "quality": "low",
            "duration": 2, "max_retries": 3}
    assert owner_client.post("/create", form).status_code == 302

    response = owner_client.post("/create", form)

    assert response.status_code == 429
    assert "at most 1 jobs per hour" in response.content.decode()
    assert Job.objects.filter(user=owner).count() == 1


@pytest.mark.parametrize("value", ["60", "0/min", "ten/min", "60/fortnight", "-1/s"])
def test_a_bad_rate_setting_stops_the_start_up(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from videogen.env import env_rate

    monkeypatch.setenv("VIDEOGEN_JOB_CREATE_RATE", value)
    with pytest.raises(ImproperlyConfigured, match="VIDEOGEN_JOB_CREATE_RATE"):
        env_rate("VIDEOGEN_JOB_CREATE_RATE", "60/min")


def test_rate_settings_read_as_count_and_seconds(monkeypatch):
    from videogen.env import env_rate

    monkeypatch.setenv("VIDEOGEN_JOB_CREATE_RATE", "100/hour")
    assert env_rate("VIDEOGEN_JOB_CREATE_RATE", "60/min") == (100, 3600)
    monkeypatch.delenv("VIDEOGEN_JOB_CREATE_RATE")
    assert env_rate("VIDEOGEN_JOB_CREATE_RATE", "60/min") == (60, 60)

"""Fair share with real `manage.py worker` processes (issue 16): the order in which
jobs start, read from the jobs' own startedAt."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from conftest import client_for
from jobs.models import Job, JobStatus
from jobs.tests.live_workers import wait_until
from jobs.tests.test_faults import create_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start_order(ids: list[str]) -> list[str]:
    return list(Job.objects.filter(pk__in=ids, started_at__isnull=False).order_by("started_at", "id")
                .values_list("id", flat=True))


def all_completed(ids: list[str], timeout: float = 90) -> None:
    wait_until(lambda: Job.objects.filter(pk__in=ids, status=JobStatus.COMPLETED).count() == len(ids),
               timeout=timeout, interval=0.1, message=f"{len(ids)} jobs to complete")


def wait_idle(worker) -> None:
    """Until the worker waits for a job: it has run its dispatch before waiting."""
    from jobs import queueing

    redis = queueing.connection()
    wait_until(lambda: redis.hget(f"rq:worker:{worker.name}", "state") in (b"idle", "idle"), timeout=60,
               message="the worker to be idle")


@pytest.fixture
def staff_client(client, staff):
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="jobs"))
    client.force_login(staff)
    return client


def test_one_job_behind_twenty_of_another_user_is_among_the_next_two_to_start(
    owner, other_user, live_workers, clean_redis
):
    live_workers.start()
    a = client_for(owner)
    many = [create_job(a, prompt=f"a {n}", model="test-slow", duration=1) for n in range(20)]
    wait_until(lambda: Job.objects.filter(pk=many[0], status=JobStatus.PROCESSING).exists(), timeout=60,
               message="user A's first job to start")
    late = create_job(client_for(other_user), prompt="b 0", model="test-slow", duration=1)
    created = Job.objects.get(pk=late).created_at

    wait_until(lambda: Job.objects.filter(pk=late, status=JobStatus.COMPLETED).exists(), timeout=60,
               message="user B's job to complete")
    after = list(Job.objects.filter(pk__in=[*many, late], started_at__gt=created).order_by("started_at")
                 .values_list("id", flat=True))
    assert late in after[:2], f"B started at place {after.index(late) + 1} after arriving"


def test_three_users_interleave(make_user, live_workers, clean_redis):
    apis = [client_for(make_user(f"user{n}@example.com")) for n in range(3)]
    jobs = [[create_job(api, prompt=f"u{n} {k}") for k in range(3)] for n, api in enumerate(apis)]
    live_workers.start()

    ids = [job for per_user in jobs for job in per_user]
    all_completed(ids)
    assert start_order(ids) == [jobs[n][k] for k in range(3) for n in range(3)]


def test_a_user_at_the_running_limit_does_not_hold_back_others(owner, other_user, live_workers, clean_redis,
                                                               settings):
    settings.VIDEOGEN_MAX_RUNNING_PER_USER = 1
    a = client_for(owner)
    mine = [create_job(a, prompt=f"limited {n}", model="test-slow", duration=3) for n in range(3)]
    live_workers.start(VIDEOGEN_MAX_RUNNING_PER_USER="1")
    live_workers.start(VIDEOGEN_MAX_RUNNING_PER_USER="1")
    wait_until(lambda: Job.objects.filter(pk=mine[0], status=JobStatus.PROCESSING).exists(), timeout=60,
               message="the first limited job to start")
    theirs = create_job(client_for(other_user), prompt="not held back", model="test-slow", duration=1)

    wait_until(lambda: Job.objects.filter(pk=theirs, status=JobStatus.COMPLETED).exists(), timeout=60,
               message="the other user's job to complete")
    first = Job.objects.get(pk=mine[0])
    other = Job.objects.get(pk=theirs)
    # It started on the second worker while user A's first job still ran...
    assert first.completed_at is None or other.started_at < first.completed_at
    all_completed(mine, timeout=120)
    # ...and user A never ran two at once.
    rows = list(Job.objects.filter(pk__in=mine).order_by("started_at").values_list("started_at", "completed_at"))
    assert all(rows[i][1] <= rows[i + 1][0] for i in range(len(rows) - 1))


def test_priority_set_by_staff_moves_a_job_ahead(owner, live_workers, clean_redis, staff_client):
    api = client_for(owner)
    ids = [create_job(api, prompt=f"p {n}") for n in range(4)]
    response = staff_client.post("/admin/jobs/job/", {"action": "move_to_front", "_selected_action": [ids[3]]})
    assert response.status_code == 302
    live_workers.start()

    all_completed(ids)
    assert start_order(ids) == [ids[3], ids[0], ids[1], ids[2]]


def test_pause_stops_new_starts_and_resume_continues(owner, live_workers, clean_redis, staff_client):
    assert staff_client.post("/admin/jobs/job/queues/cpu/pause/").status_code == 302
    api = client_for(owner)
    waiting = create_job(api, prompt="paused 0")
    worker = live_workers.start()
    wait_idle(worker)  # it has dispatched before waiting: nothing, the queue is paused
    later = create_job(api, prompt="paused 1")  # and this create's dispatch (after commit) found it paused
    assert Job.objects.filter(pk__in=[waiting, later], dispatched_at__isnull=True,
                              status=JobStatus.QUEUED).count() == 2
    page = staff_client.get("/admin/jobs/job/queues/").content.decode()
    assert "Queue cpu · paused" in page and waiting in page and later in page

    assert staff_client.post("/admin/jobs/job/queues/cpu/resume/").status_code == 302
    all_completed([waiting, later])
    assert live_workers.executions("paused 0") == ["start", "done"]

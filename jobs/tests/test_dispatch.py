"""The database decides which job starts next (jobs.dispatch): fair order across users,
priority, running limits, backoff, pause, and the queue positions users see."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from jobs import dispatch, dispatch_sql, queueing
from jobs.models import Job, JobStatus, QueueControl, QueueTurn
from jobs.tests.helpers import rq_job_ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clean_redis")]


@pytest.fixture
def queued(make_job):
    """Queued jobs created one after another (queued_at a second apart)."""
    start = timezone.now() - timedelta(hours=1)
    count = [0]

    def make(user, **fields) -> Job:
        count[0] += 1
        return make_job(user, queued_at=start + timedelta(seconds=count[0]), **fields)

    return make


def handed_out() -> list[str]:
    """Job ids in Redis, in the order the worker will take them."""
    return [rq_id.split("-")[1] for rq_id in rq_job_ids("cpu")]


def order(queue: str = "cpu") -> list[str]:
    return [job.id for job in dispatch.queue_order([queue]).get(queue, [])]


def test_nothing_is_handed_out_without_an_idle_worker(owner, queued):
    queued(owner)
    assert dispatch.dispatch("cpu") == []
    assert handed_out() == []


def test_one_attempt_per_idle_worker(owner, other_user, queued, idle_workers):
    first, second = queued(owner), queued(other_user)
    assert dispatch.dispatch("cpu") == [first.id]
    assert dispatch.dispatch("cpu") == []  # that worker is promised a job already
    idle_workers(1)
    assert dispatch.dispatch("cpu") == [second.id]
    assert handed_out() == [first.id, second.id]


def test_a_user_arriving_behind_a_twenty_job_user_goes_next(owner, other_user, queued, idle_workers):
    many = [queued(owner) for _ in range(20)]
    late = queued(other_user)
    # The first of the 20 was served: the newcomer is next, then the 20 go on.
    QueueTurn.objects.create(user=owner, queue="cpu", served_at=timezone.now())

    assert order()[:3] == [late.id, many[0].id, many[1].id]
    assert dispatch.dispatch("cpu") == [late.id]


def test_three_users_interleave(make_user, queued):
    users = [make_user(f"user{n}@example.com") for n in range(3)]
    jobs = {user.pk: [queued(user) for _ in range(3)] for user in users}

    expected = [jobs[user.pk][round_].id for round_ in range(3) for user in users]
    assert order() == expected


def test_the_highest_priority_goes_first_whoever_was_served(owner, other_user, queued):
    normal = queued(owner)
    urgent = queued(other_user, priority=5)
    QueueTurn.objects.create(user=other_user, queue="cpu", served_at=timezone.now())

    assert order() == [urgent.id, normal.id]


def test_a_user_at_the_running_limit_does_not_hold_back_others(owner, other_user, make_job, queued,
                                                               idle_workers, settings):
    settings.VIDEOGEN_MAX_RUNNING_PER_USER = 2
    make_job(owner, status=JobStatus.PROCESSING)
    make_job(owner, status=JobStatus.PROCESSING)
    waiting = queued(owner)
    other = queued(other_user)
    idle_workers(1)  # two idle workers

    assert dispatch.dispatch("cpu") == [other.id]
    assert Job.objects.get(pk=waiting.pk).dispatched_at is None


def test_a_retry_waits_for_its_backoff_then_takes_its_place(owner, other_user, queued, idle_workers):
    backing_off = queued(owner, attempt=2, retry_count=1, run_after=timezone.now() + timedelta(minutes=1))
    other = queued(other_user)

    assert dispatch.dispatch("cpu") == [other.id]
    assert dispatch.next_due_at(["cpu"]) == Job.objects.get(pk=backing_off.pk).run_after

    Job.objects.filter(pk=backing_off.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    idle_workers(1)
    assert dispatch.dispatch("cpu") == [backing_off.id]
    assert queueing.rq_job_id(backing_off.id, 2) in rq_job_ids("cpu")


def test_a_paused_queue_hands_out_nothing_and_takes_back_what_had_not_started(
    owner, other_user, queued, idle_workers, django_capture_on_commit_callbacks
):
    first = queued(owner)
    second = queued(other_user)
    assert dispatch.dispatch("cpu") == [first.id]

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.queue_pause(queue="cpu") == 1
    assert handed_out() == []
    idle_workers(1)
    assert dispatch.dispatch("cpu") == []

    dispatch.queue_resume(queue="cpu")
    assert sorted(dispatch.dispatch("cpu")) == sorted([first.id, second.id])


def test_queue_positions_follow_the_fair_order(owner, other_user, owner_api, queued):
    mine = [queued(owner) for _ in range(3)]
    theirs = queued(other_user)

    positions = {job["id"]: job["queuePosition"] for job in owner_api.get("/api/v1/jobs").json()["jobs"]}

    # owner's oldest, then the other user (served least recently), then owner's others
    assert [positions[job.id] for job in mine] == [1, 3, 4]
    assert order().index(theirs.id) == 1


def test_a_handed_out_job_is_ahead_of_every_waiting_one(owner, other_user, queued, idle_workers):
    first = queued(other_user, priority=-1)
    assert dispatch.dispatch("cpu") == [first.id]
    urgent = queued(owner, priority=9)
    assert order() == [first.id, urgent.id]


def test_move_to_front_puts_a_job_above_every_other(owner, other_user, queued):
    queued(owner, priority=3)
    last = queued(other_user)
    dispatch.job_move_to_front(job=last)
    assert order()[0] == last.id
    assert Job.objects.get(pk=last.pk).priority == 4


def test_moving_a_finished_job_is_refused(owner, make_job):
    from videogen.errors import InvalidInput

    with pytest.raises(InvalidInput, match="only a queued job"):
        dispatch.job_move_to_front(job=make_job(owner, status=JobStatus.COMPLETED))


def test_a_lost_enqueue_puts_the_job_back_to_waiting(owner, queued, idle_workers, monkeypatch):
    job = queued(owner)
    monkeypatch.setattr(queueing, "enqueue_attempt", lambda **kwargs: (_ for _ in ()).throw(ConnectionError("down")))
    assert dispatch.dispatch("cpu") == [job.id]
    assert Job.objects.get(pk=job.pk).dispatched_at is None


# --- the staff queue view -------------------------------------------------------------------

QUEUES = "/admin/jobs/job/queues/"


@pytest.fixture
def staff_client(client, staff):
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="jobs"))
    client.force_login(staff)
    return client


def test_staff_see_each_queue_in_dispatch_order_with_user_priority_and_position(staff_client, owner, other_user,
                                                                                queued):
    mine = [queued(owner) for _ in range(2)]
    theirs = queued(other_user, priority=2)

    page = staff_client.get(QUEUES).content.decode()

    assert "Queue cpu · dispatching" in page
    assert page.index(theirs.id) < page.index(mine[0].id) < page.index(mine[1].id)
    assert "other@example.com" in page and "owner@example.com" in page


def test_staff_pause_and_resume_a_queue(staff_client):
    from jobs.models import QueueControl

    assert staff_client.post(f"{QUEUES}cpu/pause/").status_code == 302
    assert QueueControl.objects.get(name="cpu").paused
    assert "Queue cpu · paused" in staff_client.get(QUEUES).content.decode()
    assert staff_client.post(f"{QUEUES}cpu/resume/").status_code == 302
    assert not QueueControl.objects.get(name="cpu").paused


def test_an_unknown_queue_or_action_is_refused_without_error(staff_client):
    from jobs.models import QueueControl

    for path in ("nope/pause/", "cpu/explode/"):
        assert staff_client.post(f"{QUEUES}{path}").status_code == 302
    # A control character in a path is refused before any view (videogen.request_guard).
    assert staff_client.post(f"{QUEUES}%00/pause/").status_code == 404
    assert not QueueControl.objects.filter(paused=True).exists()
    assert staff_client.get(f"{QUEUES}cpu/pause/").status_code == 405


def test_the_queue_view_is_for_staff_only(owner_client):
    assert owner_client.get(QUEUES).status_code == 302
    assert owner_client.post(f"{QUEUES}cpu/pause/").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_that_waited_for_the_lock_counts_what_the_one_before_handed_out(
    owner, other_user, make_job, idle_workers
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite runs one writer at a time)")
    first, _second = make_job(owner), make_job(other_user)
    QueueControl.objects.get_or_create(name="cpu")
    results: list[list[str]] = []

    def dispatch_and_close() -> None:
        try:
            results.append(dispatch.dispatch("cpu"))  # one idle worker
        finally:
            connections.close_all()

    waiter = threading.Thread(target=dispatch_and_close)
    with transaction.atomic():  # another dispatcher: holds the lock, hands out the one slot
        assert dispatch_sql.locked_control("cpu") == (False, 0)
        Job.objects.filter(pk=first.pk).update(dispatched_at=timezone.now())
        waiter.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while True:  # until the waiter is queued on the row lock
                cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
                if cursor.fetchone()[0] or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
    waiter.join(10)

    assert results == [[]]  # the slot was taken: nothing more handed out


def test_a_worker_about_to_wait_dispatches_only_queues_with_a_job_due(owner, queued):
    now = timezone.now()
    assert dispatch.queues_with_due_safely(["cpu", "default"]) == []
    queued(owner, run_after=now + timedelta(minutes=5))  # backing off: not due yet
    handed = queued(owner)
    Job.objects.filter(pk=handed.pk).update(dispatched_at=now)  # already handed out
    assert dispatch.queues_with_due_safely(["cpu", "default"]) == []
    queued(owner, queue="default")
    queued(owner, run_after=now - timedelta(seconds=1))  # its backoff has ended
    assert dispatch.queues_with_due_safely(["cpu", "default"]) == ["cpu", "default"]
    assert dispatch.queues_with_due_safely(["default"]) == ["default"]

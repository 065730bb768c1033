"""The reconciler repairs what Redis lost and what dead workers left behind,
one at a time, and a second pass changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rq.job import Job as RQJob
from rq.job import JobStatus as RQStatus

from jobs import queueing
from jobs.models import Job, JobStatus
from jobs.reconciler import LOCK_KEY, STALE_MESSAGE, reconcile_once

pytestmark = pytest.mark.django_db


def queued_ids() -> list[str]:
    return queueing.get_queue("cpu").job_ids


def handed_out(owner, make_job, **fields) -> Job:
    """A queued job whose attempt was handed to Redis a minute ago."""
    return make_job(owner, dispatched_at=timezone.now() - timedelta(minutes=1), **fields)


def test_it_takes_back_an_attempt_redis_lost_and_hands_it_out_again(owner, make_job, idle_workers):
    job = handed_out(owner, make_job)
    report = reconcile_once(grace=0)
    assert report.taken_back == [job.id]
    assert report.dispatched == [job.id]
    assert queued_ids() == [queueing.rq_job_id(job.id, 1)]


def test_a_second_pass_changes_nothing(owner, make_job, idle_workers):
    handed_out(owner, make_job)
    reconcile_once(grace=0)
    again = reconcile_once(grace=0)
    assert again.taken_back == [] and again.recovered == [] and again.dispatched == []
    assert len(queued_ids()) == 1


def test_it_leaves_young_attempts_to_their_own_enqueue(owner, make_job, clean_redis):
    make_job(owner, dispatched_at=timezone.now())
    assert reconcile_once(grace=60).taken_back == []


def test_a_started_attempt_whose_worker_is_gone_is_taken_back(owner, make_job, clean_redis):
    job = handed_out(owner, make_job)
    queueing.enqueue_attempt(job_id=job.id, attempt=1, queue="cpu")
    rq_job = RQJob.fetch(queueing.rq_job_id(job.id, 1), connection=clean_redis)
    queueing.get_queue("cpu").remove(rq_job.id)
    rq_job.set_status(RQStatus.STARTED)
    clean_redis.hset(rq_job.key, "worker_name", "a-worker-that-died")

    assert reconcile_once(grace=0).taken_back == [job.id]
    job.refresh_from_db()
    assert job.dispatched_at is None  # waiting in the database again


def test_a_due_retry_is_handed_out_without_rqs_scheduler(owner, make_job, idle_workers):
    due = make_job(owner, attempt=2, retry_count=1, run_after=timezone.now() - timedelta(seconds=1))
    make_job(owner, attempt=2, retry_count=1, run_after=timezone.now() + timedelta(minutes=5))

    assert reconcile_once(grace=0).dispatched == [due.id]
    assert queued_ids() == [queueing.rq_job_id(due.id, 2)]


def test_a_processing_job_with_a_stale_heartbeat_is_retried(owner, make_job, clean_redis):
    stale = timezone.now() - timedelta(minutes=5)
    job = make_job(owner, status=JobStatus.PROCESSING, heartbeat_at=stale, max_retries=1)

    report = reconcile_once(stale_after=60, grace=0)

    job.refresh_from_db()
    assert report.recovered == [job.id]
    assert (job.status, job.attempt, job.retry_count) == (JobStatus.QUEUED, 2, 1)


def test_a_stale_job_without_retries_left_fails_with_the_reason(owner, make_job, clean_redis):
    stale = timezone.now() - timedelta(minutes=5)
    job = make_job(owner, status=JobStatus.PROCESSING, heartbeat_at=stale, max_retries=0)

    reconcile_once(stale_after=60, grace=0)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_message == STALE_MESSAGE


def test_a_fresh_heartbeat_is_left_alone(owner, make_job, clean_redis):
    job = make_job(owner, status=JobStatus.PROCESSING)
    assert reconcile_once(stale_after=60, grace=0).recovered == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.PROCESSING


def test_only_one_reconciler_acts_at_a_time(owner, make_job, idle_workers, clean_redis):
    handed_out(owner, make_job)
    clean_redis.set(LOCK_KEY, "someone-else", px=10_000)
    report = reconcile_once(grace=0)
    assert report.skipped_locked
    assert queued_ids() == []

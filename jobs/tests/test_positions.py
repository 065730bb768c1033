"""Queue positions counted from per-user groups (jobs.positions) equal each job's index
in the simulated fair order (jobs.dispatch.queue_order), on random queues."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs import dispatch, positions
from jobs.models import Job, JobStatus, QueueTurn

pytestmark = pytest.mark.django_db


def random_queue(rng: random.Random, users, make_job) -> None:
    start = timezone.now() - timedelta(hours=2)
    same_moment = start + timedelta(minutes=5)  # some jobs share a queued_at: the id breaks the tie
    for user in users:
        if rng.random() < 0.5:
            QueueTurn.objects.create(user=user, queue="cpu", served_at=start + timedelta(seconds=rng.randrange(7200)))
    for n in range(rng.randrange(1, 40)):
        user = rng.choice(users)
        roll = rng.random()
        queued_at = (same_moment if roll < 0.15 else None if roll < 0.2  # a job without queued_at comes first
                     else start + timedelta(seconds=rng.randrange(7200)))
        handed = rng.random() < 0.1
        make_job(user, queued_at=queued_at, priority=rng.choice([0, 0, 0, 0, 5, -2]),
                 dispatched_at=start + timedelta(seconds=n) if handed else None)
    make_job(rng.choice(users), status=JobStatus.PROCESSING)  # not queued: no place
    make_job(rng.choice(users), queue="gpu", queued_at=start)  # another queue's order


@pytest.mark.parametrize("seed", range(16))
def test_counted_positions_equal_the_simulated_fair_order(make_user, make_job, seed):
    rng = random.Random(seed)
    users = [make_user(f"user{n}@example.com") for n in range(rng.randrange(1, 5))]
    random_queue(rng, users, make_job)

    expected = {}
    for order in dispatch.queue_order(["cpu", "gpu"]).values():
        expected.update({job.id: index for index, job in enumerate(order, start=1)})
    jobs = list(Job.objects.all())
    positions.positions_for(jobs)

    assert {job.id: job.queue_position for job in jobs if job.queue_position is not None} == expected
    assert all(job.queue_position is None for job in jobs if job.status != JobStatus.QUEUED)

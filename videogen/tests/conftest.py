"""Fixtures for the project-package tests: an empty Redis db and RQ workers registered in it."""

from __future__ import annotations

import uuid

import pytest
from rq import Worker

from jobs import queueing


@pytest.fixture
def register_worker(clean_redis):
    """Register a real RQ worker (birth + heartbeat) on the given queues; deaths on teardown.

    Nothing is run: the worker is only registered, the way a live one announces itself.
    """
    registered: list[Worker] = []

    def register(*queue_names: str, hostname: str | None = None) -> Worker:
        queues = [queueing.get_queue(name) for name in queue_names]
        worker = Worker(queues, connection=clean_redis, name=f"test-{uuid.uuid4().hex[:12]}")
        if hostname is not None:
            worker.hostname = hostname
        worker.register_birth()
        worker.heartbeat()
        registered.append(worker)
        return worker

    yield register
    for worker in registered:
        worker.register_death()

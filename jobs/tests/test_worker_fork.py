"""The worker forks a work-horse per job while its reconciler thread runs passes.

A fork taken mid-pass copies the database driver's locks as they are at that
instant; a horse born holding SQLite's allocator mutex hangs on its first query.
The two must exclude each other. And a horse never shares a database session with
its parent: it runs on the one the parent opened for it.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections
from rq import Worker

from jobs import queueing
from jobs.worker import ForkingWorker, ReconcilerLoop, open_horse_connection


def test_a_fork_waits_for_the_reconcile_pass_in_progress(monkeypatch):
    in_pass = threading.Event()
    end_pass = threading.Event()
    order: list[str] = []

    def blocking_pass():
        in_pass.set()
        end_pass.wait(10)
        order.append("pass ended")

    monkeypatch.setattr("jobs.reconciler.reconcile_once", blocking_pass)
    monkeypatch.setattr("accounts.throttle.prune", lambda: 0)
    loop = ReconcilerLoop(interval=60)
    loop.start()
    try:
        assert in_pass.wait(10)
        forked = threading.Event()

        def fork() -> None:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            order.append("forked")
            os.waitpid(pid, 0)
            forked.set()

        forker = threading.Thread(target=fork)
        forker.start()
        assert not forked.wait(0.5), "the fork went ahead in the middle of a reconcile pass"
        end_pass.set()
        assert forked.wait(10)
        forker.join(10)
        assert order == ["pass ended", "forked"]
    finally:
        end_pass.set()
        loop.stop()
        loop.join(10)


def test_the_reconciler_runs_again_after_a_fork(monkeypatch):
    passes = threading.Semaphore(0)
    monkeypatch.setattr("jobs.reconciler.reconcile_once", passes.release)
    monkeypatch.setattr("accounts.throttle.prune", lambda: 0)
    loop = ReconcilerLoop(interval=0.1)
    loop.start()
    try:
        assert passes.acquire(timeout=10)
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        assert passes.acquire(timeout=10)
        assert passes.acquire(timeout=10)
    finally:
        loop.stop()
        loop.join(10)


def _backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_work_horse_gets_its_own_session_and_the_parent_keeps_its(monkeypatch):
    """The parent opens the next horse's connection before it waits; the horse runs on
    it, and the parent's own session (warm, for dispatching) outlives every horse."""
    if connection.vendor != "postgresql":
        pytest.skip("the spare connection is PostgreSQL's (SQLite connects in the horse)")
    reader, writer = os.pipe()

    def fork_and_report(self, job, queue):
        pid = os.fork()
        if pid == 0:  # the horse: which session is its default connection?
            os.write(writer, str(_backend_pid(connections["default"])).encode())
            os._exit(0)
        os.waitpid(pid, 0)

    monkeypatch.setattr(Worker, "fork_work_horse", fork_and_report)
    worker = ForkingWorker([queueing.get_queue("cpu")], connection=queueing.connection())
    sessions = []
    for _ in range(2):
        own = _backend_pid(connections["default"])
        worker.horse_connection = open_horse_connection()
        spare = _backend_pid(worker.horse_connection)
        worker.fork_work_horse(None, None)
        sessions.append((own, spare, int(os.read(reader, 32))))
        assert worker.horse_connection is None
    os.close(reader)
    os.close(writer)

    (own, spare, horse), (own_after, spare_after, horse_after) = sessions
    assert horse == spare != own and horse_after == spare_after != own_after
    assert own_after == own == _backend_pid(connections["default"])  # the parent's session survived both horses
    assert horse_after != horse  # and each horse had a fresh one

"""The worker forks a work-horse per job while its reconciler thread runs passes.

A fork taken mid-pass copies the database driver's locks as they are at that
instant; a horse born holding SQLite's allocator mutex hangs on its first query.
The two must exclude each other.
"""

from __future__ import annotations

import os
import threading

from jobs.worker import ReconcilerLoop


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

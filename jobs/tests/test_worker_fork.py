"""The worker forks a work-horse per job while its reconciler thread runs passes.

A fork taken mid-pass copies the database driver's locks as they are at that
instant; a horse born holding SQLite's allocator mutex hangs on its first query.
The two must exclude each other. And a horse never shares a database session with
its parent. The horse for the next job is forked before that job arrives (the
standby, jobs.standby): the job runs in it, and no standby outlives its worker.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from rq.job import JobStatus as RQStatus

from jobs import queueing
from jobs import standby as standby_module
from jobs.standby import Standby
from jobs.worker_signals import signals_held
from jobs.worker import ForkingWorker, ReconcilerLoop


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


def record_process(path: str) -> None:
    """An RQ job: writes the pid of the process running it and its database session."""
    session = _backend_pid(connections["default"]) if connections["default"].vendor == "postgresql" else 0
    Path(path).write_text(f"{os.getpid()} {session}")


def _dead(pid: int) -> bool:
    from jobs.tests.live_workers import _alive

    return not _alive(pid)


def _standbys_forked(monkeypatch, *, kill: bool = False, parent_sessions: list | None = None) -> list[int]:
    """Records the pid of each standby the worker forks (killed at once if ``kill``) and
    the worker's own database session as it forks it."""
    from jobs.tests.live_workers import wait_until

    pids: list[int] = []
    fork = Standby.fork

    def recording(worker):
        if parent_sessions is not None and connection.vendor == "postgresql":
            parent_sessions.append(_backend_pid(connections["default"]))
        standby = fork(worker)
        pids.append(standby.pid)
        if kill:
            os.kill(standby.pid, signal.SIGKILL)
            wait_until(lambda: _dead(standby.pid), timeout=10, message="the standby to die")
        return standby

    monkeypatch.setattr(Standby, "fork", staticmethod(recording))
    return pids


def _run_one_job(clean_redis, path: Path):
    queue = queueing.get_queue("cpu", redis=clean_redis)
    rq_job = queue.enqueue("jobs.tests.test_worker_fork.record_process", str(path))
    worker = ForkingWorker([queue], connection=clean_redis)
    worker.work(burst=True)
    rq_job.refresh()
    assert rq_job.get_status() == RQStatus.FINISHED
    pid, session = (int(part) for part in path.read_text().split())
    return pid, session


@pytest.mark.django_db(transaction=True)  # the worker closes its connections as it starts
def test_a_job_runs_in_the_standby_forked_before_it_on_a_session_of_its_own(monkeypatch, clean_redis, tmp_path):
    parent_sessions: list[int] = []
    standbys = _standbys_forked(monkeypatch, parent_sessions=parent_sessions)

    pid, session = _run_one_job(clean_redis, tmp_path / "ran")

    assert len(standbys) == 2  # one took the job; the next waited for one that never came
    assert pid == standbys[0] != os.getpid()
    assert all(_dead(standby) for standby in standbys)  # the unused one was dismissed when the worker ended
    if connection.vendor == "postgresql":
        first, second = parent_sessions
        assert session != first  # the horse ran on a session of its own
        assert second == first  # and the worker's own outlived the horse


@pytest.mark.django_db(transaction=True)
def test_a_standby_that_died_while_waiting_is_replaced_by_a_horse_forked_for_the_job(
    monkeypatch, clean_redis, tmp_path
):
    standbys = _standbys_forked(monkeypatch, kill=True)

    pid, _ = _run_one_job(clean_redis, tmp_path / "ran")

    assert standbys and pid not in standbys and pid != os.getpid()


def test_a_standby_stops_warming_up_once_its_job_has_arrived(monkeypatch):
    """Connections and the job's statements first (they cost the job nothing more:
    plain SQL, and a session that has loaded what they need); what the job would do
    again (the ORM's way for a listened-to job, the engines' render) only after a moment
    without a job."""
    done = []

    class Worker:
        class connection:
            ping = staticmethod(lambda: done.append("redis"))

        def queue_names(self):
            return ["cpu"]

    monkeypatch.setattr("jobs.worker.preload_engines", lambda names, arrived: done.append("engines"))
    monkeypatch.setattr(standby_module, "_database_steps", lambda: (
        lambda: done.append("connect"), lambda: done.append("statements"), lambda: done.append("listened")))

    def warm_up(arrives_after: int) -> list[str]:
        """Warm up with a job that arrives at the ``arrives_after``-th look at the pipe."""
        done.clear()
        looks = []

        def arrived(timeout=0.0):
            looks.append(timeout)
            return len(looks) > arrives_after

        standby_module.warm_up(Worker(), arrived=arrived)
        assert (standby_module.GRACE_SECONDS in looks) == (arrives_after >= 3)
        return list(done)

    assert warm_up(0) == []
    assert warm_up(1) == ["redis"]
    assert warm_up(2) == ["redis", "connect"]
    assert warm_up(3) == ["redis", "connect", "statements"]  # the job came within the grace
    assert warm_up(4) == ["redis", "connect", "statements", "listened"]
    assert warm_up(99) == ["redis", "connect", "statements", "listened", "engines"]


@pytest.mark.django_db
def test_a_waiting_standby_reconnects_before_its_session_gets_too_old():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections are not kept between jobs (CONN_MAX_AGE 0)")
    own = connections["default"]
    connections["default"] = fresh = connections.create_connection("default")
    try:
        fresh.ensure_connection()
        young = _backend_pid(fresh)
        standby_module._keep_fresh()
        assert _backend_pid(fresh) == young  # a new session is kept

        fresh.close_at = time.monotonic() + 1  # nearly as old as CONN_MAX_AGE allows
        standby_module._keep_fresh()
        assert fresh.connection is not None and _backend_pid(fresh) != young
        assert fresh.close_at - time.monotonic() > standby_module.FRESH_SECONDS
    finally:
        fresh.close()
        connections["default"] = own


def _standby_of(worker) -> int | None:
    """The worker's child that leads a process group of its own and is not running a job:
    its standby (RQ's scheduler stays in the worker's group)."""
    from jobs.tests.live_workers import children_of

    for pid in children_of(worker.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid:
            return pid
    return None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ending", ["stopped", "killed"])
def test_no_standby_outlives_its_worker(live_workers, clean_redis, ending):
    from jobs.tests.live_workers import wait_until

    worker = live_workers.start()
    standby = wait_until(lambda: _standby_of(worker), timeout=60, message="the worker's standby horse")
    if ending == "stopped":
        worker.terminate()
        assert worker.wait(timeout=30) == 0
        assert _dead(standby)  # dismissed before the worker exited
    else:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        wait_until(lambda: _dead(standby), timeout=10, message="the standby to notice its worker is gone")


_signal_at_fork = ""  # "before" or "after": when the at-fork hook below sends SIGTERM


def _signal_mid_fork(moment: str) -> None:
    if _signal_at_fork == moment:
        os.kill(os.getpid(), signal.SIGTERM)  # handled inside this at-fork hook, if not held


os.register_at_fork(before=lambda: _signal_mid_fork("before"),
                    after_in_parent=lambda: _signal_mid_fork("after"))


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_stop_signal_that_arrives_during_a_fork_is_acted_on_after_it_in_the_worker_only(moment):
    """RQ's stop handler raises; raised inside a Python at-fork hook, the exception would be
    swallowed and the worker would never stop (seen: a SIGTERM just as the standby forked).
    Held, it is raised after the fork, and never in the child."""
    global _signal_at_fork

    class Stop(Exception):
        pass

    def stop(signum, frame):
        raise Stop

    previous = signal.signal(signal.SIGTERM, stop)
    _signal_at_fork = moment
    raised, pid = False, -1
    try:
        try:
            with signals_held():
                pid = os.fork()
                _signal_at_fork = ""
        except Stop:
            raised = True
        if pid == 0:
            os._exit(3 if raised else 0)
        _, status = os.waitpid(pid, 0)
        assert raised and os.waitstatus_to_exitcode(status) == 0
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        _signal_at_fork = ""
        signal.signal(signal.SIGTERM, previous)


@pytest.mark.django_db
def test_a_stop_signal_during_the_dispatch_before_waiting_is_not_taken_for_a_failure(monkeypatch, clean_redis):
    """The dispatch steps log and carry on after any exception; RQ's StopRequested, raised
    by the stop signal's handler, must still stop the worker (seen: a SIGTERM as the
    worker dispatched left it waiting for jobs)."""
    from jobs.worker import dispatch_before_waiting

    class Stop(Exception):
        pass

    def stop(signum, frame):
        raise Stop

    def signalled(queues, now):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the dispatch
        return set(queues)

    monkeypatch.setattr("jobs.dispatch_sql.queues_with_due", signalled)
    worker = ForkingWorker([queueing.get_queue("cpu", redis=clean_redis)], connection=clean_redis)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(Stop):
            dispatch_before_waiting(worker)
    finally:
        signal.signal(signal.SIGTERM, previous)

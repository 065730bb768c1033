"""The standby work-horse: forked while the worker waits, before its job is known.

A horse forked when its job arrives starts cold. Measured on the two-core CI box: the
fork takes 4 to 5 ms, the first Redis and database statements of a fresh process 3 to
8 ms each (its memory is the parent's until written: every first touch copies a page),
and the first render 15 to 25 ms more than a warm one. The standby pays for that before
its job arrives. The worker forks it as it starts waiting, before it dispatches (so the
standby's start overlaps the dispatch); the standby connects to Redis and the database
and runs the job's statements on an id that matches no job (fenced writes: nothing
changes; a new database session loads the tables' catalog on its first statements) and,
once it has waited a moment without a job, takes the start's way for a job someone
listens to (a transaction, the ORM) and renders one tiny frame with each engine that
asks for warming up; then it waits on a pipe. When a job arrives the
worker writes its ids to the pipe and the standby becomes the job's work-horse (RQ's
``main_work_horse``), exactly as a freshly forked one would.

Between its warm-up steps the standby looks at the pipe: a job that arrives at once
(a busy queue) stops the warm-up, so that on a busy worker the standby renders nothing
the job would then render again (on two cores that would slow the worker down, not
up). While it waits it keeps its database session younger than CONN_MAX_AGE, and it
exits when the worker closes the pipe (dismissed, or the worker died) or is no longer
its parent.
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import time

from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("videogen.worker")

CHECK_SECONDS = 1.0  # how often a waiting standby looks at its parent and its session
FRESH_SECONDS = 20.0  # a waiting standby reconnects when its session has less left than this
# What a job would repeat at a cost (the engines' tiny render) waits this long for a job
# first: a worker with jobs waiting hands the next one over within a few ms.
GRACE_SECONDS = 0.05
DISMISS_SECONDS = 2.0  # how long a dismissed standby may take to end its warm-up step and exit


class Standby:
    """The worker's handle on its standby: the child's pid and the pipe's writing end."""

    def __init__(self, pid: int, channel: int):
        self.pid = pid
        self.channel = channel
        self.reaped = False

    @classmethod
    def fork(cls, worker) -> "Standby | None":
        """Fork a standby for ``worker`` (None when the fork fails: the job then gets a
        horse forked the usual way). Its default database connection is a new one it
        opens itself: never the worker's, whose socket stays the worker's. Call it with
        the stop signals held (``jobs.worker_signals.signals_held``)."""
        parent = os.getpid()
        reader, writer = os.pipe()
        own = connections[DEFAULT_DB_ALIAS]
        connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            pid = os.fork()
        except OSError:
            logger.warning("could not fork a standby work-horse", exc_info=True)
            connections[DEFAULT_DB_ALIAS] = own
            os.close(reader)
            os.close(writer)
            return None
        if pid == 0:
            os.close(writer)
            try:
                _serve(worker, reader, parent)
            finally:
                os._exit(1)
        connections[DEFAULT_DB_ALIAS] = own
        os.close(reader)
        return cls(pid, writer)

    def alive(self) -> bool:
        """Whether the standby still runs (one that has ended is reaped here)."""
        if not self.reaped:
            try:
                self.reaped = os.waitpid(self.pid, os.WNOHANG)[0] != 0
            except ChildProcessError:
                self.reaped = True
        return not self.reaped

    def hand(self, job, queue, execution) -> bool:
        """Give the standby its job; False when it is gone (the caller forks a horse)."""
        if not self.alive():
            self.dismiss()
            return False
        message = json.dumps({"job": job.id, "queue": queue.name, "execution": execution.id}).encode()
        try:
            os.write(self.channel, message + b"\n")  # under PIPE_BUF: written whole or not at all
        except OSError:
            self.dismiss()
            return False
        os.close(self.channel)
        self.channel = -1
        return True

    def dismiss(self) -> None:
        """End a standby that has no job: the pipe's end tells it (it closes its database
        session and exits); a kill makes sure if it has not within DISMISS_SECONDS."""
        if self.channel >= 0:
            os.close(self.channel)
            self.channel = -1
        deadline = time.monotonic() + DISMISS_SECONDS
        while self.alive():
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.reaped = True
                return
            time.sleep(0.005)


# --- in the standby ------------------------------------------------------------------


def _serve(worker, reader: int, parent: int) -> None:
    """The standby's life: warm up, wait for a job, run it as RQ's work-horse. Never returns."""
    from jobs.tasks import SHUTDOWN

    def on_sigterm(signum, frame):
        if _readable(reader, 0):
            SHUTDOWN.set()  # its job (or the pipe's end) is there: the job is handed back at once
        else:
            os._exit(1)  # no job: nothing to hand back

    os.setpgrp()  # like every RQ horse: the worker's signals and kills go to it alone
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, on_sigterm)
    warm_up(worker, arrived=lambda timeout=0.0: _readable(reader, timeout))
    message = _wait(reader, parent)
    if message is None:  # dismissed, or the worker is gone
        connections.close_all()
        os._exit(0)
    worker.setup_work_horse_signals()
    job, queue, execution = _job_of(worker, message)
    os.environ["RQ_WORKER_ID"] = worker.name
    os.environ["RQ_JOB_ID"] = job.id
    os.environ["RQ_EXECUTION_ID"] = execution.id
    worker.executions.clear()
    worker.execution = execution
    worker.main_work_horse(job, queue)  # sets the horse's signals again; exits


def warm_up(worker, *, arrived) -> None:
    """Each step runs only while no job has arrived (``arrived(timeout)``). First what the
    job needs anyway (its connections, a session that has run its statements: plain SQL,
    cheap to run twice); what a job would repeat at a cost (the ORM's way for a job
    someone listens to, the engines' tiny render) only after a moment without one. A
    failed step is only logged (the job then pays for it, as a freshly forked horse
    would)."""
    from jobs.worker import preload_engines

    database = _database_steps()  # (connect, the job's statements, the listened-to way), or none
    for step in (lambda: worker.connection.ping(), *database[:2]):
        if arrived(0.0):
            return
        _try(step)
    if arrived(GRACE_SECONDS):
        return
    for step in database[2:]:
        _try(step)
        if arrived(0.0):
            return
    _try(lambda: preload_engines(worker.queue_names(), arrived=arrived))


def _try(step, failure: str = "standby warm-up step failed") -> None:
    try:
        step()
    except Exception:
        logger.warning(failure, exc_info=True)


def _database_steps():
    """Connect, then run the job's own statements on an id no job has (a new session
    loads the tables' catalog on its first statements: the job then finds it loaded),
    then the start's way for a job someone listens to."""
    from jobs import attempt_sql

    connection = connections[DEFAULT_DB_ALIAS]
    if connection.settings_dict["CONN_MAX_AGE"] == 0:
        return ()  # the task closes any session it finds: nothing to keep warm
    return (connection.ensure_connection, attempt_sql.touch, _listened_start)


def _listened_start() -> None:
    """A job's start when someone listens for its events (a transaction and the ORM's
    UPDATE, after the plain one found nothing), on an id no job has: nothing changes."""
    from jobs.services import attempts

    attempts.job_start_attempt(job_id="", attempt=0, provider="", model_name="")


def _keep_fresh() -> None:
    """A waiting standby's session stays younger than CONN_MAX_AGE (the task would
    close an older one and connect anew, cold)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.connection is None or connection.close_at is None:
        return
    margin = min(FRESH_SECONDS, connection.settings_dict["CONN_MAX_AGE"] / 2)
    if connection.close_at - time.monotonic() < margin:
        connection.close()
        for step in _database_steps():
            step()


def _readable(reader: int, timeout: float) -> bool:
    poller = select.poll()
    poller.register(reader, select.POLLIN)
    return bool(poller.poll(timeout * 1000))


def _wait(reader: int, parent: int) -> dict | None:
    """The job's ids once the worker sends them; None when the pipe closes or the worker
    is gone (a SIGKILLed worker's pipe could be held open by another of its children)."""
    while not _readable(reader, CHECK_SECONDS):
        if os.getppid() != parent:
            return None
        _try(_keep_fresh, "standby could not refresh its database session")
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(reader, 4096)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


def _job_of(worker, message: dict):
    """The job, queue and execution the worker prepared, as RQ's spawning worker rebuilds
    them in its horse."""
    from rq.executions import Execution

    job = worker.job_class.fetch(message["job"], connection=worker.connection, serializer=worker.serializer)
    queue = next((q for q in worker.queues if q.name == message["queue"]), None) or worker.queue_class(
        message["queue"], connection=worker.connection, job_class=worker.job_class, serializer=worker.serializer,
    )
    execution = Execution.fetch(message["execution"], job.id, connection=worker.connection)
    execution._job = job
    return job, queue, execution

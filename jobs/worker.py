"""RQ worker classes for videogen, and the reconciler loop that runs beside them.

On SIGTERM the running attempt is told to stop and is handed back to the queue
(a new attempt), so a stopping worker never leaves a job "processing".
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.utils import timezone
from rq import SimpleWorker, Worker, worker_registration
from rq.utils import now, utcformat

from jobs import attempt_sql, queueing, tasks
from jobs.standby import Standby
from jobs.worker_signals import signals_held

logger = logging.getLogger("videogen.worker")


def _on_horse_sigterm(signum, frame) -> None:
    tasks.SHUTDOWN.set()


def preload_engines(queue_names, *, arrived=lambda: False) -> None:
    """Build the engines that ask for warming up and render one tiny frame with each
    (before each engine, ``arrived()`` can say a job is waiting: stop).

    A forked work-horse inherits all of it. Whatever a horse imports or warms up
    itself dies with it, and an engine's imports plus the lazy ones of the first
    render (Pillow's plugins, fonts, numpy.random) can cost more than rendering a
    short job. Which engines want it is their declaration's ``warm_up``. The
    one-frame render runs before any job, in a temporary folder.
    """
    from jobs.catalog import all_models
    from jobs.generation.base import RESOLUTIONS, NullControl, RenderSpec
    from jobs.generation.registry import engine_for
    from jobs.generation.render import render_video

    for model in all_models():
        if not model.declaration.warm_up or model.queue not in queue_names:
            continue
        if arrived():
            return
        try:
            engine = engine_for(model_id=model.id, engine=model.engine, options=model.options)
            width, height = RESOLUTIONS["480p"]
            spec = RenderSpec(prompt="warm-up", width=width, height=height, fps=1, duration=1, quality="low", seed=1)
            with tempfile.TemporaryDirectory(prefix="videogen-warmup-") as folder:
                render_video(engine=engine, spec=spec, video_path=os.path.join(folder, "warmup.mp4"),
                             thumbnail_path=os.path.join(folder, "warmup.jpg"), control=NullControl())
        except Exception:  # a broken engine is reported by the jobs that use it
            logger.exception("could not preload engine", extra={"model": model.id})


def preload_url_routes() -> None:
    """Import the URLconf and fill the URL resolver once, in the parent.

    A job event's payload is the job as the API shows it, whose links are reversed
    routes; the first reverse in a process imports every app's views (seconds on a
    busy box), which each forked horse would otherwise pay again at completion.
    """
    from django.urls import get_resolver

    try:
        get_resolver().reverse_dict  # noqa: B018  (imports every URLconf and fills the resolver)
    except Exception:
        logger.exception("could not preload the URL routes")


def runs_in_process(queue_names) -> bool:
    """Whether a worker on these queues runs jobs in-process: some model on them has an
    engine that keeps state across jobs (a loaded model)."""
    from jobs.catalog import all_models
    from jobs.generation.base import IN_PROCESS

    return any(m.queue in queue_names and m.declaration.worker == IN_PROCESS for m in all_models())


def dispatch_before_waiting(worker) -> None:
    """A worker about to wait for a job hands out the next ones of its queues (counting
    itself as idle: RQ marks it so only once it waits). Fair order is decided now, when a
    worker is free, not when the jobs were created."""
    from jobs.dispatch import dispatch_safely, queues_with_due_safely

    job_queues = [name for name in worker.queue_names() if name in queueing.job_queue_names()]
    if not job_queues:
        return  # the webhooks delivery worker: its RQ jobs are enqueued directly, never dispatched
    with signals_held():  # the "safely" steps catch every exception: RQ's StopRequested too
        connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()  # a long-lived one: broken, or too old
        for name in queues_with_due_safely(job_queues):
            dispatch_safely(name, worker_name=worker.name)
        if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
            connections.close_all()  # no SQLite connection may cross a fork


class RegisteredWorker:
    """Keeps the worker in RQ's registry of workers, which the dispatcher reads to find
    idle workers: a Redis restarted empty (or flushed) forgets every worker, and RQ itself
    only registers at start, so its workers would wait for ever with nothing handed out.
    Each heartbeat made while waiting puts the worker back (one SISMEMBER when nothing
    is missing)."""

    born = False  # between RQ's own registration at start and its deregistration at exit

    def register_birth(self, *args, **kwargs):
        super().register_birth(*args, **kwargs)
        self.born = True

    def register_death(self, *args, **kwargs):
        self.born = False
        super().register_death(*args, **kwargs)

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        if pipeline is None:
            self.restore_registration()

    def restore_registration(self) -> None:
        if not self.born:
            return
        with signals_held():  # it catches every exception: RQ's StopRequested too
            self._restore_registration()

    def _restore_registration(self) -> None:
        try:
            if self.connection.sismember(self.redis_workers_keys, self.key):
                return
            pipe = self.connection.pipeline()
            worker_registration.register(self, pipe)
            pipe.hset(self.key, mapping={"state": self.get_state() or "idle", "queues": ",".join(self.queue_names()),
                                         "birth": utcformat(now())})
            pipe.execute()
            logger.warning("worker registration was lost (Redis emptied?); registered again",
                           extra={"worker": self.name})
        except Exception:
            logger.warning("could not restore the worker's registration", exc_info=True)


class ForkingWorker(RegisteredWorker, Worker):
    """CPU worker: one forked work-horse per job (crash isolation).

    The render path is loaded once here and inherited by every horse. The parent keeps
    one database connection of its own for dispatching (warm: its server process has
    the tables' catalog and plans cached). As it starts waiting for a job it forks the
    next job's horse, which warms up while it waits (jobs.standby); it never shares a
    socket with a horse.
    """

    standby: Standby | None = None

    def work(self, *args, **kwargs):
        preload_engines(self.queue_names())
        preload_url_routes()
        attempt_sql.prepare()
        try:
            return super().work(*args, **kwargs)
        finally:
            self.dismiss_standby()

    def fork_work_horse(self, job, queue):
        standby, self.standby = self.standby, None
        if standby is not None and standby.hand(job, queue, self.execution):
            self._horse_pid = standby.pid
            self.procline(f"Handed {job.id} to standby {standby.pid} at {time.time()}")
            return
        own = connections[DEFAULT_DB_ALIAS]
        # The horse connects itself, on a connection of its own: never the parent's.
        connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with signals_held():
                super().fork_work_horse(job, queue)  # only the parent returns
        finally:
            connections[DEFAULT_DB_ALIAS] = own

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        self.fork_standby()  # first: its start (connecting) overlaps the dispatch
        dispatch_before_waiting(self)
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)

    def fork_standby(self) -> None:
        if self.standby is not None and not self.standby.alive():
            self.dismiss_standby()
        if self.standby is None and not self._stop_requested:
            if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
                connections.close_all()  # no SQLite connection may cross a fork
            with signals_held():  # acted on once the standby is ours to dismiss
                self.standby = Standby.fork(self)

    def run_maintenance_tasks(self):
        # May fork RQ's scheduler process, which must inherit neither a live database
        # connection nor the standby's pipe (the standby would outlive a killed worker).
        self.dismiss_standby()
        connections.close_all()
        super().run_maintenance_tasks()
        self.fork_standby()

    def dismiss_standby(self) -> None:
        if self.standby is not None:
            self.standby.dismiss()
            self.standby = None

    def setup_work_horse_signals(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _on_horse_sigterm)

    def request_stop(self, signum, frame):
        horse = self.horse_pid
        if horse:
            try:
                os.kill(horse, signal.SIGTERM)  # the horse hands its attempt back
            except ProcessLookupError:
                pass
        super().request_stop(signum, frame)


class InProcessWorker(RegisteredWorker, SimpleWorker):
    """GPU worker: runs jobs in-process so a loaded pipeline stays loaded."""

    def request_stop(self, signum, frame):
        tasks.SHUTDOWN.set()
        super().request_stop(signum, frame)

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        dispatch_before_waiting(self)
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)


# The reconciler runs in a thread of a worker that forks a work-horse per job. A fork
# taken while that thread is inside a database driver copies the driver's locks as
# they are: SQLite's allocator mutex, held at that instant, stays held for ever in
# the horse, which then hangs on its first query. So a pass and a fork exclude each
# other: every fork of this process waits for the pass in progress to end.
_pass_or_fork = threading.Lock()
os.register_at_fork(
    before=_pass_or_fork.acquire,
    after_in_parent=_pass_or_fork.release,
    after_in_child=_pass_or_fork.release,
)


class ReconcilerLoop(threading.Thread):
    """Runs the reconciler every VIDEOGEN_RECONCILE_INTERVAL_SECONDS and, in between,
    dispatches its queues when a retry's backoff ends (never across a fork)."""

    def __init__(self, interval: float | None = None, queues=None, worker: RegisteredWorker | None = None):
        super().__init__(name="reconciler", daemon=True)
        self.worker = worker
        self.interval = interval or settings.VIDEOGEN_RECONCILE_INTERVAL_SECONDS
        self.queues = tuple(name for name in (queues or settings.RQ_QUEUE_NAMES) if name in queueing.job_queue_names())
        self.stopped = threading.Event()

    def run(self) -> None:
        from accounts.mail import mail_outbox_sweep
        from accounts import throttle
        from jobs import reconciler

        next_pass = 0.0
        while True:
            wait = self.interval
            with _pass_or_fork:
                try:
                    close_old_connections()
                    if self.worker is not None:
                        self.worker.restore_registration()
                    if time.monotonic() >= next_pass:
                        next_pass = time.monotonic() + self.interval
                        reconciler.reconcile_once()
                        throttle.prune()
                        mail_outbox_sweep()
                    else:
                        self._dispatch()
                    wait = self._until_next_due(next_pass)
                except Exception:
                    logger.exception("reconcile pass failed")
                finally:
                    connections.close_all()
            if self.stopped.wait(wait):
                return

    def _dispatch(self) -> None:
        from jobs.dispatch import dispatch_safely

        for name in self.queues:
            dispatch_safely(name)

    def _until_next_due(self, next_pass: float) -> float:
        """Seconds to sleep: until the next pass, or the end of the earliest backoff."""
        from jobs.dispatch import next_due_at

        wait = max(0.0, next_pass - time.monotonic())
        due = next_due_at(self.queues)
        if due is not None:
            wait = min(wait, (due - timezone.now()).total_seconds() + 0.01)
        return max(0.01, wait)

    def stop(self) -> None:
        self.stopped.set()

"""RQ worker classes for videogen, and the reconciler loop that runs beside them.

On SIGTERM the running attempt is told to stop and is handed back to the queue
(a new attempt), so a stopping worker never leaves a job "processing".
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from django.conf import settings
from django.db import close_old_connections, connections
from rq import SimpleWorker, Worker

from jobs import tasks

logger = logging.getLogger("videogen.worker")


def _on_horse_sigterm(signum, frame) -> None:
    tasks.SHUTDOWN.set()


class ForkingWorker(Worker):
    """CPU worker: one forked work-horse per job (crash isolation)."""

    def fork_work_horse(self, job, queue):
        # The child must not share the parent's database sockets.
        connections.close_all()
        super().fork_work_horse(job, queue)

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


class InProcessWorker(SimpleWorker):
    """GPU worker: runs jobs in-process so a loaded pipeline stays loaded."""

    def request_stop(self, signum, frame):
        tasks.SHUTDOWN.set()
        super().request_stop(signum, frame)


class ReconcilerLoop(threading.Thread):
    """Runs the reconciler every VIDEOGEN_RECONCILE_INTERVAL_SECONDS."""

    def __init__(self, interval: float | None = None):
        super().__init__(name="reconciler", daemon=True)
        self.interval = interval or settings.VIDEOGEN_RECONCILE_INTERVAL_SECONDS
        self.stopped = threading.Event()

    def run(self) -> None:
        from jobs.reconciler import reconcile_once

        while True:
            try:
                close_old_connections()
                reconcile_once()
            except Exception:
                logger.exception("reconcile pass failed")
            finally:
                connections.close_all()
            if self.stopped.wait(self.interval):
                return

    def stop(self) -> None:
        self.stopped.set()

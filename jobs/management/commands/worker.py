import logging
import os
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jobs import queueing
from videogen.embedded_redis import die_with_parent
from jobs.worker import ForkingWorker, InProcessWorker, ReconcilerLoop, runs_in_process


WORKER_TTL_SECONDS = 45
WEBHOOKS_QUEUE = queueing.WEBHOOKS_QUEUE


class DeliveryCompanion(threading.Thread):
    """A `worker --queues webhooks` process beside this one, restarted if it dies.

    Deliveries run in their own process on their own queue, so a slow receiver never
    holds up a render and a long render never delays an event."""

    def __init__(self, name: str | None):
        super().__init__(name="webhook-deliveries", daemon=True)
        # manage.py by its path, not sys.argv[0]: a worker started another way (call_command
        # from a script, python -m) would otherwise restart a failing companion every second.
        self.command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "worker", "--queues", WEBHOOKS_QUEUE,
                        "--no-reconciler", "--no-webhooks", *(["--name", f"{name}-webhooks"] if name else [])]
        self.stopped = threading.Event()
        self.process: subprocess.Popen | None = None

    def run(self) -> None:
        while not self.stopped.is_set():
            self.process = subprocess.Popen(self.command, preexec_fn=die_with_parent)
            self.process.wait()
            if self.stopped.wait(1.0):
                return
            logging.getLogger("videogen.worker").warning("webhook delivery process exited; restarting it")

    def stop(self) -> None:
        self.stopped.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()


class Command(BaseCommand):
    help = "Run a videogen worker on the given queues, with the reconciler beside it."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="cpu,default", help="Comma-separated queue names (see RQ_QUEUE_NAMES).")
        parser.add_argument("--in-process", action="store_true", help="Run jobs in-process (the default when an engine on these queues keeps models loaded).")
        parser.add_argument("--burst", action="store_true", help="Exit when the queues are empty.")
        parser.add_argument("--no-reconciler", action="store_true", help="Do not run the reconciler loop here.")
        parser.add_argument("--name", default=None, help="Worker name (unique per machine).")
        parser.add_argument("--no-webhooks", action="store_true",
                            help="Do not start the webhook delivery process (queue 'webhooks') beside this worker.")

    def handle(self, *args, queues, in_process, burst, no_reconciler, name, no_webhooks, **options):
        names = [q.strip() for q in queues.split(",") if q.strip()]
        unknown = sorted(set(names) - set(settings.RQ_QUEUE_NAMES))
        if not names or unknown:
            raise CommandError(f"Unknown queue(s) {', '.join(unknown) or '(none)'}; known: {', '.join(settings.RQ_QUEUE_NAMES)}")
        companion = None
        if names != [WEBHOOKS_QUEUE]:
            # Renders and deliveries never share a process: the webhooks queue is served beside.
            wants_webhooks = WEBHOOKS_QUEUE in names or not no_webhooks
            names = [n for n in names if n != WEBHOOKS_QUEUE]
            if wants_webhooks and not burst:
                companion = DeliveryCompanion(name)
        # Every process this worker forks (work-horses, RQ's scheduler) is told to end
        # when the worker does: a worker killed hard leaves no scheduler behind, and
        # its horse hands the running attempt back instead of carrying on orphaned.
        os.register_at_fork(after_in_child=die_with_parent)
        redis = queueing.worker_connection()
        # Deliveries are short HTTP requests: no fork per delivery.
        worker_class = (
            InProcessWorker if (in_process or runs_in_process(names) or names == [WEBHOOKS_QUEUE]) else ForkingWorker
        )
        worker = worker_class(
            [queueing.get_queue(n, redis=redis) for n in names], connection=redis, name=name,
            # Idle workers heartbeat every ~30 s, so health sees them within its one-minute window.
            worker_ttl=WORKER_TTL_SECONDS,
        )
        if companion is not None:
            companion.start()
        reconciler = None
        if not no_reconciler:
            reconciler = ReconcilerLoop(queues=names, worker=worker)
            reconciler.start()
        logging.getLogger("videogen.worker").info(
            "worker starting", extra={"queues": ",".join(names), "class": worker_class.__name__}
        )
        try:
            worker.work(burst=burst, with_scheduler=True, logging_level=settings.LOG_LEVEL)
        finally:
            if reconciler:
                reconciler.stop()
            if companion is not None:
                companion.stop()

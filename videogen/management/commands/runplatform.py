"""`make run`: the whole platform on one machine, stopped cleanly by Ctrl-C.

Starts an embedded Redis (unless REDIS_URL is set), migrates, then runs one
worker (with the reconciler) and the web server as child processes. SIGINT or
SIGTERM stops every child it started; children are also told to die with it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from videogen.embedded_redis import EmbeddedRedis, die_with_parent

STOP_TIMEOUT = 20


class Command(BaseCommand):
    help = "Run web server, worker, reconciler and (embedded) Redis together for local use."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host: str, port: str, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())

        redis = None
        env = dict(os.environ)
        if not os.environ.get("REDIS_URL"):
            try:
                redis = EmbeddedRedis(port=settings.EMBEDDED_REDIS_PORT).start()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
            env["REDIS_URL"] = redis.url
            self.stdout.write(f"embedded Redis on {redis.url}")
        children: list[subprocess.Popen] = []
        try:
            call_command("migrate", interactive=False, verbosity=0)
            manage = [sys.executable, "manage.py"]
            children.append(subprocess.Popen([*manage, "worker", "--queues", "cpu,default"], env=env, preexec_fn=die_with_parent))
            children.append(
                subprocess.Popen([*manage, "runserver", f"{host}:{port}", "--noreload"], env=env, preexec_fn=die_with_parent)
            )
            shown_host = f"[{host}]" if ":" in host else host
            self.stdout.write(self.style.SUCCESS(f"videogen is running at http://{shown_host}:{port}/  (Ctrl-C to stop)"))
            while not stop.wait(0.5):
                for child in children:
                    if child.poll() is not None:
                        self.stderr.write(f"a child process exited with {child.returncode}; stopping")
                        stop.set()
        finally:
            self._stop_children(children)
            if redis:
                redis.stop()
            self.stdout.write("stopped")

    def _stop_children(self, children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

"""`make run`: the whole platform on one machine, stopped cleanly by Ctrl-C.

Starts an embedded Redis (unless REDIS_URL is set), migrates, collects the static
files, then runs one worker (with the reconciler) and the web server as child
processes. SIGINT or SIGTERM stops every child it started; children are also told
to die with it.

DEBUG stays as set (off unless DEBUG=1): the web server answers the host names of
the address it listens on (unless ALLOWED_HOSTS is set) and, serving plain HTTP,
sends cookies without the Secure flag (unless SESSION_COOKIE_SECURE /
CSRF_COOKIE_SECURE are set).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from videogen.embedded_redis import EmbeddedRedis, die_with_parent

STOP_TIMEOUT = 20
WEB_START_TIMEOUT = 60


LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"]


def local_host_names(host: str) -> list[str]:
    """Host names a browser may use for this machine when the server listens on ``host``."""
    names = list(LOOPBACK_NAMES)
    if host in ("0.0.0.0", "::", ""):
        candidates = {socket.gethostname(), socket.getfqdn()}
        try:
            candidates.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None))
        except OSError:
            pass
        try:  # the address of the interface that reaches other machines (no packet is sent)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("192.0.2.1", 9))
                candidates.add(probe.getsockname()[0])
        except OSError:
            pass
    else:
        candidates = {host}
    for name in sorted(candidates):
        shown = f"[{name}]" if ":" in name else name
        if name and shown not in names:
            names.append(shown)
    return names


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
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"mail is written as files into {settings.EMAIL_FILE_PATH}{os.sep}  (EMAIL_FILE_PATH)")
        children: list[subprocess.Popen] = []
        try:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)
            env.update(self._web_env(host))
            manage = [sys.executable, "manage.py"]
            children.append(subprocess.Popen([*manage, "worker", "--queues", "cpu,default"], env=env, preexec_fn=die_with_parent))
            children.append(
                subprocess.Popen([*manage, "runserver", f"{host}:{port}", "--noreload"], env=env, preexec_fn=die_with_parent)
            )
            shown_host = f"[{host}]" if ":" in host else host
            if self._wait_for_web(host, int(port), children, stop):
                self.stdout.write(
                    self.style.SUCCESS(f"videogen is running at http://{shown_host}:{port}/  (Ctrl-C to stop)")
                )
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

    def _web_env(self, host: str) -> dict[str, str]:
        """What the children need to serve plain HTTP on ``host`` with DEBUG off."""
        env = {"SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0"}
        env = {name: value for name, value in env.items() if not os.environ.get(name)}
        if not os.environ.get("ALLOWED_HOSTS"):
            hosts = local_host_names(host)
            env["ALLOWED_HOSTS"] = ",".join(hosts)
            self.stdout.write(f"answering host names: {', '.join(hosts)} (set ALLOWED_HOSTS for others)")
        return env

    def _wait_for_web(self, host: str, port: int, children: list[subprocess.Popen], stop: threading.Event) -> bool:
        """Announce the URL only once the web server accepts connections."""
        target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
        deadline = time.monotonic() + WEB_START_TIMEOUT
        while time.monotonic() < deadline and not stop.is_set():
            if any(child.poll() is not None for child in children):
                return False
            try:
                with socket.create_connection((target, port), timeout=0.5):
                    return True
            except OSError:
                stop.wait(0.2)
        return False

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

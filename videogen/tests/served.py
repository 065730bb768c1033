"""A make target (`make web`, `make run`) started for real, on a free port, stopped after.

The process runs in its own session so that stopping it ends make and everything make
started (gunicorn, nginx, the worker), and nothing else. The environment is the
production one: DEBUG unset, given secrets, a fresh SQLite database and static root.
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from jobs.tests.live_workers import wait_until
from videogen.embedded_redis import free_port, port_is_open

ROOT = Path(__file__).resolve().parents[2]
# Settings of the test process that must not reach a production-shaped server.
NOT_INHERITED = ("DEBUG", "LOCAL_SECRETS", "DATABASE_URL", "ALLOWED_HOSTS", "STATIC_ROOT", "MEDIA_ROOT",
                 "SECRET_KEY", "JWT_SECRET_KEY", "PASSWORD_HASH_ROUNDS")


def production_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'served.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        JWT_SECRET_KEY=secrets.token_urlsafe(50),
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        PASSWORD_HASH_ROUNDS="4",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


class MakeTarget:
    """``make <target>`` without its install step (the test's interpreter is the venv's)."""

    def __init__(self, target: str, env: dict[str, str], log_path: Path, *, ready_text: bytes | None = None):
        self.port = free_port()
        self.log_path = log_path
        self.ready_text = ready_text
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed-runtime", target,
             "HOST=127.0.0.1", f"PORT={self.port}", f"PY={sys.executable}"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> "MakeTarget":
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"make exited with {self.process.returncode}:\n{self.log()}")
            if self.ready_text is not None and self.ready_text not in self.log_path.read_bytes():
                return False
            return port_is_open(self.port)

        wait_until(ready, timeout=timeout, interval=0.1, message=lambda: f"the server to answer:\n{self.log()}")
        return self

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def log(self) -> str:
        return self.log_path.read_bytes().decode(errors="replace")[-6000:]

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
        return self.process.returncode

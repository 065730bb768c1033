"""`make run`'s command: starts Redis, a worker and the web server, serves the API,
and leaves nothing running after SIGTERM or Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from jobs.tests.live_workers import _alive, children_of, wait_until
from videogen.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        for child in children_of(frontier.pop()):
            found.append(child)
            frontier.append(child)
    return found


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_it_serves_the_platform_and_stops_everything_it_started(tmp_path, stop_signal):
    web_port, redis_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}", EMBEDDED_REDIS_PORT=str(redis_port),
        MEDIA_ROOT=str(tmp_path / "media"), PYTHONUNBUFFERED="1", LOCAL_SECRETS="1",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    log = open(tmp_path / "run.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runplatform", "--host", "127.0.0.1", "--port", str(web_port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: b"is running at" in (tmp_path / "run.log").read_bytes(), timeout=90,
                   message="the platform to start")
        started = descendants(process.pid)
        assert len(started) >= 3  # redis-server, worker (+ its scheduler), web server

        body = json.dumps({"email": "run@example.com", "password": "securePassword123"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{web_port}/api/v1/auth/register", data=body,
            headers={"Content-Type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201

        process.send_signal(stop_signal)
        assert process.wait(timeout=60) == 0
        wait_until(lambda: not any(_alive(pid) for pid in started), timeout=30, message="every child to exit")
    finally:
        if process.poll() is None:
            for pid in descendants(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.kill()
        log.close()

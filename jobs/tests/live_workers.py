"""Real worker processes for tests: started against the test database and the
test Redis db, killed (with their work-horses) when the test ends.

Loaded from the root conftest as a pytest plugin.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from videogen.embedded_redis import die_with_parent

ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll ``predicate`` until it returns a truthy value; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message() if callable(message) else message}")
        time.sleep(interval)


def database_url() -> str:
    """A DATABASE_URL for the test database this process is using."""
    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{params['NAME']}"


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class LiveWorker:
    own_group = False

    def __init__(self, process: subprocess.Popen, name: str, log_path: Path):
        self.process = process
        self.name = name
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def horses(self) -> list[int]:
        return children_of(self.pid)

    def kill_hard(self) -> None:
        """kill -9 the worker and its work-horses at once (a lost machine)."""
        victims = [self.pid, *self.horses()]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        for pid in victims[1:]:
            wait_until(lambda: not _alive(pid), timeout=10, message=f"horse {pid} to die")

    def kill_group(self) -> None:
        """kill -9 everything the worker is, at once (a lost machine, `docker kill`): its
        process group (the worker and RQ's scheduler process) and the work-horse, which
        RQ moves into a group of its own. Needs ``start(own_group=True)``."""
        members = [self.pid, *self.horses()]
        os.killpg(self.pid, signal.SIGKILL)
        for pid in members[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        for pid in members[1:]:
            wait_until(lambda: not _alive(pid), timeout=10, message=f"process {pid} of the group to die")

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def log(self) -> str:
        try:
            return self.log_path.read_text()
        except OSError:
            return ""


class WorkerFactory:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.engine_log_dir = tmp_path / "executions"
        self.media_root = Path(settings.MEDIA_ROOT)
        self.workers: list[LiveWorker] = []

    @property
    def extra_models(self) -> dict:
        return {
            "test-counting": {"engine": "jobs.tests.engines:CountingEngine", "queue": "cpu", "fps": 24,
                              "max_duration": 60, "options": {"log_dir": str(self.engine_log_dir)}},
            "test-slow": {"engine": "jobs.tests.engines:SlowEngine", "queue": "cpu", "fps": 24, "max_duration": 60,
                          "options": {"log_dir": str(self.engine_log_dir), "frame_seconds": 0.05}},
            "test-failing": {"engine": "jobs.tests.engines:FailingEngine", "queue": "cpu", "fps": 24,
                             "max_duration": 60, "options": {"log_dir": str(self.engine_log_dir)}},
        }

    # The shortened timings of the env below; ``production_defaults`` leaves them all out.
    TIMINGS = ("VIDEOGEN_RECONCILE_INTERVAL_SECONDS", "VIDEOGEN_STALE_AFTER_SECONDS", "VIDEOGEN_ENQUEUE_GRACE_SECONDS",
               "VIDEOGEN_HEARTBEAT_SECONDS", "VIDEOGEN_RETRY_BASE_SECONDS", "VIDEOGEN_RETRY_MAX_SECONDS",
               "VIDEOGEN_MAX_RUNNING_PER_USER", "VIDEOGEN_JOB_CREATE_RATE")

    def env(self, *, production_defaults: bool = False, **overrides: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MEDIA_ROOT": str(self.media_root),
            "VIDEOGEN_EXTRA_MODELS": json.dumps(self.extra_models),
            "VIDEOGEN_RECONCILE_INTERVAL_SECONDS": "0.5",
            "VIDEOGEN_STALE_AFTER_SECONDS": "10",
            "VIDEOGEN_ENQUEUE_GRACE_SECONDS": "0",
            "VIDEOGEN_HEARTBEAT_SECONDS": "0.2",
            "VIDEOGEN_RETRY_BASE_SECONDS": "0",
            "VIDEOGEN_RETRY_MAX_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
        if production_defaults:
            # The settings' own defaults (also undoing the test plugin's shortened retries).
            for name in self.TIMINGS:
                env.pop(name, None)
        env.update(overrides)
        return env

    def start(self, *, queues: str = "cpu,default", production_defaults: bool = False, own_group: bool = False,
              **env_overrides: str) -> LiveWorker:
        name = f"test-{uuid.uuid4().hex[:8]}"
        log_path = self.tmp_path / f"{name}.log"
        handle = open(log_path, "wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--queues", queues, "--name", name],
            cwd=ROOT, env=self.env(production_defaults=production_defaults, **env_overrides), stdout=handle,
            stderr=subprocess.STDOUT,
            # A test run killed hard must not leave workers holding the test database.
            preexec_fn=die_with_parent, process_group=0 if own_group else None,
        )
        handle.close()
        worker = LiveWorker(process, name, log_path)
        worker.own_group = own_group
        self.workers.append(worker)
        return worker

    def executions(self, prompt: str) -> list[str]:
        path = self.engine_log_dir / f"{prompt}.log"
        if not path.exists():
            return []
        return [line.split()[0] for line in path.read_text().splitlines()]

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.kill_hard()
            if worker.own_group:
                try:  # RQ's scheduler process, should it have outlived its worker
                    os.killpg(worker.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def print_logs(self, lines: int = 80) -> None:
        """Each worker's last log lines; pytest shows them when the test failed."""
        for worker in self.workers:
            tail = "\n".join(worker.log().splitlines()[-lines:])
            print(f"--- worker {worker.name} (exit {worker.process.returncode}) ---\n{tail}")


@pytest.fixture
def live_workers(tmp_path, settings):
    """Start real `manage.py worker` processes; all are killed after the test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    factory = WorkerFactory(tmp_path)
    settings.VIDEOGEN_MODELS = {**settings.VIDEOGEN_MODELS, **factory.extra_models}
    yield factory
    factory.stop_all()
    factory.print_logs()


@pytest.fixture
def clean_redis():
    """The test Redis db, emptied (only this db number) before and after."""
    from jobs import queueing

    queueing._clients.clear()
    redis = queueing.connection()
    redis.flushdb()
    yield redis
    redis.flushdb()


@pytest.fixture
def idle_workers(clean_redis):
    """Register ``count`` idle workers on ``queues`` in RQ's registry, as a worker waiting
    for a job does (nothing runs them): the dispatcher hands out one attempt per idle
    worker. Returns the registering function; one idle worker on every queue is
    registered already."""
    from rq import Worker

    from jobs import queueing

    def register(count: int = 1, queues: tuple[str, ...] = ("cpu", "gpu", "default")) -> list[str]:
        names = []
        for _ in range(count):
            worker = Worker([queueing.get_queue(name, redis=clean_redis) for name in queues],
                            connection=clean_redis, name=f"idle-{uuid.uuid4().hex[:8]}")
            worker.register_birth()
            worker.set_state("idle")
            names.append(worker.name)
        return names

    register()
    return register

"""What a benchmark runs against, started fresh and always stopped.

``Stack`` starts, in order and only what a benchmark asks for: a fresh database
(PostgreSQL ``videogen_bench_<name>`` on 127.0.0.1:5432, or a temporary SQLite file
when PostgreSQL does not answer, said in the output), Redis (``REDIS_URL`` when set,
else the machine's 127.0.0.1:6379 at db 12, else an embedded redis-server; its db is
emptied before and after), migrations, gunicorn served the way the Dockerfile serves
it (docker/gunicorn.conf.py, DEBUG off, generated secrets, a free port) and one
worker process (``manage.py worker``).
``stop()`` runs from ``with``, from ``atexit`` and on SIGTERM, and leaves nothing
running: processes stopped, database dropped, Redis db emptied, temp files removed.

Also: percentiles, a keep-alive JSON client, and the machine's description.
"""

from __future__ import annotations

import atexit
import datetime
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from videogen.embedded_redis import EmbeddedRedis, die_with_parent, free_port, port_is_open

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
MACHINE_REDIS_DB = 12
PASSWORD = "benchmark password 0042"
_django_stack: str | None = None  # the stack Django was set up for in this process


# --- figures ---------------------------------------------------------------------------


def percentile(values, pct: float) -> float:
    """Linear-interpolated percentile (pct in 0-100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = (len(ordered) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values) -> float:
    return percentile(values, 50)


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": str(cores),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def emit(figures: dict[str, float]) -> None:
    """The machine-readable ending: one ``name=value`` line per figure."""
    for name, value in figures.items():
        print(f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}", flush=True)


def note(text: str) -> None:
    """A line the driver copies into BENCHMARKS.md (fallbacks, definitions)."""
    print(f"note: {text}", flush=True)


def process_cpu_seconds(pid: int, *, with_reaped_children: bool = False) -> float:
    """User + system CPU seconds a live process has used (0.0 once it is gone), plus,
    if asked, that of the children it has waited for (a worker's work-horses)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process, the children it has waited for and those still alive
    (a worker, its finished work-horses and its standby one)."""
    return process_cpu_seconds(pid, with_reaped_children=True) + sum(
        process_cpu_seconds(child) for child in child_pids(pid)
    )


def child_pids(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds used between enter and exit by groups of processes, each group given
    as a function listing its pids (asked again at the end, for processes started since)."""

    def __init__(self, groups: dict):
        self.groups = groups
        self.used: dict[str, float] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        return {name: {pid: process_cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()}

    def __enter__(self) -> "CpuMeter":
        self._before = self._sample()
        return self

    def __exit__(self, *exc) -> None:
        after = self._sample()
        self.used = {
            name: sum(cpu - self._before[name].get(pid, 0.0) for pid, cpu in after[name].items())
            for name in self.groups
        }


# --- HTTP ------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection speaking JSON; reconnects when dropped."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 60.0):
        self.port = port
        self.token = token
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, dict | None]:
        payload = None if body is None else json.dumps(body).encode()
        sent = {"Accept": "application/json", "Host": "127.0.0.1"}
        if payload is not None:
            sent["Content-Type"] = "application/json"
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=payload, headers=sent)
                response = self._conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, (json.loads(raw) if raw else None)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection: retry once on a new one.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def expect(status: int, body, wanted: int | tuple[int, ...], what: str):
    wanted = (wanted,) if isinstance(wanted, int) else wanted
    if status not in wanted:
        raise RuntimeError(f"{what}: HTTP {status}: {body}")
    return body


# --- the stack ---------------------------------------------------------------------------


def _postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)


def _wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_is_open(port):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not listen on {port} within {timeout}s:\n{_tail(log)}")
        time.sleep(0.05)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Stack:
    """One benchmark's private platform. Use as a context manager."""

    def __init__(self, name: str, *, env: dict[str, str] | None = None):
        self.name = name
        self.tmp = Path(tempfile.mkdtemp(prefix=f"videogen-bench-{name}-"))
        self.extra_env = dict(env or {})
        self.env: dict[str, str] = {}
        self.database_name = ""
        self.database_engine = ""
        self.redis: EmbeddedRedis | None = None
        self.redis_url = ""
        self._flush_redis = False
        self.web: subprocess.Popen | None = None
        self.web_port = 0
        self.worker: subprocess.Popen | None = None
        self._stopped = False
        atexit.register(self.stop)

    # --- lifecycle ---

    def __enter__(self) -> "Stack":
        _stop_on_sigterm()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, *, migrate: bool = True) -> "Stack":
        """Database, Redis, secrets and migrations (not the web server or a worker)."""
        self._start_database()
        self._start_redis()
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "JWT_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": str(self.tmp / "media"),
            "STATIC_ROOT": str(self.tmp / "static"),
            "DJANGO_SETTINGS_MODULE": "videogen.settings",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        if migrate:
            self.manage("migrate", "--noinput")
        return self

    @property
    def database_url(self) -> str:
        if self.database_engine == "postgresql":
            return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.database_name}"
        return f"sqlite:///{self.database_name}"

    def _start_database(self) -> None:
        if _postgres_answers():
            self.database_engine = "postgresql"
            self.database_name = f"videogen_bench_{self.name}"
            _admin_sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
            _admin_sql(f'CREATE DATABASE "{self.database_name}"')
        else:
            self.database_engine = "sqlite"
            self.database_name = str(self.tmp / "bench.sqlite3")
            note(f"{self.name}: PostgreSQL at {PG_HOST}:{PG_PORT} did not answer; "
                 "using SQLite instead (figures are not comparable with PostgreSQL runs)")

    def _start_redis(self) -> None:
        explicit = os.environ.get("REDIS_URL", "").strip()
        if explicit:
            self.redis_url = explicit
        elif port_is_open(6379):
            self.redis_url = f"redis://127.0.0.1:6379/{MACHINE_REDIS_DB}"
        else:
            self.redis = EmbeddedRedis().start()
            self.redis_url = self.redis.url
            note(f"{self.name}: no Redis on 127.0.0.1:6379; using an embedded redis-server")
        self._flush_redis = True
        self.redis_client().flushdb()

    def redis_client(self):
        from redis import Redis

        return Redis.from_url(self.redis_url)

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_web(self, *, workers: int | None = None, threads: int | None = None, tier: bool = False) -> int:
        """gunicorn with docker/gunicorn.conf.py (as the image runs it), on a free port;
        with ``tier``, the whole web tier as `make web` and compose run it (nginx in front)."""
        self.web_port = free_port()
        log = self.tmp / "gunicorn.log"
        env = dict(self.env)
        if workers is not None:
            env["WEB_CONCURRENCY"] = str(workers)
        command = [
            str(Path(PYTHON).with_name("gunicorn")), "--config", "docker/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{self.web_port}",
        ]
        if threads is not None:
            command += ["--threads", str(threads)]
        command.append("videogen.wsgi:application")
        if tier:
            command = [PYTHON, "-m", "videogen.webtier", "--bind", f"127.0.0.1:{self.web_port}"]
        with open(log, "ab") as handle:
            self.web = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                        preexec_fn=die_with_parent)
        _wait_for_port(self.web_port, self.web, "gunicorn", log)
        # Every gunicorn worker process imports the app lazily: warm them all up.
        client = Client(self.web_port)
        for _ in range(4 * (workers or int(env.get("WEB_CONCURRENCY", "3")))):
            client.request("GET", "/api/v1/health/live")
            client.close()
        return self.web_port

    def stop_web(self) -> None:
        self._stop_process(self.web, timeout=30)
        self.web = None

    def start_worker(self, *, command: list[str] | None = None, env: dict[str, str] | None = None) -> subprocess.Popen:
        """``manage.py worker --queues cpu,default`` (or ``command``), logging to the stack's folder."""
        log = self.tmp / "worker.log"
        command = command or [PYTHON, "manage.py", "worker", "--queues", "cpu,default",
                              "--name", f"bench-{self.name}-{os.getpid()}"]
        with open(log, "ab") as handle:
            self.worker = subprocess.Popen(
                command, cwd=ROOT, env={**self.env, **(env or {})}, stdout=handle, stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        return self.worker

    def wait_for_worker(self, timeout: float = 60.0) -> None:
        """Until the worker has registered itself in Redis (it is then listening)."""
        redis = self.redis_client()
        deadline = time.monotonic() + timeout
        while not self.worker_states(redis):
            if self.worker is not None and self.worker.poll() is not None:
                raise RuntimeError(f"worker exited with {self.worker.returncode}:\n{_tail(self.tmp / 'worker.log')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start within {timeout}s:\n{_tail(self.tmp / 'worker.log')}")
            time.sleep(0.05)

    def worker_states(self, redis=None) -> list[str]:
        """The state ("idle", "busy", ...) of each worker registered in Redis."""
        redis = redis or self.redis_client()
        return [(redis.hget(key, "state") or b"").decode() for key in redis.smembers("rq:workers")]

    def stop_worker(self) -> None:
        self._stop_process(self.worker, timeout=30)
        self.worker = None

    def web_pids(self) -> list[int]:
        return [self.web.pid, *child_pids(self.web.pid)] if self.web else []

    def postgres_pids(self) -> list[int]:
        """The PostgreSQL backends serving this stack's database (none with SQLite)."""
        if self.database_engine != "postgresql":
            return []
        import psycopg

        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
            rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database_name,))
            return [row[0] for row in rows]

    def worker_log(self) -> str:
        return _tail(self.tmp / "worker.log", 60)

    def web_log(self) -> str:
        return _tail(self.tmp / "gunicorn.log", 60)

    def django(self):
        """Configure Django in this process against the stack (for seeding and reading).

        Settings are read once per process, so only one stack per process can do this:
        ``run_all`` runs each benchmark in a process of its own.
        """
        global _django_stack
        if _django_stack not in (None, self.name):
            raise RuntimeError(f"Django is already set up for the {_django_stack!r} stack in this process")
        _django_stack = self.name
        os.environ.update(self.env)
        import django

        django.setup()

    def register_and_login(self, email: str) -> str:
        client = Client(self.web_port)
        expect(*client.request("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD}), 201,
               "register")
        body = expect(*client.request("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}), 200,
                      "login")
        client.close()
        return body["access_token"]

    @staticmethod
    def _stop_process(process: subprocess.Popen | None, *, timeout: float) -> None:
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.stop_worker()
        self.stop_web()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if self._flush_redis:
            try:
                self.redis_client().flushdb()
            except Exception:
                pass
        if self.redis is not None:
            self.redis.stop()
        if self.database_engine == "postgresql":
            try:
                _admin_sql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
            except Exception as exc:
                print(f"could not drop {self.database_name}: {exc}", file=sys.stderr)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _stop_on_sigterm() -> None:
    """SIGTERM ends the benchmark through its finally/atexit clean-up."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

"""Benchmark 4: the jobs API with years of history (100,000 jobs for one user).

Against gunicorn served the way the Dockerfile serves it (docker/gunicorn.conf.py,
DEBUG off), with no worker running (the rows must not change under the reads):

- ``GET /api/v1/jobs?take=50`` and ``GET /api/v1/jobs/stats/summary``: p50 / p95
  latency over sequential requests on one keep-alive connection, JWT auth.
- ``GET /api/v1/auth/me`` with a JWT and with a personal API key: the cost of each
  authentication scheme (target: the key within 1 ms of the JWT).
- ``POST /api/v1/jobs``: requests per second from 32 concurrent clients (threads,
  one keep-alive connection each) for a fixed time. The load generator runs on the
  same 2 cores as gunicorn and PostgreSQL, so it takes CPU from what it measures.

The history is written with COPY (PostgreSQL) and VACUUM ANALYZEd, as autovacuum
would leave a table of that age: 88% completed, 7% failed, 5% cancelled, 20 queued
and 5 processing (the active cap), over two years, in 20 projects and none.

    .venv/bin/python -m benchmarks.api_load [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import string
import threading
import time

from benchmarks.harness import Client, CpuMeter, Stack, emit, expect, median, note, percentile

HISTORY = 100_000
CONCURRENCY = 32
DEFINITIONS = {
    "list_p95_ms": "GET /api/v1/jobs?take=50 with 100k jobs, p95 of sequential requests",
    "stats_p95_ms": "GET /api/v1/jobs/stats/summary with 100k jobs, p95 of sequential requests",
    "create_rps": f"POST /api/v1/jobs, {CONCURRENCY} concurrent keep-alive clients, requests/s",
    "me_p95_ms": "baseline: GET /api/v1/auth/me (JWT auth + one user row), p95",
    "apikey_me_p95_ms": "GET /api/v1/auth/me with a personal API key (checksum, one key+user row, SHA-256), p95",
    "live_rps": f"baseline: GET /api/v1/health/live (no auth, no DB), {CONCURRENCY} clients, requests/s",
}
PROMPTS = [
    "a red fox running through fresh snow at dawn", "neon city streets in the rain, slow pan",
    "ocean waves crashing on black rocks, aerial", "a paper boat drifting down a gutter stream",
    "timelapse of clouds over a mountain ridge", "a lighthouse beam sweeping across fog",
    "abstract ink drops blooming in water", "a cat watching birds from a window sill",
]
_ID_ALPHABET = string.ascii_lowercase + string.digits


def _fast_id(rng: random.Random) -> str:
    # Same shape as the app's cuid2 ids (25 lowercase alphanumerics), 100x cheaper.
    return "c" + "".join(rng.choices(_ID_ALPHABET, k=24))


def _column_default(field):
    default = field.get_default()
    return json.dumps(default) if isinstance(default, (dict, list)) else default


def seed_history(stack: Stack, *, user_email: str, count: int = HISTORY) -> str:
    """Write ``count`` finished-or-active jobs for the user; returns the user id."""
    from django.db import connection

    from accounts.models import User
    from jobs.models import Job, JobStatus
    from projects.models import Project

    rng = random.Random(8)
    user = User.objects.get(email=user_email)
    projects = Project.objects.bulk_create(
        [Project(user=user, name=f"Project {n}", description="benchmark") for n in range(20)]
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    span = datetime.timedelta(days=730).total_seconds()
    statuses = [JobStatus.QUEUED] * 20 + [JobStatus.PROCESSING] * 5
    finished = count - len(statuses)
    statuses += rng.choices([JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED], [88, 7, 5], k=finished)
    rng.shuffle(statuses)
    # The active ones are the newest rows, as they would be.
    statuses.sort(key=lambda s: s in (JobStatus.QUEUED, JobStatus.PROCESSING))

    fields = [f for f in Job._meta.concrete_fields]
    columns = [f.column for f in fields]
    rows = []
    # Columns added after this seed was written take their model defaults.
    later_defaults = {field.column: _column_default(field) for field in Job._meta.concrete_fields}
    for index, status in enumerate(statuses):
        created = now - datetime.timedelta(seconds=span * (count - index) / count)
        job_id = _fast_id(rng)
        values = {
            "id": job_id, "user_id": user.pk,
            "project_id": rng.choice(projects).pk if rng.random() < 0.7 else None,
            "prompt": f"{rng.choice(PROMPTS)} #{index}", "model": "videogen-procedural-1",
            "resolution": rng.choice(["480p", "720p", "1080p", "1080p", "4k"]),
            "quality": rng.choice(["low", "medium", "high"]), "duration": rng.randint(1, 10),
            "metadata": json.dumps({"seed": index} if index % 3 == 0 else {}), "queue": "cpu",
            "status": status, "progress": 0, "attempt": 1, "retry_count": 0, "max_retries": 3,
            "error_message": "", "used_provider": "", "used_model": "", "generation_time_ms": None,
            "queued_at": created, "run_after": None, "started_at": None, "completed_at": None,
            "heartbeat_at": None, "idempotency_key": None, "request_fingerprint": "",
            "video_path": "", "thumbnail_path": "", "video_width": None, "video_height": None,
            "video_fps": None, "video_frames": None, "video_duration": None, "video_size_bytes": None,
            "video_codec": "", "created_at": created, "updated_at": created,
        }
        if status != JobStatus.QUEUED:
            values.update(started_at=created + datetime.timedelta(seconds=2), used_provider="procedural",
                          used_model="videogen-procedural-1", heartbeat_at=created + datetime.timedelta(seconds=3))
        if status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED):
            finished = created + datetime.timedelta(seconds=20)
            values.update(completed_at=finished, updated_at=finished)
        if status == JobStatus.PROCESSING:
            values.update(progress=40)
        if status == JobStatus.COMPLETED:
            folder = f"videos/{user.pk}/{job_id}/1"
            values.update(progress=100, generation_time_ms=rng.randint(800, 60_000), video_path=f"{folder}/video.mp4",
                          thumbnail_path=f"{folder}/poster.jpg", video_width=1920, video_height=1080, video_fps=24,
                          video_frames=120, video_duration=5.0, video_size_bytes=rng.randint(200_000, 9_000_000),
                          video_codec="h264")
        if status == JobStatus.FAILED:
            values.update(error_message="Rendering failed: the engine crashed.")
        rows.append([values[c] if c in values else later_defaults[c] for c in columns])

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {Job._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Job._meta.db_table}")
    else:
        objects = []
        for row in rows:
            data = dict(zip(columns, row))
            data["metadata"] = json.loads(data["metadata"])
            objects.append(Job(**{f.attname: data[f.column] for f in fields}))
        Job.objects.bulk_create(objects, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    return user.pk


def time_requests(client: Client, path: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        status, body = client.request("GET", path)
        timings.append((time.perf_counter() - started) * 1000)
        expect(status, body, 200, path)
    return timings


def time_interleaved(clients: dict[str, Client], path: str, count: int) -> dict[str, list[float]]:
    """``count`` GETs of ``path`` by each client, taking turns; the timings per client."""
    timings: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(count):
        for name, client in clients.items():
            started = time.perf_counter()
            status, body = client.request("GET", path)
            timings[name].append((time.perf_counter() - started) * 1000)
            expect(status, body, 200, f"{name} {path}")
    return timings


def _hammer(port: int, token: str | None, *, seconds: float, clients: int, method: str, path: str,
            body=None, wanted: int = 200) -> tuple[float, int, int]:
    """``clients`` threads, one keep-alive connection each, for ``seconds``: (rps, ok, other)."""
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]
    counts = [[0, 0] for _ in range(clients)]
    errors: list[str] = []

    def hammer(slot: int) -> None:
        client = Client(port, token)
        client.request("GET", "/api/v1/health/live")  # connect before the clock starts
        start.wait()
        while time.perf_counter() < stop_at[0]:
            status, answer = client.request(method, path, body)
            if status == wanted:
                counts[slot][0] += 1
            else:
                counts[slot][1] += 1
                if len(errors) < 5:
                    errors.append(f"{status} {answer}")
        client.close()

    threads = [threading.Thread(target=hammer, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + 3600
    start.wait()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ok = sum(c[0] for c in counts)
    failed = sum(c[1] for c in counts)
    if errors:
        note(f"{method} {path}: {failed} answers other than {wanted}, e.g. {errors[0]}")
    return ok / elapsed, ok, failed


def create_load(stack: Stack, token: str, *, seconds: float) -> tuple[float, int, int, dict[str, float]]:
    """POST /api/v1/jobs from CONCURRENCY clients; also the CPU ms per request of each party."""
    body = {"prompt": "load test: a glass of water on a table", "resolution": "480p", "quality": "low", "duration": 1}
    own = os.getpid()
    meter = CpuMeter({"gunicorn": stack.web_pids, "postgres": stack.postgres_pids, "client": lambda: [own]})
    with meter:
        rate, ok, failed = _hammer(stack.web_port, token, seconds=seconds, clients=CONCURRENCY, method="POST",
                                   path="/api/v1/jobs", body=body, wanted=201)
    cpu_ms = {name: used * 1000 / max(1, ok + failed) for name, used in meter.used.items()}
    return rate, ok, failed, cpu_ms


def forget_created_jobs(stack: Stack) -> None:
    """Put the history back as it was: drop the load test's jobs, its queue and dead rows."""
    from django.db import connection

    from jobs.models import Job

    Job.objects.filter(prompt__startswith="load test:").delete()
    stack.redis_client().flushdb()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Job._meta.db_table}")


def run(quick: bool = False) -> dict[str, float]:
    runs = 1 if quick else 3
    gets = 60 if quick else 200
    create_seconds = 4.0 if quick else 8.0
    history = 20_000 if quick else HISTORY
    with Stack("api", env={"VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER": "10000000",
                                 "VIDEOGEN_JOB_CREATE_RATE": "100000000/min"}) as stack:
        stack.start()
        port = stack.start_web()
        email = "history@bench.example.com"
        token = stack.register_and_login(email)
        stack.django()
        seeded = time.perf_counter()
        seed_history(stack, user_email=email, count=history)
        print(f"seeded {history} jobs in {time.perf_counter() - seeded:.1f}s", flush=True)
        if quick:
            note(f"api_load --quick: {history} jobs, not {HISTORY}")

        client = Client(port, token)
        api_key = expect(*client.request("POST", "/api/v1/keys", {"name": "bench", "scope": "read"}), 201,
                         "create an API key")["key"]
        key_client = Client(port, api_key)
        timed = (("list", client, "/api/v1/jobs?take=50"), ("stats", client, "/api/v1/jobs/stats/summary"))
        auth_schemes = {"me": client, "apikey_me": key_client}
        for _, each, path in timed:
            time_requests(each, path, 20)  # warm every gunicorn worker
        time_interleaved(auth_schemes, "/api/v1/auth/me", 20)
        found: dict[str, list[float]] = {}
        for n in range(runs):
            results = {name: time_requests(each, path, gets) for name, each, path in timed}
            # JWT and key requests alternate, so a busy machine slows both alike.
            results.update(time_interleaved(auth_schemes, "/api/v1/auth/me", gets))
            for name, timings in results.items():
                found.setdefault(f"{name}_p50_ms", []).append(median(timings))
                found.setdefault(f"{name}_p95_ms", []).append(percentile(timings, 95))
            rate, ok, failed, cpu_ms = create_load(stack, token, seconds=create_seconds)
            found.setdefault("create_rps", []).append(rate)
            for party, ms in cpu_ms.items():
                found.setdefault(f"create_cpu_{party}_ms", []).append(ms)
            live, _, _ = _hammer(port, None, seconds=min(create_seconds, 5.0), clients=CONCURRENCY, method="GET",
                                 path="/api/v1/health/live")
            found.setdefault("live_rps", []).append(live)
            print(f"run {n + 1}/{runs}: list p50 {found['list_p50_ms'][-1]:.1f} p95 {found['list_p95_ms'][-1]:.1f} ms, "
                  f"stats p50 {found['stats_p50_ms'][-1]:.1f} p95 {found['stats_p95_ms'][-1]:.1f} ms, "
                  f"me p95 {found['me_p95_ms'][-1]:.1f} ms (API key {found['apikey_me_p95_ms'][-1]:.1f} ms), create {rate:.0f}/s ({ok} created, {failed} refused; "
                  f"CPU per request: " + ", ".join(f"{k} {v:.1f} ms" for k, v in cpu_ms.items()) +
                  f"), health/live {live:.0f}/s", flush=True)
            forget_created_jobs(stack)
        client.close()
        key_client.close()
    return {name: median(values) for name, values in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller history, fewer requests, one run")
    args = parser.parse_args()
    emit(run(quick=args.quick))


if __name__ == "__main__":
    main()

"""Benchmark 3: what the platform costs around the engine, request to finished job.

Short jobs (480p, 1 s, low quality, the procedural model) go through the HTTP API
(gunicorn, as the Dockerfile serves it) to ONE worker (``manage.py worker``, the
forking worker), on a fresh database and Redis db.

- Latency: one job at a time, the worker idle before each. ``submit`` is the
  client's clock just before it sends ``POST /api/v1/jobs``; start and completion
  are the job's own ``startedAt`` / ``completedAt`` (same machine, same clock).
  ``job_overhead_p50_ms`` = median of (completedAt - submit) - the engine's render
  time, where the render time is ``render_video`` for the very same spec, timed
  in-process and warm just before each job (the box is shared: adjacent timings see
  the same load). So the overhead holds everything that is not rendering: HTTP,
  auth, validation, the insert and commit, the enqueue, the worker's pick-up and
  fork, the fenced DB writes, storing the files, and whatever rendering in a fresh
  work-horse costs beyond rendering in a warm process. (``generationTimeMs`` is
  not used: it covers render + store only, from inside the worker.)
- Throughput: ``jobs_per_s`` = N jobs submitted back to back by one client while the
  worker runs, N / (last completedAt - first submit).
- Queue ratio: ``queue_ratio_vs_raw_rq`` = our worker's job rate with no engine work
  / raw RQ's no-op job rate, same Redis, same worker class (ForkingWorker), both
  draining a queue that was filled before the worker started, each rate taken from
  the spacing of completions ((N-1) / (last - first)). "No engine work": the worker
  is the real one with ``render_video`` replaced by a stub that writes a 1 KB file
  and a 4-byte poster; everything else (fork, job load, fenced start / complete,
  heartbeat thread, storage, RQ bookkeeping) is the real path.

    .venv/bin/python -m benchmarks.platform_overhead [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import tempfile
import time

from benchmarks.harness import (
    PYTHON, Client, Stack, emit, expect, median, note, percentile, process_cpu_seconds, process_tree_cpu_seconds,
)

PROMPT = "benchmark: a paper boat drifting down a gutter stream"
SPEC = {"prompt": PROMPT, "resolution": "480p", "quality": "low", "duration": 1}
DEFINITIONS = {
    "job_overhead_p50_ms": "one job at a time: (completedAt - client submit) - in-process render time of the same spec",
    "queue_ratio_vs_raw_rq": "our worker's jobs/s with no engine work / raw RQ no-op jobs/s (same Redis, same class)",
    "fair_wait_slots_max": "a one-job user arriving behind a 20-job user, one worker: jobs started after the "
                           "arrival and before that job, worst of several arrival moments",
}


class InProcessRender:
    """render_video for SPEC in this process, warm: the engine's own time for a job."""

    def __init__(self):
        from jobs.generation.base import RESOLUTIONS, RenderSpec
        from jobs.generation.procedural.engine import ProceduralEngine, seed_from_prompt

        width, height = RESOLUTIONS[SPEC["resolution"]]
        self.spec = RenderSpec(prompt=PROMPT, width=width, height=height, fps=24, duration=SPEC["duration"],
                               quality=SPEC["quality"], seed=seed_from_prompt(PROMPT))
        self.engine = ProceduralEngine()
        self.folder = tempfile.mkdtemp(prefix="videogen-bench-render-")
        self.time_ms()  # the first one warms caches

    def time_ms(self) -> float:
        from jobs.generation.base import NullControl
        from jobs.generation.render import render_video

        started = time.perf_counter()
        render_video(engine=self.engine, spec=self.spec, video_path=os.path.join(self.folder, "v.mp4"),
                     thumbnail_path=os.path.join(self.folder, "p.jpg"), control=NullControl())
        return (time.perf_counter() - started) * 1000

    def __enter__(self) -> "InProcessRender":
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _ms(later: datetime.datetime, earlier: datetime.datetime | float) -> float:
    if isinstance(earlier, float):
        return (later.timestamp() - earlier) * 1000
    return (later - earlier).total_seconds() * 1000


def _rows(ids: list[str]) -> dict[str, dict]:
    from jobs.models import Job

    return {row["id"]: row for row in Job.objects.filter(pk__in=ids).values(
        "id", "status", "created_at", "started_at", "completed_at", "generation_time_ms")}


def _wait_finished(ids: list[str], timeout: float, poll: float = 0.02) -> dict[str, dict]:
    from jobs.models import Job

    deadline = time.monotonic() + timeout
    pending = set(ids)
    while pending:
        done = set(Job.objects.filter(pk__in=pending, status__in=("completed", "failed", "cancelled"))
                   .values_list("id", flat=True))
        pending -= done
        if pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(pending)} job(s) did not finish within {timeout}s")
            time.sleep(poll)
    rows = _rows(ids)
    failed = [r for r in rows.values() if r["status"] != "completed"]
    if failed:
        raise RuntimeError(f"{len(failed)} job(s) did not complete, e.g. {failed[0]}")
    return rows


def _wait_worker_idle(stack: Stack, timeout: float = 30.0) -> None:
    redis = stack.redis_client()
    deadline = time.monotonic() + timeout
    while True:
        states = stack.worker_states(redis)
        if states and all(state == "idle" for state in states):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker not idle after {timeout}s: {states}")
        time.sleep(0.01)


def _wait_worker_quiet(stack: Stack, timeout: float = 30.0, window: float = 0.25) -> None:
    """Until the worker's processes used no CPU for ``window`` seconds: an idle worker
    readies the next job's work-horse (jobs.standby, which pauses for a moment in its
    warm-up: the window is longer), and that must not overlap the in-process render
    measured next."""
    deadline = time.monotonic() + timeout
    used = process_tree_cpu_seconds(stack.worker.pid)
    while True:
        time.sleep(window)
        now_used = process_tree_cpu_seconds(stack.worker.pid)
        if now_used == used:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the worker kept using CPU for {timeout}s while idle")
        used = now_used


def latency_phase(stack: Stack, client: Client, count: int, renderer: InProcessRender) -> dict[str, float]:
    """One job at a time; each job's render time is measured in-process just before it
    (the box is shared and noisy: adjacent measurements see the same conditions)."""
    submit_to_start, overhead, end_to_end, generation, renders, http, running = [], [], [], [], [], [], []
    for _ in range(count):
        _wait_worker_idle(stack)
        _wait_worker_quiet(stack)
        renders.append(renderer.time_ms())
        submitted = time.time()
        body = expect(*client.request("POST", "/api/v1/jobs", SPEC), 201, "create job")
        http.append((time.time() - submitted) * 1000)
        # Polled gently: the figures come from the row's own timestamps, and polling
        # harder would take CPU from the render being measured.
        row = _wait_finished([body["id"]], timeout=60, poll=0.02)[body["id"]]
        submit_to_start.append(_ms(row["started_at"], submitted))
        end_to_end.append(_ms(row["completed_at"], submitted))
        overhead.append(end_to_end[-1] - renders[-1])
        running.append(_ms(row["completed_at"], row["started_at"]) - renders[-1])
        generation.append(row["generation_time_ms"])
    return {
        "job_render_ms": median(renders),
        "job_submit_http_p50_ms": median(http),
        "job_submit_to_start_p50_ms": median(submit_to_start),
        "job_submit_to_start_p95_ms": percentile(submit_to_start, 95),
        "job_end_to_end_p50_ms": median(end_to_end),
        "job_generation_time_p50_ms": median(generation),
        "job_start_to_complete_minus_render_p50_ms": median(running),
        "job_overhead_p50_ms": median(overhead),
        "job_overhead_p95_ms": percentile(overhead, 95),
    }


def throughput_phase(client: Client, count: int) -> float:
    submitted = time.time()
    ids = [expect(*client.request("POST", "/api/v1/jobs", SPEC), 201, "create job")["id"] for _ in range(count)]
    rows = _wait_finished(ids, timeout=30 + count * 5, poll=0.1)  # the figure comes from the rows' timestamps
    last = max(row["completed_at"] for row in rows.values())
    return count / ((last.timestamp() - submitted))


def fairness_phase(stack: Stack, heavy: Client, light: Client, rounds: int) -> dict[str, float]:
    """Fair dispatch: user H queues 20 jobs; after ``k`` of them have completed (k = 0, 5,
    10, ...), user L queues one. How many jobs started after L's job was created and before
    it started? First-in first-out would give 20 - k; fair share 0 or 1 (the job already
    handed out)."""
    from jobs.models import Job

    waits = []
    for index in range(rounds):
        done_before = min(15, index * 5)
        many = [expect(*heavy.request("POST", "/api/v1/jobs", SPEC), 201, "create job")["id"] for _ in range(20)]
        deadline = time.monotonic() + 120
        while Job.objects.filter(pk__in=many, status="completed").count() < done_before:
            if time.monotonic() > deadline:
                raise RuntimeError("the 20-job burst did not progress")
            time.sleep(0.01)
        one = expect(*light.request("POST", "/api/v1/jobs", SPEC), 201, "create job")["id"]
        rows = _wait_finished([*many, one], timeout=180, poll=0.1)
        arrived, started = rows[one]["created_at"], rows[one]["started_at"]
        waits.append(sum(1 for row in rows.values() if arrived < row["started_at"] < started))
        _wait_worker_idle(stack)
    return {"fair_wait_slots_max": max(waits), "fair_wait_slots_median": median(waits)}


def _spacing_rate(ends: list[float]) -> float:
    ends = sorted(ends)
    return (len(ends) - 1) / (ends[-1] - ends[0])


def _worker_cpu(stack: Stack) -> float:
    return process_cpu_seconds(stack.worker.pid, with_reaped_children=True) if stack.worker else 0.0


def platform_noop_rate(stack: Stack, client: Client, count: int) -> tuple[float, float]:
    """(jobs/s, worker CPU ms per job: parent + work-horses, after start-up)."""
    ids = [expect(*client.request("POST", "/api/v1/jobs", SPEC), 201, "create job")["id"] for _ in range(count)]
    stack.start_worker(command=[PYTHON, "-m", "benchmarks.workers", "platform-noop", "--queues", "cpu,default"])
    try:
        first = _wait_finished(ids[:1], timeout=60)
        cpu_at_first = _worker_cpu(stack)
        rows = {**first, **_wait_finished(ids[1:], timeout=30 + count, poll=0.1)}
        time.sleep(0.2)  # the last horse exits and is reaped
        cpu = (_worker_cpu(stack) - cpu_at_first) * 1000 / (count - 1)
    finally:
        stack.stop_worker()
    return _spacing_rate([row["completed_at"].timestamp() for row in rows.values()]), cpu


def raw_rq_rate(stack: Stack, count: int) -> tuple[float, float]:
    """(jobs/s, worker CPU ms per job: parent + work-horses, start-up included)."""
    from rq import Queue
    from rq.job import Job as RQJob

    redis = stack.redis_client()
    queue = Queue("default", connection=redis)
    ids = [queue.enqueue("benchmarks.workers.noop").id for _ in range(count)]
    # Burst mode: the worker exits when the queue is empty; its CPU is read just before.
    worker = stack.start_worker(command=[PYTHON, "-m", "benchmarks.workers", "raw-rq", "--queue", "default"])
    cpu_at_start, cpu = 0.0, 0.0
    while worker.poll() is None:
        done = sum(1 for job in RQJob.fetch_many(ids[:1], connection=redis) if job and job.ended_at)
        if done and not cpu_at_start:
            cpu_at_start = _worker_cpu(stack)
        if cpu_at_start:
            cpu = _worker_cpu(stack) or cpu
        time.sleep(0.01)
    stack.worker = None
    jobs = RQJob.fetch_many(ids, connection=redis)
    unfinished = [job.id for job in jobs if job is None or job.ended_at is None]
    if unfinished:
        raise RuntimeError(f"raw RQ left {len(unfinished)} job(s) unfinished:\n{stack.worker_log()}")
    return _spacing_rate([job.ended_at.timestamp() for job in jobs]), (cpu - cpu_at_start) * 1000 / (count - 1)


def run(quick: bool = False) -> dict[str, float]:
    latency_jobs = 15 if quick else 40
    burst_jobs = 40 if quick else 200
    noop_jobs = 60 if quick else 100
    ratio_runs = 1 if quick else 3
    renderer = InProcessRender()
    env = {"VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER": "1000000", "VIDEOGEN_JOB_CREATE_RATE": "1000000/min"}
    with renderer, Stack("overhead", env=env) as stack:
        stack.start()
        port = stack.start_web()
        client = Client(port, stack.register_and_login("overhead@bench.example.com"))
        stack.django()

        stack.start_worker()
        stack.wait_for_worker()
        latency_phase(stack, client, 3, renderer)  # warm-up: first fork, first connections
        figures = latency_phase(stack, client, latency_jobs, renderer)
        print(f"latency ({latency_jobs} jobs one at a time): overhead p50 {figures['job_overhead_p50_ms']:.1f} ms, "
              f"render p50 {figures['job_render_ms']:.1f} ms, POST p50 {figures['job_submit_http_p50_ms']:.1f} ms, "
              f"submit->start p50 {figures['job_submit_to_start_p50_ms']:.1f} ms, start->complete - render p50 "
              f"{figures['job_start_to_complete_minus_render_p50_ms']:.1f} ms", flush=True)
        figures["jobs_per_s"] = throughput_phase(client, burst_jobs)
        print(f"throughput ({burst_jobs} jobs back to back): {figures['jobs_per_s']:.2f} jobs/s", flush=True)
        _wait_worker_idle(stack)
        fair = fairness_phase(stack, Client(port, stack.register_and_login("heavy@bench.example.com")),
                              Client(port, stack.register_and_login("light@bench.example.com")), rounds=4)
        figures.update(fair)
        print(f"fairness: a one-job user behind a 20-job user waited at most {fair['fair_wait_slots_max']} "
              f"job start(s)", flush=True)
        stack.stop_worker()

        ours, raw, ours_cpu, raw_cpu = [], [], [], []
        for n in range(ratio_runs):
            rate, cpu = platform_noop_rate(stack, client, noop_jobs)
            ours.append(rate)
            ours_cpu.append(cpu)
            rate, cpu = raw_rq_rate(stack, noop_jobs)
            raw.append(rate)
            raw_cpu.append(cpu)
            print(f"queue run {n + 1}/{ratio_runs}: ours (no engine work) {ours[-1]:.1f} jobs/s "
                  f"({ours_cpu[-1]:.1f} ms worker CPU a job), raw RQ {raw[-1]:.1f} jobs/s "
                  f"({raw_cpu[-1]:.1f} ms worker CPU a job)", flush=True)
        client.close()
    figures["platform_noop_jobs_per_s"] = median(ours)
    figures["platform_noop_worker_cpu_ms"] = median(ours_cpu)
    figures["raw_rq_jobs_per_s"] = median(raw)
    figures["raw_rq_worker_cpu_ms"] = median(raw_cpu)
    figures["queue_ratio_vs_raw_rq"] = median([o / r for o, r in zip(ours, raw)])
    if quick:
        note(f"platform_overhead --quick: {latency_jobs} latency jobs, {burst_jobs} burst jobs, {noop_jobs} no-op jobs")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer jobs, one queue-ratio run")
    args = parser.parse_args()
    emit(run(quick=args.quick))


if __name__ == "__main__":
    main()

"""Worker processes for benchmark 3, each the real ``manage.py worker`` path.

    python -m benchmarks.workers platform-noop --queues cpu,default
        Our worker exactly as ``manage.py worker`` runs it (ForkingWorker, reconciler,
        fenced task, storage, DB writes), except that the engine's work is nothing:
        ``render_video`` writes a tiny file and a tiny poster instead of encoding.
        Its throughput is the platform's own cost per job.

    python -m benchmarks.workers raw-rq --queue default
        The same worker class (ForkingWorker, with the scheduler, as ours runs) on a
        queue of RQ jobs that call ``benchmarks.workers.noop``, in burst mode: what RQ
        itself costs per job through the same Redis.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import django


def noop() -> None:
    """The raw RQ job: nothing at all."""


def _noop_render_video(*, engine, spec, video_path, thumbnail_path, control):
    """Stands in for jobs.generation.render.render_video: no frames, no encoder."""
    from jobs.generation.base import VideoFacts
    from jobs.generation.render import RenderOutcome

    with open(video_path, "wb") as handle:
        handle.write(b"\x00" * 1024)
    with open(thumbnail_path, "wb") as handle:
        handle.write(b"\xff\xd8\xff\xd9")
    control.report_progress(1.0)
    facts = VideoFacts(width=spec.width, height=spec.height, fps=spec.fps, frames=spec.frame_count,
                       duration_seconds=float(spec.duration), size_bytes=1024)
    return RenderOutcome(facts=facts, render_ms=0)


def platform_noop(queues: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
    django.setup()
    import jobs.generation.render as render

    render.render_video = _noop_render_video
    from django.core.management import call_command

    call_command("worker", queues=queues, name=f"bench-noop-{os.getpid()}")


def raw_rq(queue_name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
    django.setup()
    from django.conf import settings

    from jobs import queueing
    from jobs.worker import ForkingWorker

    redis = queueing.worker_connection()
    worker = ForkingWorker([queueing.get_queue(queue_name, redis=redis)], connection=redis,
                           name=f"bench-raw-{os.getpid()}")
    worker.work(burst=True, with_scheduler=True, logging_level=settings.LOG_LEVEL)


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="kind", required=True)
    sub.add_parser("platform-noop").add_argument("--queues", default="cpu,default")
    sub.add_parser("raw-rq").add_argument("--queue", default="default")
    args = parser.parse_args()
    started = time.monotonic()
    if args.kind == "platform-noop":
        platform_noop(args.queues)
    else:
        raw_rq(args.queue)
    print(f"worker ran {time.monotonic() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()

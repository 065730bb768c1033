"""The RQ task: run one attempt of one job.

It takes ids, loads the row, and drives the services; every write it makes is
fenced by the attempt number (see jobs.services).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections

from jobs import outputs, previews, services
from jobs.catalog import get_model
from jobs.generation.base import RESOLUTIONS, PermanentEngineError, RenderSpec, RenderStopped
from jobs.generation.registry import engine_for
from jobs.models import Job
from videogen.request_id import reset_request_id, set_request_id

logger = logging.getLogger("videogen.jobs")

# Set when the worker is asked to shut down: the running attempt stops and is
# handed back to the queue instead of being left "processing".
SHUTDOWN = threading.Event()

MAX_ERROR_LENGTH = 500


class AttemptControl:
    """Progress, heartbeat and the stop signal for one running attempt.

    A background thread writes progress + heartbeat every VIDEOGEN_HEARTBEAT_SECONDS
    (0.5 s by default, so a couple of writes a second at most); a
    write that matches no row (cancelled, deleted, superseded) raises the stop
    flag, so engines see a cancel within about half a second.
    """

    def __init__(self, *, job_id: str, attempt: int, interval: float | None = None, user_id: str = ""):
        self.job_id = job_id
        self.attempt = attempt
        self.user_id = user_id
        self.preview = previews.PreviewSlot()
        self.interval = interval or settings.VIDEOGEN_HEARTBEAT_SECONDS
        self.fraction = 0.0
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def start(self) -> "AttemptControl":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=10)

    def report_progress(self, fraction: float) -> None:
        self.fraction = max(self.fraction, min(1.0, fraction))

    def should_stop(self) -> bool:
        return self.lost.is_set() or SHUTDOWN.is_set()

    def preview_due(self) -> bool:
        return bool(self.user_id) and self.preview.due()

    def report_preview(self, rgb) -> None:
        self.preview.offer(rgb)

    @property
    def shutting_down(self) -> bool:
        return SHUTDOWN.is_set() and not self.lost.is_set()

    def _store_preview(self) -> None:
        frame = self.preview.take()
        if frame is None:
            return
        try:
            previews.job_preview_store(job_id=self.job_id, user_id=self.user_id, attempt=self.attempt, rgb=frame)
        except Exception:
            logger.exception("preview write failed", extra={"job_id": self.job_id})

    def _beat(self) -> None:
        try:
            while not self._done.wait(self.interval):
                try:
                    alive = services.job_heartbeat(
                        job_id=self.job_id, attempt=self.attempt, progress=int(self.fraction * 99)
                    )
                except Exception:
                    logger.exception("heartbeat write failed", extra={"job_id": self.job_id})
                    continue
                if not alive:
                    self.lost.set()
                    return
                self._store_preview()
        finally:
            connections.close_all()


def spec_for(job: Job, *, fps: int) -> RenderSpec:
    from jobs.generation.procedural import seed_from_prompt

    width, height = RESOLUTIONS[job.resolution]
    seed = job.metadata.get("seed") if isinstance(job.metadata, dict) else None
    if not isinstance(seed, int) or isinstance(seed, bool):
        seed = seed_from_prompt(job.prompt)
    return RenderSpec(
        prompt=job.prompt, width=width, height=height, fps=fps, duration=job.duration,
        quality=job.quality, seed=seed, image=_start_image(job),
    )


def _start_image(job: Job):
    """The job's start image as RGB, or None for a text-only job."""
    from jobs.uploads.jobs import start_image

    return start_image(job.image) if job.image_id is not None else None


def readable_error(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"Rendering failed: {text}"[:MAX_ERROR_LENGTH]


def run_job_attempt(job_id: str, attempt: int) -> str:
    """Entry point enqueued as ``jobs.tasks.run_job_attempt(job_id, attempt)``."""
    close_old_connections()
    # The job's log lines carry the id of the request that queued it.
    token = set_request_id(_queued_by_request())
    try:
        return _run(job_id, attempt)
    finally:
        reset_request_id(token)
        close_old_connections()


def _queued_by_request() -> str:
    from rq import get_current_job

    current = get_current_job()
    return (current.meta.get("request_id") if current is not None else None) or "-"


def _run(job_id: str, attempt: int) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    model = get_model(job.model)
    if model is None:
        services.job_fail_attempt(
            job_id=job_id, attempt=attempt, permanent=True,
            message=f"Model '{job.model}' is not configured on this platform.",
            from_statuses=("queued",),
        )
        return "failed"
    job = services.job_start_attempt(
        job_id=job_id, attempt=attempt, provider=model.engine, model_name=model.id, job=job
    )
    if job is None:
        logger.info("attempt skipped: no longer current", extra={"job_id": job_id, "attempt": attempt})
        return "skipped"

    control = AttemptControl(job_id=job_id, attempt=attempt, user_id=job.user_id).start()
    workdir = tempfile.mkdtemp(prefix=f"videogen-{job_id}-{attempt}-")
    try:
        return _render_and_store(job, attempt, model, control, workdir)
    except Exception as exc:
        # Whatever went wrong, the attempt must not stay "processing".
        logger.exception("attempt crashed", extra={"job_id": job_id, "attempt": attempt})
        services.job_fail_attempt(job_id=job_id, attempt=attempt, message=readable_error(exc), permanent=False)
        return "failed"
    finally:
        control.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        try:
            previews.job_preview_clear(job_id=job_id, user_id=job.user_id, attempt=attempt)
        except Exception:
            logger.exception("could not remove the preview", extra={"job_id": job_id})


def _render_and_store(job: Job, attempt: int, model, control: AttemptControl, workdir: str) -> str:
    from jobs.generation.render import render_video

    video_path = os.path.join(workdir, outputs.VIDEO_NAME)
    poster_path = os.path.join(workdir, outputs.POSTER_NAME)
    started = time.monotonic()
    try:
        engine = engine_for(model_id=model.id, engine=model.engine, options=model.options, device=settings.DIFFUSION_DEVICE)
        outcome = render_video(
            engine=engine, spec=spec_for(job, fps=model.fps), video_path=video_path,
            thumbnail_path=poster_path, control=control,
        )
    except RenderStopped:
        if control.shutting_down:
            services.job_requeue_attempt(job_id=job.id, attempt=attempt, reason="worker shutting down")
            return "handed back"
        logger.info("attempt stopped (cancelled, deleted or superseded)", extra={"job_id": job.id, "attempt": attempt})
        return "stopped"
    except PermanentEngineError as exc:
        logger.warning("attempt failed permanently", exc_info=True, extra={"job_id": job.id, "attempt": attempt})
        services.job_fail_attempt(job_id=job.id, attempt=attempt, message=readable_error(exc), permanent=True)
        return "failed"
    except Exception as exc:
        logger.exception("attempt failed", extra={"job_id": job.id, "attempt": attempt})
        services.job_fail_attempt(job_id=job.id, attempt=attempt, message=readable_error(exc), permanent=False)
        return "failed"

    if control.should_stop():
        if control.shutting_down:
            services.job_requeue_attempt(job_id=job.id, attempt=attempt, reason="worker shutting down")
            return "handed back"
        return "stopped"
    stored = outputs.store_outputs(
        user_id=job.user_id, job_id=job.id, attempt=attempt, video_path=video_path,
        thumbnail_path=poster_path if os.path.exists(poster_path) else "", facts=outcome.facts,
    )
    elapsed_ms = int((time.monotonic() - started) * 1000)
    if not services.job_complete_attempt(
        job_id=job.id, attempt=attempt, result=stored, generation_time_ms=elapsed_ms, user_id=job.user_id
    ):
        # Superseded while uploading: this attempt's files must not stay behind.
        outputs.remove_attempt_files(user_id=job.user_id, job_id=job.id, attempt=attempt)
        return "stopped"
    return "completed"

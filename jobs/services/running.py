"""Running one attempt of one job: the one service the RQ task calls.

``job_run_attempt`` loads the row, starts the attempt, renders it with the model's
engine (found through the catalog and the engine registry: no engine is named here),
stores the files and completes it, or fails or hands it back. Every write goes
through ``jobs.services.attempts`` and is fenced by the attempt number.

What a user reads of a failure (``errorMessage``) is a safe sentence saying what
happened and what to do; the exception itself goes to the log and to
``Job.error_detail``, which only the admin shows.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import traceback

from django.conf import settings
from django.db import connections

from jobs.catalog import ModelEntry, get_model
from jobs.generation.base import RESOLUTIONS, PermanentEngineError, RenderSpec, RenderStopped
from jobs.generation.registry import declaration_for, engine_for
from jobs.models import Job
from jobs import attempt_sql, events, previews, stored_files
from jobs.services import attempts
from jobs.uploads.jobs import start_image

logger = logging.getLogger("videogen.jobs")

# Set when the worker is asked to shut down: the running attempt stops and is
# handed back to the queue instead of being left "processing".
SHUTDOWN = threading.Event()

MAX_DETAIL_LENGTH = 10_000
TRANSIENT_FAILURE = (
    "Rendering failed because of an internal error on the worker. Retry the job; if it keeps failing, "
    "try a shorter duration or a lower resolution, or contact the operator quoting the job id."
)
PERMANENT_FAILURE = (
    "The model '{model}' cannot render jobs on this platform right now (it is not set up correctly). "
    "Try another model, or contact the operator quoting the job id."
)
UNKNOWN_MODEL = "Model '{model}' is not configured on this platform. Create the job again with another model."


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
        self.preview_written = False  # whether the attempt has a preview to remove at its end
        self.interval = interval or settings.VIDEOGEN_HEARTBEAT_SECONDS
        self.fraction = 0.0
        self.lost = threading.Event()
        self._announced = (0, time.monotonic())  # progress last announced as a job.progress event, and when
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def start(self) -> "AttemptControl":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=10)

    def still_beating(self) -> bool:
        """Whether the heartbeat thread outlived ``stop`` (a write stuck past its wait)."""
        return self._thread.is_alive()

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
        """The engine's latest preview frame, stored from this thread (off the render's)."""
        frame = self.preview.take()
        if frame is None:
            return
        self.preview_written = True  # even a failed write may leave a file behind
        try:
            previews.job_preview_store(job_id=self.job_id, user_id=self.user_id, attempt=self.attempt, rgb=frame)
        except Exception:
            logger.exception("preview write failed", extra={"job_id": self.job_id})

    def _beat(self) -> None:
        try:
            while not self._done.wait(self.interval):
                progress = int(self.fraction * 99)
                announce = self._should_announce(progress)
                try:
                    alive = attempts.job_heartbeat(
                        job_id=self.job_id, attempt=self.attempt, progress=progress, announce=announce
                    )
                except Exception:
                    logger.exception("heartbeat write failed", extra={"job_id": self.job_id})
                    continue
                if not alive:
                    self.lost.set()
                    return
                if announce:
                    self._announced = (progress, time.monotonic())
                self._store_preview()
        finally:
            connections.close_all()

    def _should_announce(self, progress: int) -> bool:
        """A job.progress event at most every PROGRESS_INTERVAL_SECONDS, and only for new progress."""
        last_progress, last_at = self._announced
        return progress != last_progress and time.monotonic() - last_at >= events.PROGRESS_INTERVAL_SECONDS


def spec_for(job: Job, *, model: ModelEntry) -> RenderSpec:
    """What the engine renders for ``job``: its parameters, and a seed (metadata.seed, else
    derived by the engine from the prompt)."""
    width, height = RESOLUTIONS[job.resolution]
    seed = (job.params or {}).get("seed")
    if seed is None and isinstance(job.metadata, dict):
        seed = job.metadata.get("seed")  # jobs created before the seed parameter
    if not isinstance(seed, int) or isinstance(seed, bool):
        seed = declaration_for(model.engine).derive_seed(job.prompt)
    return RenderSpec(
        prompt=job.prompt, width=width, height=height, fps=model.fps, duration=job.duration,
        quality=job.quality, seed=seed, params=dict(job.params or {}),
        image=start_image(job.image) if job.image_id is not None else None,
    )


def failure_detail(exc: BaseException) -> str:
    """The whole story of a failure, for the log and the admin (never shown to users)."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return text[-MAX_DETAIL_LENGTH:]


def user_message(exc: BaseException, *, model: ModelEntry) -> str:
    """What the user is told: what happened and what they can do, nothing internal."""
    if isinstance(exc, PermanentEngineError):
        return PERMANENT_FAILURE.format(model=model.id)
    return TRANSIENT_FAILURE


def job_run_attempt(*, job_id: str, attempt: int) -> str:
    """Run attempt ``attempt`` of job ``job_id`` to its end; returns what became of it
    ("completed", "failed", "stopped", "handed back", "skipped" or "gone")."""
    job = attempt_sql.load_job(job_id)
    if job is None:
        return "gone"
    model = get_model(job.model)
    if model is None:
        attempts.job_fail_attempt(
            job_id=job_id, attempt=attempt, permanent=True, message=UNKNOWN_MODEL.format(model=job.model),
            detail=f"Model '{job.model}' is not in VIDEOGEN_MODELS.", from_statuses=("queued",),
        )
        return "failed"
    job = attempts.job_start_attempt(
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
        attempts.job_fail_attempt(
            job_id=job_id, attempt=attempt, message=user_message(exc, model=model), detail=failure_detail(exc),
            permanent=False,
        )
        return "failed"
    finally:
        control.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if control.preview_written or control.still_beating():  # a late write could still leave one
            try:
                previews.job_preview_clear(job_id=job_id, user_id=job.user_id, attempt=attempt)
            except Exception:
                logger.exception("could not remove the preview", extra={"job_id": job_id})


def _render_and_store(job: Job, attempt: int, model: ModelEntry, control: AttemptControl, workdir: str) -> str:
    from jobs.generation import render  # the render path (numpy, PyAV) only where jobs run

    video_path = os.path.join(workdir, stored_files.VIDEO_NAME)
    poster_path = os.path.join(workdir, stored_files.POSTER_NAME)
    started = time.monotonic()
    try:
        engine = engine_for(model_id=model.id, engine=model.engine, options=model.options, device=settings.DIFFUSION_DEVICE)
        outcome = render.render_video(
            engine=engine, spec=spec_for(job, model=model), video_path=video_path,
            thumbnail_path=poster_path, control=control,
        )
    except RenderStopped:
        if control.shutting_down:
            attempts.job_requeue_attempt(job_id=job.id, attempt=attempt, reason="worker shutting down")
            return "handed back"
        logger.info("attempt stopped (cancelled, deleted or superseded)", extra={"job_id": job.id, "attempt": attempt})
        return "stopped"
    except Exception as exc:
        permanent = isinstance(exc, PermanentEngineError)
        if permanent:
            logger.warning("attempt failed permanently", exc_info=True, extra={"job_id": job.id, "attempt": attempt})
        else:
            logger.exception("attempt failed", extra={"job_id": job.id, "attempt": attempt})
        attempts.job_fail_attempt(
            job_id=job.id, attempt=attempt, message=user_message(exc, model=model), detail=failure_detail(exc),
            permanent=permanent,
        )
        return "failed"

    if control.should_stop():
        if control.shutting_down:
            attempts.job_requeue_attempt(job_id=job.id, attempt=attempt, reason="worker shutting down")
            return "handed back"
        return "stopped"
    stored = attempts.job_store_attempt_outputs(
        job=job, attempt=attempt, video_path=video_path,
        thumbnail_path=poster_path if os.path.exists(poster_path) else "", facts=outcome.facts,
    )
    elapsed_ms = int((time.monotonic() - started) * 1000)
    if not attempts.job_complete_attempt(
        job_id=job.id, attempt=attempt, result=stored, generation_time_ms=elapsed_ms, user_id=job.user_id, job=job,
    ):
        # Superseded while uploading: this attempt's files must not stay behind.
        stored_files.remove_attempt_files(user_id=job.user_id, job_id=job.id, attempt=attempt)
        return "stopped"
    return "completed"

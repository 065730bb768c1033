"""Live previews: a recent frame of a running attempt, stored beside its outputs.

Engines hand a small RGB picture to their control when it asks (``PreviewSlot.due``, at
most every VIDEOGEN_PREVIEW_SECONDS); the attempt's heartbeat thread encodes and stores
it (``job_preview_store``), off the render thread. The preview lives at
``videos/<user>/<job>/<attempt>/preview.jpg`` and is removed when the attempt ends
(``job_preview_clear``); deleting a job removes its folder and everything in it.
The API shows it as ``result.previewUrl`` while the job is processing.
"""

from __future__ import annotations

import io
import logging
import threading
import time

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from jobs import stored_files
from jobs.generation.preview_frames import PREVIEW_MAX_SIDE
from jobs.models import Job, JobStatus

logger = logging.getLogger("videogen.jobs")

PREVIEW_NAME = "preview.jpg"


def preview_path(*, user_id: str, job_id: str, attempt: int) -> str:
    return f"{stored_files.attempt_folder(user_id=user_id, job_id=job_id, attempt=attempt)}/{PREVIEW_NAME}"


class PreviewSlot:
    """The latest preview frame of one attempt, handed from the render thread to the writer."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = settings.VIDEOGEN_PREVIEW_SECONDS if interval is None else interval
        self._asked_at: float | None = None
        self._frame: np.ndarray | None = None
        self._lock = threading.Lock()

    def due(self) -> bool:
        """True at most once per interval (never when previews are off)."""
        if self.interval <= 0:
            return False
        now = time.monotonic()
        if self._asked_at is not None and now - self._asked_at < self.interval:
            return False
        self._asked_at = now
        return True

    def offer(self, rgb: np.ndarray) -> None:
        with self._lock:
            self._frame = rgb

    def take(self) -> np.ndarray | None:
        with self._lock:
            frame, self._frame = self._frame, None
        return frame


def encode_preview(rgb: np.ndarray) -> bytes:
    image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
    if max(image.size) > PREVIEW_MAX_SIDE:
        image.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def job_preview_store(*, job_id: str, user_id: str, attempt: int, rgb: np.ndarray) -> bool:
    """Store ``rgb`` as the attempt's preview; False (and nothing kept) once the attempt is not running."""
    name = preview_path(user_id=user_id, job_id=job_id, attempt=attempt)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(encode_preview(rgb), name=PREVIEW_NAME))
    stored = Job.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.PROCESSING).update(
        preview_at=timezone.now()
    )
    if not stored:
        _delete_quietly(name)
    return bool(stored)


def job_preview_clear(*, job_id: str, user_id: str, attempt: int) -> None:
    """The attempt has ended: its preview goes (the row may be gone already)."""
    Job.objects.filter(pk=job_id, attempt=attempt).exclude(preview_at=None).update(preview_at=None)
    _delete_quietly(preview_path(user_id=user_id, job_id=job_id, attempt=attempt))


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("could not delete a preview", extra={"path": name})


def preview_url(job: Job, *, video_url_before: str, video_url_after: str, local: bool) -> str | None:
    """The preview's URL for a processing job that has one, else None."""
    if job.status != JobStatus.PROCESSING or job.preview_at is None:
        return None
    version = int(job.preview_at.timestamp() * 1000)
    if local:
        return f"{video_url_before}{job.id}{video_url_after}?v={job.attempt}.{version}"
    return default_storage.url(preview_path(user_id=job.user_id, job_id=job.id, attempt=job.attempt))

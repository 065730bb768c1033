"""Where a job's video and poster live in storage, per user, job and attempt.

videos/<user id>/<job id>/<attempt>/video.mp4 and .../poster.jpg, saved through
Django's storage API (local MEDIA_ROOT or S3-compatible via django-storages).
"""

from __future__ import annotations

import logging

from django.core.files import File
from django.core.files.storage import default_storage

from jobs.generation.base import VideoFacts
from jobs.results import VideoResult

logger = logging.getLogger("videogen.jobs")

VIDEO_NAME = "video.mp4"
POSTER_NAME = "poster.jpg"

def job_folder(*, user_id: str, job_id: str) -> str:
    return f"videos/{user_id}/{job_id}"


def attempt_folder(*, user_id: str, job_id: str, attempt: int) -> str:
    return f"{job_folder(user_id=user_id, job_id=job_id)}/{attempt}"


def _save(local_path: str, name: str) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(local_path, "rb") as handle:
        return default_storage.save(name, File(handle, name=name.rsplit("/", 1)[-1]))


def store_outputs(
    *, user_id: str, job_id: str, attempt: int, video_path: str, thumbnail_path: str, facts: VideoFacts
) -> VideoResult:
    """Upload a finished attempt's files (local paths); the result names the stored ones."""
    folder = attempt_folder(user_id=user_id, job_id=job_id, attempt=attempt)
    stored_video = _save(video_path, f"{folder}/{VIDEO_NAME}")
    stored_poster = _save(thumbnail_path, f"{folder}/{POSTER_NAME}") if thumbnail_path else ""
    return VideoResult(video_path=stored_video, thumbnail_path=stored_poster, facts=facts)


def remove_attempt_files(*, user_id: str, job_id: str, attempt: int) -> None:
    folder = attempt_folder(user_id=user_id, job_id=job_id, attempt=attempt)
    for name in (VIDEO_NAME, POSTER_NAME):
        _delete_quietly(f"{folder}/{name}")


def remove_job_files(*, user_id: str, job_id: str, keep_attempt: int | None = None) -> None:
    """Remove every attempt's files of a job, except ``keep_attempt``'s."""
    root = job_folder(user_id=user_id, job_id=job_id)
    try:
        attempts, _ = default_storage.listdir(root)
    except (FileNotFoundError, NotADirectoryError):
        return
    except Exception:
        logger.exception("could not list job files", extra={"job_id": job_id})
        return
    for attempt in attempts:
        if keep_attempt is not None and attempt == str(keep_attempt):
            continue
        try:
            _, files = default_storage.listdir(f"{root}/{attempt}")
        except Exception:
            continue
        for name in files:
            _delete_quietly(f"{root}/{attempt}/{name}")
        _remove_empty_dir(f"{root}/{attempt}")
    if keep_attempt is None:
        _remove_empty_dir(root)


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:
        logger.exception("could not delete a job file", extra={"path": name})


def _remove_empty_dir(name: str) -> None:
    """Local storage leaves empty folders behind; object stores have none."""
    path_of = getattr(default_storage, "path", None)
    if path_of is None:
        return
    try:
        import os

        os.rmdir(path_of(name))
    except (OSError, NotImplementedError):
        pass

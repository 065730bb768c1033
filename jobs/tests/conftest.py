"""Fixtures for the jobs tests: a private MEDIA_ROOT, stored outputs, a tiny diffusion pipeline.

(The emptied test Redis db, ``clean_redis``, comes from jobs/tests/live_workers.py.)"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from jobs import stored_files
from jobs.models import Job
from jobs.results import RESULT_COLUMNS

DIFFUSION_EXTRA_MISSING = "the diffusion extra is not installed (pip install -r requirements-diffusion.txt)"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def store_output(media_root):
    """Give a job stored files in its attempt folder, as a finished attempt leaves them."""

    def store(job: Job, *, video: bytes = b"\x00" * 1000, poster: bytes | None = b"\xff\xd8poster") -> Job:
        folder = stored_files.attempt_folder(user_id=job.user_id, job_id=job.id, attempt=job.attempt)
        job.video_path = default_storage.save(f"{folder}/{stored_files.VIDEO_NAME}", ContentFile(video))
        job.thumbnail_path = (
            default_storage.save(f"{folder}/{stored_files.POSTER_NAME}", ContentFile(poster)) if poster is not None else ""
        )
        job.video_width, job.video_height, job.video_fps, job.video_frames = 854, 480, 24, 48
        job.video_duration, job.video_size_bytes, job.video_codec = 2.0, len(video), "h264"
        job.save(update_fields=[*RESULT_COLUMNS])
        return job

    return store


@pytest.fixture(scope="session")
def tiny_wan(tmp_path_factory):
    """The folder of a tiny random Wan pipeline, built once per run with the hub offline."""
    pytest.importorskip("torch", reason=DIFFUSION_EXTRA_MISSING)
    pytest.importorskip("diffusers", reason=DIFFUSION_EXTRA_MISSING)
    from jobs.tests.diffusion_fixtures import tiny_wan_pipeline

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield str(tiny_wan_pipeline(tmp_path_factory.mktemp("tiny-wan")))


@pytest.fixture
def staff_client(staff_client, staff):
    """The staff persona signed in to the admin, granted the jobs permissions the job
    actions need."""
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="jobs"))
    return staff_client


def _tiny_pipeline_folder(tmp_path_factory, name: str, build) -> str:
    pytest.importorskip("torch", reason=DIFFUSION_EXTRA_MISSING)
    pytest.importorskip("diffusers", reason=DIFFUSION_EXTRA_MISSING)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        return str(build(tmp_path_factory.mktemp(name)))


@pytest.fixture(scope="session")
def tiny_wan_i2v(tmp_path_factory):
    """The folder of a tiny random Wan image-to-video pipeline."""
    from jobs.tests.diffusion_fixtures import tiny_wan_i2v_pipeline

    return _tiny_pipeline_folder(tmp_path_factory, "tiny-wan-i2v", tiny_wan_i2v_pipeline)


@pytest.fixture(scope="session")
def tiny_ltx(tmp_path_factory):
    """The folder of a tiny random LTX-Video pipeline (text- and image-to-video load it)."""
    from jobs.tests.diffusion_fixtures import tiny_ltx_pipeline

    return _tiny_pipeline_folder(tmp_path_factory, "tiny-ltx", tiny_ltx_pipeline)


@pytest.fixture(scope="session")
def tiny_cogvideox_i2v(tmp_path_factory):
    """The folder of a tiny random CogVideoX image-to-video pipeline."""
    from jobs.tests.diffusion_fixtures import tiny_cogvideox_i2v_pipeline

    return _tiny_pipeline_folder(tmp_path_factory, "tiny-cogvideox-i2v", tiny_cogvideox_i2v_pipeline)

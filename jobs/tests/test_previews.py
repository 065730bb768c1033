"""Live previews: the engine's frames reach storage at most every interval, the API and
pages show them while the job renders, and they are gone when it ends."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from jobs import previews
from jobs.generation.base import NullControl, RenderSpec
from jobs.generation.preview_frames import yuv420_preview
from jobs.generation.procedural.engine import ProceduralEngine
from jobs.models import JobStatus
from jobs.tests.test_generation_procedural import RecordingSink

pytestmark = pytest.mark.django_db


class PreviewControl(NullControl):
    """Wants a preview every ``every`` frames (in place of a clock)."""

    def __init__(self, every: int) -> None:
        self.every, self.asked, self.frames = every, 0, []

    def preview_due(self) -> bool:
        self.asked += 1
        return (self.asked - 1) % self.every == 0

    def report_preview(self, rgb) -> None:
        self.frames.append(rgb.copy())


SPEC = RenderSpec(prompt="a neon city at night", width=640, height=360, fps=12, duration=2, quality="low", seed=4)


def test_the_procedural_engine_hands_over_a_small_copy_of_the_frame_it_drew():
    control, sink = PreviewControl(every=6), RecordingSink()

    ProceduralEngine().render(SPEC, sink, control)

    assert len(control.frames) == 4  # frames 0, 6, 12, 18
    assert all(frame.shape == (180, 320, 3) and frame.dtype == np.uint8 for frame in control.frames)
    # It is the frame that was drawn: compare with that frame's own conversion.
    assert np.array_equal(control.frames[1], yuv420_preview(*sink.frames[6]))
    assert not np.array_equal(control.frames[0], control.frames[3])  # the picture moves


def test_the_preview_of_a_frame_has_its_colours():
    y = np.full((480, 854), 81, np.uint8)  # BT.601 limited-range pure red
    u = np.full((240, 427), 90, np.uint8)
    v = np.full((240, 427), 240, np.uint8)

    rgb = yuv420_preview(y, u, v)

    assert max(rgb.shape[:2]) <= 480
    assert np.allclose(rgb.reshape(-1, 3).mean(axis=0), (255, 0, 0), atol=3)


def test_without_preview_support_in_the_control_nothing_is_asked():
    frames = RecordingSink()
    ProceduralEngine().render(SPEC, frames, NullControl())  # NullControl has no preview methods

    assert len(frames.frames) == 24


def test_a_slot_is_due_at_most_once_per_interval_and_never_when_off():
    slot = previews.PreviewSlot(interval=3600)
    assert slot.due() and not slot.due()
    assert not previews.PreviewSlot(interval=0).due()


def test_a_stored_preview_is_shown_while_processing_and_cleared_after(owner, owner_api, make_job, media_root):
    job = make_job(owner, status=JobStatus.PROCESSING)
    picture = np.zeros((90, 160, 3), np.uint8)
    picture[:, :80] = (250, 250, 250)

    assert previews.job_preview_store(job_id=job.id, user_id=owner.id, attempt=job.attempt, rgb=picture)

    body = owner_api.get(f"/api/v1/jobs/{job.id}").json()
    url = body["result"]["previewUrl"]
    assert url.startswith(f"http://testserver/api/v1/jobs/{job.id}/preview?v=")
    response = owner_api.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    shown = np.asarray(Image.open(__import__("io").BytesIO(b"".join(response.streaming_content))))
    assert shown[:, :70].mean() > 200 and shown[:, 90:].mean() < 50

    previews.job_preview_clear(job_id=job.id, user_id=owner.id, attempt=job.attempt)

    assert owner_api.get(f"/api/v1/jobs/{job.id}").json()["result"] is None
    assert owner_api.get(f"/api/v1/jobs/{job.id}/preview").status_code == 404
    assert not default_storage.exists(previews.preview_path(user_id=owner.id, job_id=job.id, attempt=job.attempt))


def test_a_finished_or_superseded_attempt_keeps_no_preview(owner, make_job, media_root):
    job = make_job(owner, status=JobStatus.CANCELLED)

    assert not previews.job_preview_store(job_id=job.id, user_id=owner.id, attempt=job.attempt,
                                          rgb=np.zeros((8, 8, 3), np.uint8))
    assert not default_storage.exists(previews.preview_path(user_id=owner.id, job_id=job.id, attempt=job.attempt))


def test_another_users_preview_is_refused(owner, other_api, make_job, media_root):
    job = make_job(owner, status=JobStatus.PROCESSING, preview_at=timezone.now())

    assert other_api.get(f"/api/v1/jobs/{job.id}/preview").status_code == 403


def test_staff_get_403_on_another_users_preview_as_on_its_other_files(owner, staff_api, make_job, media_root):
    # The one staff rule (SECURITY.md): a job's files through the API are its owner's only.
    job = make_job(owner, status=JobStatus.PROCESSING)
    previews.job_preview_store(job_id=job.id, user_id=owner.id, attempt=job.attempt, rgb=np.zeros((8, 8, 3), np.uint8))

    assert staff_api.get(f"/api/v1/jobs/{job.id}/preview").status_code == 403


def test_the_card_and_the_page_show_the_preview_while_rendering(owner, owner_client, make_job, media_root):
    job = make_job(owner, status=JobStatus.PROCESSING)
    previews.job_preview_store(job_id=job.id, user_id=owner.id, attempt=job.attempt, rgb=np.zeros((9, 16, 3), np.uint8))

    listing = owner_client.get("/jobs").content.decode()
    page = owner_client.get(f"/jobs/{job.id}").content.decode()

    for html in (listing, page):
        assert 'data-testid="job-preview"' in html
        assert f"/api/v1/jobs/{job.id}/preview?v=" in html
    assert 'data-testid="job-video"' not in page

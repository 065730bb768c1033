"""Live previews from a real worker process with the default interval: they appear while
the job renders, change as it goes, and are gone once it has finished."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from conftest import client_for
from jobs.models import Job, JobStatus
from jobs.tests.live_workers import wait_until
from videogen.tests.browser import start_paced_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_rendering_job_shows_changing_previews_that_go_when_it_ends(owner, live_workers, clean_redis):
    api = client_for(owner)
    job_id = api.post("/api/v1/jobs", {"prompt": "a quiet forest at night", "resolution": "480p", "quality": "low",
                                       "duration": 10}, format="json").json()["id"]
    # The real renderer, paced to 240 frames in ~12 s: a fast machine renders the whole
    # job in less than the 2 s between two previews.
    start_paced_worker(live_workers, frame_seconds=0.05)

    def preview_url():
        body = api.get(f"/api/v1/jobs/{job_id}").json()
        return (body["result"] or {}).get("previewUrl") if body["status"] == "processing" else None

    first = wait_until(preview_url, timeout=60, message="a first preview")
    image = api.get(first)
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    second = wait_until(lambda: (url := preview_url()) and url != first and url, timeout=60,
                        message="a newer preview")
    assert second != first

    wait_until(lambda: Job.objects.get(pk=job_id).status == JobStatus.COMPLETED, timeout=180, message="completion")
    # A finished job shows no preview at once; the worker removes the file as the attempt ends.
    assert "previewUrl" not in api.get(f"/api/v1/jobs/{job_id}").json()["result"]
    wait_until(lambda: Job.objects.get(pk=job_id).preview_at is None
               and not [p for p in Path(settings.MEDIA_ROOT).rglob("preview*") if job_id in str(p)],
               timeout=30, message="the preview to be removed")

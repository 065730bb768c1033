"""Retakes the README screenshots under docs/screenshots/ from real renders.

Skipped unless VIDEOGEN_SCREENSHOTS=1; `python docs/screenshots/take.py` sets it.
Every job is rendered by a real worker with the built-in procedural model, so the
thumbnails and the player's poster are real frames.
"""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image

from conftest import PASSWORD
from jobs import services
from jobs.models import Job, JobStatus
from jobs.tests.live_workers import wait_until
from projects.models import Project
from videogen.tests.browser import ROOT, WORKER_TIMEOUT_MS, job_card, sign_in, start_paced_worker, video_metadata

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("VIDEOGEN_SCREENSHOTS") != "1",
                       reason="retakes the README screenshots; run `python docs/screenshots/take.py`"),
]

expect = pytest.importorskip("playwright.sync_api").expect

OUT = ROOT / "docs" / "screenshots"
MAX_PNG_BYTES = 400_000
RENDERED = [  # oldest first; the jobs page lists them newest first
    ("Golden sunset over a calm ocean, slow aerial drift", 3, True),
    ("Neon synthwave road trip toward a striped sun", 3, False),
    ("A futuristic city at night with flying cars", 4, True),
]
RENDERING = "A campfire under a starry desert sky, embers rising"


def queue(user, prompt: str, *, duration: int, project: Project | None = None) -> Job:
    job, _ = services.job_create(
        user=user,
        request=services.JobRequest(prompt=prompt, project_id=project.id if project else None, resolution="720p",
                                    quality="medium", duration=duration, max_retries=1, metadata={"seed": 2024}),
    )
    return job


def wait_for_images(page) -> None:
    page.wait_for_function("() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")


def save(page, name: str) -> None:
    """The viewport as a PNG, recompressed losslessly; README images must stay small."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    image = Image.open(io.BytesIO(page.screenshot(type="png"))).convert("RGB")
    path = OUT / name
    image.save(path, "PNG", optimize=True)
    assert path.stat().st_size < MAX_PNG_BYTES, f"{name} is {path.stat().st_size} bytes"


def test_take_the_readme_screenshots(page, make_user, live_workers, clean_redis, settings):
    # The pages show the real catalog, not the test models the live_workers fixture adds.
    settings.VIDEOGEN_MODELS = {k: v for k, v in settings.VIDEOGEN_MODELS.items() if k not in live_workers.extra_models}
    user = make_user("alex@example.com")
    campaign = Project.objects.create(user=user, name="Spring campaign", description="Teasers for the launch")

    rendered = [queue(user, prompt, duration=seconds, project=campaign if in_project else None)
                for prompt, seconds, in_project in RENDERED]
    worker = live_workers.start()
    wait_until(lambda: Job.objects.filter(user=user, status=JobStatus.COMPLETED).count() == len(rendered),
               timeout=90, message="the showcase jobs to render")
    worker.terminate()
    worker.wait(timeout=15)

    active = queue(user, RENDERING, duration=4, project=campaign)
    start_paced_worker(live_workers, frame_seconds=0.12)  # ~12 s: time to catch it mid-render

    sign_in(page, user.email, PASSWORD)
    card = job_card(page, active.id)
    expect(card).to_have_attribute("data-status", "processing", timeout=WORKER_TIMEOUT_MS)
    expect(card.get_by_test_id("job-progress-value")).to_have_text(re.compile(r"^([3-6]\d)%$"),
                                                                    timeout=WORKER_TIMEOUT_MS)
    wait_for_images(page)
    save(page, "jobs.png")

    page.goto(f"/create?project={campaign.id}")
    page.get_by_label("Prompt").fill("Cherry blossoms drifting over a quiet garden pond at sunrise, slow dolly shot")
    page.get_by_label("Resolution").select_option("720p")
    page.get_by_label("Quality").select_option("high")
    page.get_by_label("Duration (seconds)").fill("4")
    save(page, "create.png")

    showcase = rendered[-1]
    page.goto(f"/jobs/{showcase.id}")
    video = video_metadata(page)
    assert video["poster"], video
    page.wait_for_function(
        "src => new Promise(resolve => { const img = new Image(); img.onload = () => resolve(true); img.src = src; })",
        arg=video["poster"],
    )
    page.wait_for_function("() => document.querySelector('[data-testid=job-video]').networkState !== 2")
    # Chromium's controls fade out the loading spinner of that fetch for about a second
    # (inside a closed shadow root); controls drawn afresh on a loaded video have none.
    page.evaluate("() => { const v = document.querySelector('[data-testid=job-video]');"
                  " v.controls = false; v.controls = true; }")
    save(page, "detail.png")

"""Image-to-video in a real browser: drop an image on the create page, watch the live
preview change while a real worker renders it, play the result. With
VIDEOGEN_SCREENSHOTS=1 it also retakes the README's two screenshots of this flow."""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image

from conftest import PASSWORD
from jobs.models import Job
from jobs.tests.image_files import gradient_png
from videogen.tests.browser import ROOT, WORKER_TIMEOUT_MS, sign_in, start_paced_worker, video_metadata

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

SCREENSHOTS = os.environ.get("VIDEOGEN_SCREENSHOTS") == "1"


def photo_png() -> bytes:
    """A picture with a horizon and a sun, so the start image is easy to recognise."""
    image = Image.open(io.BytesIO(gradient_png((960, 540)))).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def screenshot(page, name: str) -> None:
    if SCREENSHOTS:
        page.evaluate("document.activeElement && document.activeElement.blur()")
        image = Image.open(io.BytesIO(page.screenshot(type="png"))).convert("RGB")
        image.save(ROOT / "docs" / "screenshots" / name, "PNG", optimize=True)


def test_a_user_animates_an_uploaded_image_watches_the_preview_and_plays_it(page, make_user, live_workers,
                                                                              clean_redis, tmp_path, settings):
    settings.VIDEOGEN_MODELS = {k: v for k, v in settings.VIDEOGEN_MODELS.items() if k not in live_workers.extra_models}
    user = make_user("maker@example.com")
    sign_in(page, user.email, PASSWORD)
    picture = tmp_path / "harbour.png"
    picture.write_bytes(photo_png())

    page.goto("/create")
    page.get_by_label("Prompt").fill("Slow drift over a quiet harbour at dawn, warm light")
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Quality").select_option("low")
    page.get_by_label("Duration (seconds)").fill("8")
    page.get_by_test_id("image-input").set_input_files(str(picture))
    # Uploaded at once: the preview shows the stored image, the form carries its id.
    preview = page.get_by_test_id("image-preview")
    expect(preview).to_have_attribute("src", re.compile(r"/api/v1/uploads/\w+/content$"))
    expect(page.get_by_test_id("image-id")).to_have_value(re.compile(r"^\w{10,}$"))
    page.wait_for_function("() => document.querySelector('[data-testid=image-preview]').naturalWidth === 960")
    screenshot(page, "create-image.png")
    page.get_by_test_id("submit-job").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Job queued")
    job = Job.objects.get(user=user)
    assert job.image is not None and (job.image.width, job.image.height) == (960, 540)

    page.goto(f"/jobs/{job.id}")
    start_paced_worker(live_workers, frame_seconds=0.06)  # 192 frames: ~12 s, several previews
    live = page.get_by_test_id("job-preview")
    expect(live).to_be_visible(timeout=WORKER_TIMEOUT_MS)
    first = live.get_attribute("src")
    page.wait_for_function(
        "first => { const img = document.querySelector('[data-testid=job-preview]');"
        " return img && img.getAttribute('src') !== first && img.complete && img.naturalWidth > 0; }",
        arg=first, timeout=WORKER_TIMEOUT_MS,
    )
    screenshot(page, "rendering-preview.png")

    expect(page.get_by_test_id("job-status")).to_have_text("Completed", timeout=WORKER_TIMEOUT_MS)
    expect(page.get_by_test_id("job-preview")).to_have_count(0)
    video = video_metadata(page)
    assert video["error"] is None and video["duration"] == pytest.approx(8, abs=0.2)
    page.evaluate("() => { const v = document.querySelector('[data-testid=job-video]'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('[data-testid=job-video]').currentTime > 0.2")

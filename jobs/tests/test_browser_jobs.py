"""The jobs pages in a real browser, with real worker processes.

Every wait is on a condition (Playwright's `expect`, or `wait_until`), never a sleep.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from conftest import PASSWORD
from jobs import services
from jobs.models import PROMPT_MAX_LENGTH, Job, JobStatus
from jobs.tests.live_workers import wait_until
from videogen.tests.browser import (
    WORKER_TIMEOUT_MS,
    assert_not_reloaded,
    job_card,
    mark_page,
    sign_in,
    start_paced_worker,
    video_metadata,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def queue_job(user, *, prompt: str, model: str, duration: int = 1, max_retries: int = 0) -> Job:
    job, _ = services.job_create(
        user=user,
        request=services.JobRequest(prompt=prompt, model=model, resolution="480p", quality="low",
                                    duration=duration, max_retries=max_retries),
    )
    return job


def test_a_new_user_watches_a_job_render_live_and_plays_its_video(page, live_workers, clean_redis):
    page.goto("/")
    page.get_by_test_id("cta-register").click()
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("register-submit").click()
    expect(page).to_have_url(re.compile(r"/jobs$"))
    expect(page.get_by_test_id("nav-email")).to_have_text("newcomer@example.com")
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    page.get_by_test_id("nav-create").click()
    prompt = "A paper boat drifting down a neon-lit canal at night"
    expect(page.get_by_test_id("prompt-counter")).to_have_text(f"0 / {PROMPT_MAX_LENGTH}")
    page.get_by_label("Prompt").press_sequentially(prompt[:10])
    expect(page.get_by_test_id("prompt-counter")).to_have_text(f"10 / {PROMPT_MAX_LENGTH}")
    page.get_by_label("Prompt").fill(prompt)
    expect(page.get_by_test_id("prompt-counter")).to_have_text(f"{len(prompt)} / {PROMPT_MAX_LENGTH}")
    expect(page.get_by_label("Model", exact=True)).to_have_value(settings.VIDEOGEN_DEFAULT_MODEL)
    page.get_by_label("Resolution").select_option("480p")
    page.get_by_label("Quality").select_option("low")
    page.get_by_label("Duration (seconds)").fill("2")
    page.get_by_test_id("submit-job").click()

    expect(page).to_have_url(re.compile(r"/jobs$"))
    expect(page.get_by_test_id("flash")).to_contain_text("Job queued")
    card = page.get_by_test_id("job-card")
    expect(card).to_have_count(1)
    expect(card).to_have_attribute("data-status", "queued")
    expect(card.get_by_test_id("job-link")).to_have_text(prompt)
    job_id = card.get_attribute("data-job-id")
    mark_page(page)

    # The worker starts only now, so "queued" above was really seen; it renders the
    # default model's real frames at 0.07 s a frame (~3.4 s), longer than one 2 s poll.
    start_paced_worker(live_workers, frame_seconds=0.07)
    expect(card).to_have_attribute("data-status", "processing", timeout=WORKER_TIMEOUT_MS)
    expect(card.get_by_test_id("job-progress-value")).to_have_text(re.compile(r"^\d+%$"))
    expect(card).to_have_attribute("data-status", "completed", timeout=WORKER_TIMEOUT_MS)
    thumbnail = card.get_by_test_id("job-thumbnail")
    expect(thumbnail).to_be_visible()
    thumbnail.evaluate("img => img.decode()")  # rejects unless the poster image really loads
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_test_id("job-list")).not_to_have_attribute("data-polling", "true")
    assert_not_reloaded(page)

    job = Job.objects.get(pk=job_id)
    assert (job.model, job.resolution, job.quality, job.duration) == (settings.VIDEOGEN_DEFAULT_MODEL, "480p", "low", 2)

    card.get_by_test_id("job-link").click()
    expect(page).to_have_url(re.compile(rf"/jobs/{job_id}$"))
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    video = video_metadata(page)
    assert video["readyState"] >= 1
    assert abs(video["duration"] - 2.0) <= 0.2, video
    assert video["poster"], "the player has no poster"


def test_a_failed_job_is_retried_from_its_card(page, owner, live_workers, clean_redis):
    job = queue_job(owner, prompt="always fails in the browser", model="test-failing", max_retries=0)
    sign_in(page, owner.email, PASSWORD)
    card = job_card(page, job.id)
    expect(card).to_have_attribute("data-status", "queued")
    mark_page(page)

    worker = live_workers.start()
    expect(card).to_have_attribute("data-status", "failed", timeout=WORKER_TIMEOUT_MS)
    # The user sees struct's safe message, never the engine's own error text.
    expect(card.get_by_test_id("job-error")).to_contain_text(
        "Rendering failed because of an internal error on the worker")
    expect(card.get_by_test_id("job-error")).not_to_contain_text("the test engine always fails")
    # No worker while the retry is clicked, so the card's "queued" state is certain to be seen.
    worker.terminate()
    worker.wait(timeout=15)

    card.get_by_test_id("retry-job").click()
    expect(card).to_have_attribute("data-status", "queued")
    expect(page.get_by_test_id("flash")).to_contain_text("Job queued again")
    expect(card.get_by_test_id("cancel-job")).to_be_visible()

    live_workers.start()
    expect(card).to_have_attribute("data-status", "failed", timeout=WORKER_TIMEOUT_MS)
    expect(card.get_by_test_id("retry-job")).to_be_visible()
    assert_not_reloaded(page)
    job.refresh_from_db()
    assert job.attempt == 2
    assert live_workers.executions("always fails in the browser") == ["start", "start"]


def test_a_rendering_job_is_cancelled_from_its_card(page, owner, live_workers, clean_redis):
    job = queue_job(owner, prompt="a long render to cancel", model="test-slow", duration=20)
    live_workers.start()
    sign_in(page, owner.email, PASSWORD)
    card = job_card(page, job.id)
    mark_page(page)
    expect(card).to_have_attribute("data-status", "processing", timeout=WORKER_TIMEOUT_MS)

    card.get_by_test_id("cancel-job").click()
    expect(card).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id("flash")).to_contain_text("Job cancelled")
    expect(card.get_by_test_id("retry-job")).to_be_visible()
    wait_until(lambda: "stopped" in live_workers.executions("a long render to cancel"), timeout=5,
               message="the engine to stop rendering")
    # Nothing is active any more: the list stops polling, and the card stays cancelled.
    expect(page.get_by_test_id("job-list")).not_to_have_attribute("data-polling", "true")
    expect(card).to_have_attribute("data-status", "cancelled")
    assert_not_reloaded(page)
    assert Job.objects.get(pk=job.id).status == JobStatus.CANCELLED


def test_deleting_a_job_asks_first_and_keeps_it_when_dismissed(page, owner, make_job):
    kept = make_job(owner, status=JobStatus.COMPLETED, prompt="a job that stays")
    doomed = make_job(owner, status=JobStatus.COMPLETED, prompt="a job to delete")
    sign_in(page, owner.email, PASSWORD)
    mark_page(page)
    dialogs: list[str] = []

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    job_card(page, doomed.id).get_by_test_id("delete-job").click()
    wait_until(lambda: dialogs, timeout=5, message="the confirmation dialog")
    assert "Delete this job" in dialogs[0]
    expect(job_card(page, doomed.id)).to_be_visible()
    assert Job.objects.filter(pk=doomed.id).exists()

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    job_card(page, doomed.id).get_by_test_id("delete-job").click()
    expect(job_card(page, doomed.id)).to_have_count(0)
    expect(page.get_by_test_id("flash")).to_contain_text("Job deleted")
    expect(job_card(page, kept.id)).to_be_visible()
    assert len(dialogs) == 2
    assert not Job.objects.filter(pk=doomed.id).exists()
    assert_not_reloaded(page)


def test_another_users_job_and_its_video_are_refused(page, owner, other_user, make_job, store_output):
    theirs = store_output(make_job(other_user, status=JobStatus.COMPLETED, prompt="someone else's video"))
    sign_in(page, owner.email, PASSWORD)

    response = page.goto(f"/jobs/{theirs.id}")
    assert response.status in (403, 404)
    expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", str(response.status))
    expect(page.get_by_test_id("nav-email")).to_have_text(owner.email)
    expect(page.get_by_text("someone else's video")).to_have_count(0)

    for url in (f"/api/v1/jobs/{theirs.id}/video", f"/api/v1/jobs/{theirs.id}/thumbnail"):
        response = page.goto(url)
        assert response.status in (403, 404), url
        assert response.headers["content-type"].startswith("application/json"), url

"""End-to-end browser tests: Playwright driving Debian's Chromium against pytest-django's
live server (a pytest plugin, loaded from the root conftest).

- ``chromium``: one headless browser for the session; tests are skipped, with the
  reason, when /usr/bin/chromium (or the playwright package) is missing.
- ``page``: a fresh browser context and page per test, 1280 px wide, pointed at the
  live server. When the test fails, a full-page screenshot is saved to
  ``test-artifacts/screenshots/<test name>.png`` before the page is closed.
- Helpers for what the flows share: signing in, finding a job card, proving a page was
  not reloaded, starting a worker that renders the built-in model slowly enough for
  a page that polls every 2 s to see the job while it renders.

Browser tests use ``live_server``, so they must be ``django_db(transaction=True)``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
# Waits on the page (a locator or `expect`); waits on a worker pass their own.
DEFAULT_TIMEOUT_MS = 10_000
WORKER_TIMEOUT_MS = 45_000


# --- pytest plumbing ---------------------------------------------------------------------

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (``item.report_call``) for the page fixture."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium for the whole session (Debian's, never a downloaded one)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # The sync API runs an event loop in this thread; Django would then refuse ORM
    # calls from the test body (SynchronousOnlyOperation). They are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sync_api.expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        # Later tests (and the subprocesses they start) must not inherit it.
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(request, chromium, live_server):
    """A new page in a new context (no cookies) on the live server; a screenshot if the test fails."""
    context = chromium.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed:
        save_screenshot(page, request.node.name)
    context.close()


def save_screenshot(page, test_name: str) -> Path | None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception:  # a crashed page must not hide the test's own failure
        return None
    return path


# --- flows ---------------------------------------------------------------------------------

def sign_in(page, email: str, password: str) -> None:
    """Log in through the login form; the app lands on the jobs page."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("nav-email")).to_have_text(email)


def job_card(page, job_id: str):
    return page.locator(f'[data-testid="job-card"][data-job-id="{job_id}"]')


def mark_page(page) -> None:
    """Tag the loaded document; `assert_not_reloaded` proves it is still the same one."""
    page.evaluate("window.__videogenMarker = 'still here'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__videogenMarker") == "still here", "the page was reloaded"


def video_metadata(page, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> dict:
    """Wait until the job's <video> has loaded its metadata; its readyState and duration."""
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=job-video]'); return v && v.readyState >= 1; }",
        timeout=timeout_ms,
    )
    return page.evaluate(
        "() => { const v = document.querySelector('[data-testid=job-video]');"
        " return {readyState: v.readyState, duration: v.duration, poster: v.poster, error: v.error && v.error.code}; }"
    )


def start_paced_worker(live_workers, *, frame_seconds: float):
    """Start a worker whose default model is the real procedural renderer, paced.

    Only the worker's catalog changes: the pages still offer and record the default
    model, and the job renders real frames into a real MP4 and poster.
    """
    default = settings.VIDEOGEN_DEFAULT_MODEL
    paced = {
        **settings.VIDEOGEN_MODELS[default],
        "engine": "jobs.tests.engines:PacedProceduralEngine",
        "options": {"frame_seconds": frame_seconds},
    }
    return live_workers.start(VIDEOGEN_EXTRA_MODELS=json.dumps({**live_workers.extra_models, default: paced}))

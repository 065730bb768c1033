"""The webhooks settings page in a real browser: add an endpoint, see its secret,
send a test event to a real receiver and see the attempt in the log."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from jobs.tests.live_workers import wait_until
from jobs.webhooks.models import DeliveryAttempt, WebhookEndpoint
from videogen.tests.browser import SCREENSHOT_DIR, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def test_an_owner_adds_an_endpoint_and_sends_a_test_event(page, owner, receiver, allow_private, live_workers, clean_redis):
    live_workers.start(queues="webhooks", VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE="1")
    sign_in(page, owner.email, PASSWORD)
    page.goto("/settings/webhooks")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("job.progress").check()
    page.get_by_test_id("create-webhook").click()
    expect(page).to_have_url(re.compile(r"/settings/webhooks/\w+$"))
    endpoint = WebhookEndpoint.objects.get()
    expect(page.get_by_test_id("endpoint-secret")).to_have_text(endpoint.secret)
    assert "job.progress" in endpoint.events

    page.get_by_test_id("send-test").click()
    expect(page.get_by_text("Test event sent.")).to_be_visible()
    (got,) = receiver.wait_for(1)
    assert got.verifies_with(endpoint.secret)
    wait_until(lambda: DeliveryAttempt.objects.filter(endpoint=endpoint).exists(), timeout=15,
               message="the attempt to be logged")
    page.reload()
    expect(page.get_by_test_id("attempt-row")).to_have_count(1)
    expect(page.get_by_test_id("attempt-row")).to_contain_text("200")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "webhooks-endpoint.png"), full_page=True)

"""In a real Chromium: the pages work under their Content-Security-Policy (nothing is
refused), and the API docs load with every asset from this site (they work offline)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from conftest import PASSWORD
from videogen.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def offline_page(page, live_server):
    """The page, cut off from everything but the live server; records CSP refusals and off-site requests."""
    own = urlsplit(live_server.url).netloc
    page.refused = []
    page.off_site = []

    def route(route):
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith("data:"):
            route.continue_()
        else:
            page.off_site.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: "Content Security Policy" in message.text and page.refused.append(message.text))
    return page


def test_the_api_docs_render_offline_with_no_csp_refusal(offline_page):
    response = offline_page.goto("/api/v1/docs/", timeout=60_000)  # a large bundle on a busy machine

    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(offline_page.locator(".opblock").first).to_be_visible()
    expect(offline_page.locator(".opblock-summary-path", has_text="/api/v1/jobs").first).to_be_visible()
    assert offline_page.off_site == []
    assert offline_page.refused == []


def test_the_pages_and_htmx_work_under_the_policy(offline_page, owner):
    sign_in(offline_page, owner.email, PASSWORD)
    for path in ("/jobs", "/projects", "/create"):
        response = offline_page.goto(path)
        assert "style-src 'self'" in response.headers["content-security-policy"], path
        assert offline_page.evaluate("typeof window.htmx") == "object", path

    # An HTMX form post: a project created without a full reload.
    offline_page.goto("/projects")
    offline_page.get_by_label("Name").first.fill("Under CSP")
    offline_page.get_by_role("button", name="Create").first.click()
    expect(offline_page.get_by_text("Under CSP").first).to_be_visible()

    assert offline_page.off_site == []
    assert offline_page.refused == []


def test_the_later_pages_and_the_start_image_drop_zone_work_under_the_policy(offline_page, owner, tmp_path):
    # The create page's drop zone shows the chosen file at once (a blob: URL), then the
    # stored upload; the presets and webhooks settings pages load their assets only.
    from jobs.tests.image_files import gradient_png

    sign_in(offline_page, owner.email, PASSWORD)
    for path in ("/presets", "/settings/webhooks"):
        response = offline_page.goto(path)
        assert response.status == 200, path
        assert offline_page.evaluate("typeof window.htmx") == "object", path

    picture = tmp_path / "still.png"
    picture.write_bytes(gradient_png())
    offline_page.goto("/create")
    offline_page.get_by_test_id("image-input").set_input_files(str(picture))
    expect(offline_page.get_by_test_id("image-id")).to_have_value(re.compile(r"^\w{10,}$"))
    offline_page.wait_for_function("() => document.querySelector('[data-testid=image-preview]').naturalWidth > 0")

    assert offline_page.off_site == []
    assert offline_page.refused == []

"""Settings → API keys in a real browser: create (the key shown once works at once
against the API), revoke; with VIDEOGEN_SCREENSHOTS=1 it also retakes docs/screenshots/keys.png."""

from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image

from accounts.key_services import api_key_create
from conftest import PASSWORD
from videogen.tests.browser import ROOT, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def me(live_server, key: str) -> int:
    return httpx.get(f"{live_server.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code


def test_create_a_key_see_it_once_use_it_and_revoke_it(page, live_server, make_user):
    user = make_user("alex@example.com")
    api_key_create(user=user, name="CI pipeline", scope="read")
    api_key_create(user=user, name="render farm script", scope="write")
    sign_in(page, "alex@example.com", PASSWORD)

    page.goto("/settings/keys")
    expect(page.get_by_test_id("key-row")).to_have_count(2)
    page.get_by_label("Name").fill("laptop")
    page.get_by_label("Scope").select_option("write")
    page.get_by_label("Expires").select_option("90")
    page.get_by_test_id("create-key").click()

    shown = page.get_by_test_id("new-key-value")
    expect(shown).to_be_visible()
    key = shown.input_value()
    assert key.startswith("vg_")
    assert me(live_server, key) == 200
    expect(page.get_by_test_id("key-row")).to_have_count(3)
    if os.environ.get("VIDEOGEN_SCREENSHOTS") == "1":
        page.evaluate("document.activeElement && document.activeElement.blur()")
        image = Image.open(io.BytesIO(page.screenshot(type="png"))).convert("RGB")
        path = ROOT / "docs" / "screenshots" / "keys.png"
        image.save(path, "PNG", optimize=True)
        assert path.stat().st_size < 400_000

    page.reload()  # a reload (GET) never shows the key again
    expect(page.get_by_test_id("new-key")).to_have_count(0)
    assert key not in page.content()

    row = page.get_by_test_id("key-row").filter(has_text="laptop")
    row.get_by_test_id("revoke-key").click()
    expect(page.get_by_test_id("key-row")).to_have_count(2)
    expect(page.locator("#messages")).to_contain_text("revoked")
    assert me(live_server, key) == 401

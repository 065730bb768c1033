"""Turning two-factor on in a real browser, then signing in with a code."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor.tests.conftest import next_code, wrong_code
from conftest import PASSWORD
from videogen.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def app_code(secret: str) -> str:
    """What an authenticator app given this secret shows now (django-otp's own TOTP generator)."""
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def test_turning_on_two_factor_then_signing_in_with_a_code(page, owner):
    sign_in(page, owner.email, PASSWORD)
    page.goto("/settings/two-factor")
    page.get_by_test_id("two-factor-start").click()

    expect(page.get_by_test_id("two-factor-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("two-factor-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7 ]{32,}", secret), secret
    page.get_by_label("Code", exact=True).fill(app_code(secret))
    page.get_by_test_id("two-factor-confirm").click()

    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)
    page.get_by_test_id("recovery-codes-done").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("on")
    expect(page.get_by_test_id("recovery-codes-left")).to_have_text("10")

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("nav-email")).to_have_count(0)
    page.goto("/login")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()

    expect(page.get_by_test_id("two-factor-login-form")).to_be_visible()
    expect(page.get_by_test_id("nav-email")).to_have_count(0)
    device = TOTPDevice.objects.get(user=owner, confirmed=True)
    assert device.bin_key == b32decode(secret.replace(" ", ""))
    page.get_by_label("Code", exact=True).fill(wrong_code(device))
    page.get_by_test_id("two-factor-submit").click()
    expect(page.get_by_test_id("error-code")).to_have_text("Invalid two-factor code.")

    # If the confirmation spent this step's code, the next step's is already accepted.
    page.get_by_label("Code", exact=True).fill(next_code(device))
    page.get_by_test_id("two-factor-submit").click()
    expect(page.get_by_test_id("nav-email")).to_have_text(owner.email)
    expect(page).to_have_url(re.compile(r"/jobs$"))

"""Forgot password, in a real browser: the form, the mail file, the link, the new password, signing in."""

from __future__ import annotations

import re

import pytest

from accounts.tests.mailbox import LINK, deliver_queued_mail
from conftest import PASSWORD
from videogen.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect

NEW_PASSWORD = "a new passphrase from the mail 3"


def test_forgot_password_through_the_mail_file_to_signing_in_with_the_new_password(
    page, owner, settings, tmp_path, clean_redis
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")

    page.goto("/login")
    page.get_by_test_id("forgot-password").click()
    page.get_by_label("Email").fill(owner.email)
    page.get_by_test_id("password-reset-submit").click()
    expect(page.get_by_test_id("password-reset-sent")).to_be_visible()

    deliver_queued_mail()  # what the worker does with the queued mail
    [mail_file] = list((tmp_path / "mail").iterdir())
    text = mail_file.read_text()
    assert f"To: {owner.email}" in text
    link = next(url for url in LINK.findall(text) if "/password-reset/" in url)

    page.goto(link)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_test_id("password-reset-confirm-submit").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("flash")).to_contain_text("signed out")

    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("Invalid email or password")

    sign_in(page, owner.email, NEW_PASSWORD)

    page.goto(link)  # the link worked once
    expect(page.get_by_test_id("link-invalid")).to_be_visible()

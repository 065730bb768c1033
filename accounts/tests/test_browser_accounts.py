"""Signing out in a real browser."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD
from videogen.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect = pytest.importorskip("playwright.sync_api").expect


def test_logging_out_from_the_navbar_lands_on_the_landing_page_and_locks_the_jobs(page, owner):
    sign_in(page, owner.email, PASSWORD)
    page.get_by_test_id("logout").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("cta-register")).to_be_visible()
    expect(page.get_by_test_id("nav-email")).to_have_count(0)

    page.goto("/jobs")
    expect(page).to_have_url(re.compile(r"/login\?next=/jobs$"))
    expect(page.get_by_test_id("login-form")).to_be_visible()

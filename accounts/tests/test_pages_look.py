"""What every page is built on: the shell (assets, navbar, CSRF for htmx), the auth
forms' look and errors, and the friendly error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.functional import SimpleLazyObject

from jobs.tests.page_helpers import html, signed_in
from videogen import error_views

pytestmark = pytest.mark.django_db

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"


def test_htmx_and_pico_are_vendored_with_their_licenses():
    names = sorted(path.name for path in VENDOR.iterdir())

    assert any(re.fullmatch(r"htmx-2\.\d+\.\d+\.min\.js", name) for name in names), names
    assert any(re.fullmatch(r"pico-2\.\d+\.\d+\.min\.css", name) for name in names), names
    assert any(name.startswith("htmx-") and "LICENSE" in name for name in names), names
    assert any(name.startswith("pico-") and "LICENSE" in name for name in names), names


def test_pages_load_only_local_assets(client):
    body = html(client.get("/"))

    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', body)
    assert assets, body
    assert all(url.startswith("/static/") for url in assets), assets
    assert any(re.search(r"/static/vendor/htmx-2[\d.]+\.min\.js", url) for url in assets)
    assert any(re.search(r"/static/vendor/pico-2[\d.]+\.min\.css", url) for url in assets)


def test_the_navbar_shows_the_email_the_links_and_a_post_logout(owner):
    body = html(signed_in(owner).get("/jobs"))

    assert 'data-testid="nav-email"' in body and "owner@example.com" in body
    for href in ('href="/jobs"', 'href="/create"', 'href="/projects"'):
        assert href in body, href
    assert '<form method="post" action="/logout"' in body
    assert 'aria-current="page"' in body


def test_the_csrf_token_is_on_body_once_for_htmx(owner):
    body = html(signed_in(owner).get("/jobs"))

    assert len(re.findall(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'", body)) == 1
    assert body.count("X-CSRFToken") == 1


def test_a_visitor_sees_log_in_and_sign_up(client):
    body = html(client.get("/login"))

    assert 'href="/register"' in body
    assert "nav-email" not in body


def test_a_failed_login_is_a_400_with_the_message_shown(client, owner):
    response = client.post("/login", {"email": "owner@example.com", "password": "wrong password!"})

    assert response.status_code == 400
    body = html(response)
    assert 'data-testid="form-errors"' in body
    assert '<label for="id_email">' in body and '<label for="id_password">' in body


def test_a_bad_registration_shows_the_error_on_its_field(client):
    response = client.post("/register", {"email": "not-an-email", "password": "short"})

    assert response.status_code == 400
    body = html(response)
    assert 'data-testid="error-email"' in body
    assert 'aria-invalid="true"' in body


def test_login_keeps_the_next_page(client, owner):
    body = html(client.get("/login?next=/projects"))

    assert '<input type="hidden" name="next" value="/projects">' in body


def test_an_unknown_page_is_the_friendly_404(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    body = html(response)
    assert 'data-testid="error-page"' in body
    assert "Not found" in body
    assert 'href="/"' in body


def test_logout_needs_a_csrf_token(owner):
    browser = signed_in(owner, enforce_csrf=True)

    assert browser.post("/logout").status_code == 403
    assert browser.get("/jobs").status_code == 200  # still signed in



def test_the_500_page_needs_neither_the_database_nor_the_session(rf):
    def broken_user():
        raise RuntimeError("the database is down")

    request = rf.get("/jobs")
    request.user = SimpleLazyObject(broken_user)

    response = error_views.server_error(request)

    assert response.status_code == 500
    body = html(response)
    assert "Something went wrong" in body
    assert 'data-status="500"' in body

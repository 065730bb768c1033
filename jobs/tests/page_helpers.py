"""Helpers shared by the page (HTML) tests of jobs and projects."""

from __future__ import annotations

import re

from django.test import Client

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def htmx_headers(*, target: str | None = None, current_url: str | None = None) -> dict:
    """The request headers htmx sends (django-htmx reads them into request.htmx)."""
    headers = dict(HTMX)
    if target:
        headers["HTTP_HX_TARGET"] = target
    if current_url:
        headers["HTTP_HX_CURRENT_URL"] = f"http://testserver{current_url}"
    return headers


def html(response) -> str:
    return response.content.decode()


def is_fragment(response) -> bool:
    body = html(response)
    return "<html" not in body and "<body" not in body


def csrf_header_token(response) -> str:
    """The token the page hands htmx once, on <body hx-headers=...>."""
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html(response))
    assert match, "the page carries no CSRF token for htmx"
    return match.group(1)


def form_csrf_token(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html(response))
    assert match, "the page has no CSRF form token"
    return match.group(1)


def card_ids(response) -> list[str]:
    """The job ids of the cards on a page, in page order."""
    return re.findall(r'data-testid="job-card" data-job-id="([^"]+)"', html(response))

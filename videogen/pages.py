"""Shared plumbing for the HTML pages: login and access errors, HTMX fragments,
and safe "next" URLs (service errors on forms: ``videogen.form_errors``).

Page views stay thin: load through an ownership helper, validate, call a service,
respond. What every one of them needs in between lives here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from videogen import error_views
from videogen.errors import Forbidden, NotFound


def login_required_page(view: Callable) -> Callable:
    """Like ``login_required``; an HTMX request is sent to the login page as a whole
    page (HX-Redirect) rather than having the login form swapped into a fragment."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            back_to = current_page_path(request)
            return HttpResponseClientRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': back_to})}")
        return redirect_to_login(request.get_full_path())

    return wrapper


def access_errors_as_pages(view: Callable) -> Callable:
    """Render the friendly 403 / 404 page when the ownership helpers refuse.

    For an HTMX request the page is also told to reload (HX-Refresh), so a poll or an
    action on something that is gone shows the real page instead of failing silently.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (Forbidden, NotFound) as error:
            if isinstance(error, Forbidden):
                response = error_views.permission_denied(request)
            else:
                response = error_views.page_not_found(request)
            if request.htmx:
                response["HX-Refresh"] = "true"
            return response

    return wrapper


def is_fragment_request(request: HttpRequest) -> bool:
    """An HTMX swap asks for a fragment; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest, *, page: str, fragment: str, context: dict, status: int = 200
) -> HttpResponse:
    """The same view answers the full page, or (for HTMX) just the part that changes."""
    template = fragment if is_fragment_request(request) else page
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def current_page_path(request: HttpRequest) -> str:
    """The path of the page the user is looking at (for "back to where I was").

    HX-Current-URL is whatever the client sent: one that is no URL at all
    (``http://[``) counts as absent.
    """
    if request.htmx:
        try:
            current = request.htmx.current_url_abs_path
        except ValueError:
            current = None
        if current:
            return current
    return request.get_full_path()


def safe_next_url(request: HttpRequest, fallback: str, *, refuse: Iterable[str] = ()) -> str:
    """The ``next`` field or parameter when it points back into this site, else ``fallback``.

    ``refuse`` lists paths that must not be returned to (a page that was just deleted).
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not candidate or not allowed:
        return fallback
    path = candidate.split("?", 1)[0]
    if path in set(refuse):
        return fallback
    return candidate

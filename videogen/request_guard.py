"""Requests refused or cleaned before any view sees them: a body Django cannot read
(never silently read as empty); control characters in the path or query string (no
route, id or filter has any use for a NUL byte, and PostgreSQL refuses it in a query);
a Referer that is no URL (views redirect "back" to it)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from videogen.error_views import bad_request, length_required, page_not_found

_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_QUERY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # a search may hold a line break


class LengthRequiredMiddleware:
    """A body sent with Transfer-Encoding (chunked) and no Content-Length answers 411.

    Django reads a body by its Content-Length only: without one it would see an empty
    body and answer as if nothing had been sent. Behind the web tier's nginx (compose,
    `make web`) chunked bodies arrive whole with a Content-Length and are read; this
    covers servers that pass them through (gunicorn alone, runserver).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING") and not request.META.get("CONTENT_LENGTH"):
            return length_required(request)
        return self.get_response(request)


class MalformedInputMiddleware:
    """A path with a control character (NUL and the like) answers 404 (no route has one),
    a query string with one 400;
    a Referer header that does not parse as a URL is dropped, as if not sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = unquote(request.META.get("QUERY_STRING", ""), errors="replace")
        if _CONTROL_IN_PATH.search(request.path):
            return page_not_found(request)
        if _CONTROL_IN_QUERY.search(query):
            return bad_request(request, details=_fields_with_control_characters(request.META.get("QUERY_STRING", "")))
        referer = request.META.get("HTTP_REFERER")
        if referer is not None and not _parses(referer):
            del request.META["HTTP_REFERER"]
        return self.get_response(request)


def _fields_with_control_characters(query_string: str) -> dict[str, list[str]]:
    """The query parameters that hold a control character, named the way a field error is."""
    pairs = parse_qsl(query_string, keep_blank_values=True, errors="replace")
    names = [name for name, value in pairs if _CONTROL_IN_QUERY.search(name + value)]
    return {
        (name if not _CONTROL_IN_QUERY.search(name) else "query"): ["Must not contain control characters."]
        for name in names
    }


def _parses(url: str) -> bool:
    try:
        urlsplit(url)
    except ValueError:
        return False
    return not _CONTROL_IN_PATH.search(url)

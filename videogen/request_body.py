"""Request bodies Django cannot read are refused, never silently read as empty."""

from __future__ import annotations

from videogen.error_views import length_required


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

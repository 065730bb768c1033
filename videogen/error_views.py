"""Friendly error pages, and the JSON error shape for paths under /api/."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from videogen.api.exceptions import json_error_response


def _respond(request: HttpRequest, status: int, title: str, message: str, details: dict | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error_response(status, message, details)
    context = {"status": status, "title": title, "message": message}
    return render(request, "errors/error.html", context, status=status)


def bad_request(request, exception=None, *, details: dict | None = None):
    return _respond(request, 400, "Bad request", "The request could not be understood.", details)


def permission_denied(request, exception=None):
    return _respond(request, 403, "Not allowed", "You do not have permission to see this page.")


def page_not_found(request, exception=None):
    return _respond(request, 404, "Not found", "There is nothing here. It may have been deleted.")


def length_required(request, exception=None):
    return _respond(
        request, 411, "Length required",
        "Send the request body with a Content-Length header (chunked transfer encoding is not accepted here).",
    )


def server_error(request):
    return _respond(request, 500, "Something went wrong", "An unexpected error happened. It has been logged.")

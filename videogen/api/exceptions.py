"""One exception handler gives every API error the shape {"error", "details"}."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from videogen.errors import ApplicationError, TooManyRequests

logger = logging.getLogger(__name__)


def error_body(message: str, details: dict | None = None) -> dict:
    return {"error": message, "details": details or {}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        status, message, details = exc.status_code, exc.message, exc.details
        if isinstance(exc, TooManyRequests) and exc.retry_after is not None:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, DjangoValidationError):
        status, details = 400, {"non_field_errors": list(exc.messages)}
        message = "; ".join(exc.messages)
    elif isinstance(exc, drf.ValidationError):
        status, details = 400, _field_details(exc.detail)
        message = _summarise(details)
    elif isinstance(exc, RequestDataTooBig):
        status, message, details = 413, "Request body is too large.", {}
    elif isinstance(exc, Http404):
        status, message, details = 404, "Not found.", {}
    elif isinstance(exc, PermissionDenied):
        status, message, details = 403, "You do not have permission to do this.", {}
    elif isinstance(exc, drf.APIException):
        status, message, details = exc.status_code, _text(exc.detail), {}
        if isinstance(exc, drf.ParseError):
            message = f"Malformed request body: {message}"
        auth_header = getattr(exc, "auth_header", None)
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
        if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
            status = 401
            view = context.get("view")
            auth_header = view.get_authenticate_header(context["request"]) if view else None
            if auth_header:
                headers["WWW-Authenticate"] = auth_header
            message = _auth_message(exc)
    else:
        return None
    set_rollback()
    return Response(error_body(message, details), status=status, headers=headers)


def _auth_message(exc: drf.APIException) -> str:
    if isinstance(exc, drf.NotAuthenticated):
        return "Authentication credentials were not provided."
    detail = exc.detail
    if isinstance(detail, dict) and "detail" in detail:
        return str(detail["detail"])
    return _text(detail)


def _text(detail) -> str:
    if isinstance(detail, (list, tuple)):
        return "; ".join(_text(item) for item in detail)
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_text(value)}" for key, value in detail.items())
    return str(detail)


def _field_details(detail) -> dict:
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list:
    if isinstance(value, dict):
        return [f"{key}: {_text(inner)}" for key, inner in value.items()]
    if isinstance(value, (list, tuple)):
        return [_text(item) for item in value]
    return [str(value)]


def _summarise(details: dict) -> str:
    parts = []
    for field, messages in details.items():
        text = " ".join(messages)
        parts.append(text if field == "non_field_errors" else f"{field}: {text}")
    return "Invalid input. " + "; ".join(parts) if parts else "Invalid input."


def json_error_response(status: int, message: str, details: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(message, details), status=status)

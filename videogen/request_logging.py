"""One structured log line per HTTP request, on the "videogen.request" logger.

The line carries method, path, status, duration (ms), the user id when the request
was authenticated (session or JWT) and the request id, as record attributes: the
JSON formatter (LOG_FORMAT=json) writes each as a field, the text format reads
them in the message. Gunicorn's own access log stays off so each request is
logged once.
"""

from __future__ import annotations

import logging
import time

from django.utils.functional import SimpleLazyObject, empty

logger = logging.getLogger("videogen.request")

# Container and load-balancer probes hit these every few seconds; they log at DEBUG.
QUIET_PATHS = frozenset({"/api/v1/health/live"})


def _user_id(request) -> str | None:
    """The authenticated user's id, without a database query to find out.

    Session users are a lazy object that is only resolved when something used it; an
    unresolved one stays unresolved here, because pinned query counts on pages must
    not change with logging. DRF puts the user it authenticated (JWT) on the request.
    """
    user = getattr(request, "user", None)
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk)


class RequestLogMiddleware:
    """Logs each request once, after the response; sits right inside RequestIdMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": _user_id(request),
            "request_id": getattr(request, "request_id", "-"),
        }
        level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1fms user=%s",
            fields["method"],
            fields["path"],
            fields["status"],
            duration_ms,
            fields["user_id"] or "-",
            extra=fields,
        )
        return response

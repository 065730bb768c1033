"""Typed errors: each API error carries the server's ``error`` message and ``details``."""

from __future__ import annotations

from typing import Any, Optional


class VideogenError(Exception):
    """Anything this client raises."""


class ConnectionFailed(VideogenError):
    """The server could not be reached (after the retries)."""


class APIError(VideogenError):
    status_code: int = 0

    def __init__(self, error: str, *, status_code: int, details: Optional[dict] = None,
                 retry_after: Optional[float] = None):
        super().__init__(error)
        self.error = error
        self.status_code = status_code
        self.details = details or {}
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.error} (HTTP {self.status_code})"


class BadRequest(APIError):
    """400: the request was invalid; ``details`` names the fields."""


class AuthenticationFailed(APIError):
    """401: no key, or the key is malformed, revoked or expired."""


class PermissionDenied(APIError):
    """403: not yours, or a read-only key asked to write."""


class NotFound(APIError):
    """404."""


class Conflict(APIError):
    """409."""


class RateLimited(APIError):
    """429 that outlasted the retries."""


class ServerError(APIError):
    """5xx that outlasted the retries."""


class JobFailed(VideogenError):
    """The job ended as failed (or cancelled: JobCancelled)."""

    def __init__(self, job: dict[str, Any]):
        message = job.get("errorMessage") or f"job {job.get('id')} {job.get('status')}"
        super().__init__(message)
        self.job = job


class JobCancelled(JobFailed):
    pass


_BY_STATUS = {400: BadRequest, 401: AuthenticationFailed, 403: PermissionDenied, 404: NotFound,
              409: Conflict, 429: RateLimited}


def error_for(status_code: int, body: Any, retry_after: Optional[float] = None) -> APIError:
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message, details = body["error"], body.get("details") if isinstance(body.get("details"), dict) else {}
    else:
        message, details = f"HTTP {status_code}", {}
    cls = _BY_STATUS.get(status_code, ServerError if status_code >= 500 else APIError)
    return cls(message, status_code=status_code, details=details, retry_after=retry_after)

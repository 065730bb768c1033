"""Domain exceptions raised by services; the API and pages translate them.

Services never return error values: they raise one of these with a human message
and, where useful, per-field details.
"""

from __future__ import annotations


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(ApplicationError):
    status_code = 400

    @classmethod
    def for_field(cls, field: str, message: str) -> "InvalidInput":
        return cls(f"{field}: {message}", details={field: [message]})


class NotAuthenticated(ApplicationError):
    status_code = 401


class Forbidden(ApplicationError):
    status_code = 403


class NotFound(ApplicationError):
    status_code = 404


class Conflict(ApplicationError):
    status_code = 409


class TooManyRequests(ApplicationError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int | None = None, details: dict | None = None):
        super().__init__(message, details=details)
        self.retry_after = retry_after

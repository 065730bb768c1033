"""Python client for the videogen API (see ``Client``)."""

from videogen_client.client import Client, Projects
from videogen_client.errors import (
    APIError,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    ConnectionFailed,
    JobCancelled,
    JobFailed,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    VideogenError,
)

__version__ = "0.1.0"
__all__ = [
    "Client", "Projects", "APIError", "AuthenticationFailed", "BadRequest", "Conflict", "ConnectionFailed",
    "JobCancelled", "JobFailed", "NotFound", "PermissionDenied", "RateLimited", "ServerError", "VideogenError",
]

"""The one family of assertions for API responses (every app's tests use these)."""

from __future__ import annotations


def assert_api_error(
    response,
    status: int,
    *,
    message: str | None = None,
    mentions: str | None = None,
    field: str | None = None,
    details: dict | None = None,
) -> dict:
    """Check an API error: its status, the {"error", "details"} shape, and what it says.

    `message` must be the whole message; `mentions` must appear in it (case-insensitive);
    `field` must be named both in the message and as a key of details; `details` must be
    the whole details object. Returns the body.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error", "details"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["details"], dict), body
    if message is not None:
        assert body["error"] == message, body
    if mentions is not None:
        assert mentions.lower() in body["error"].lower(), body
    if field is not None:
        assert field in body["details"], body
        assert field in body["error"], body
    if details is not None:
        assert body["details"] == details, body
    return body


def assert_field_error(response, field: str, message: str) -> dict:
    """A 400 for a bad body field: it alone is named, with this message."""
    return assert_api_error(
        response, 400, message=f"Invalid input. {field}: {message}", details={field: [message]}
    )


def assert_query_error(response, field: str, message: str) -> dict:
    """A 400 for a bad query parameter, naming it."""
    return assert_api_error(response, 400, message=f"{field}: {message}", details={field: [message]})

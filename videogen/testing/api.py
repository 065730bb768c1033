"""Assertions shared by API tests."""

from __future__ import annotations


def assert_api_error(response, status: int, *, mentions: str | None = None, field: str | None = None) -> dict:
    """Check an API error: its status, the {"error", "details"} shape, and what it says.

    `mentions` must appear in the message (case-insensitive); `field` must be named
    both in the message and as a key of details.
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error", "details"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["details"], dict), body
    if mentions is not None:
        assert mentions.lower() in body["error"].lower(), body
    if field is not None:
        assert field in body["details"], body
        assert field in body["error"], body
    return body

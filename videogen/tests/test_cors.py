"""CORS for browser clients on other origins (such as a separate Next.js front end)."""

from __future__ import annotations

import pytest

ALLOWED = "https://app.example.com"
OTHER = "https://evil.example.net"


@pytest.fixture(autouse=True)
def allowed_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(client, url: str, origin: str, headers: str = "authorization,content-type"):
    return client.options(
        url,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_a_preflight_from_an_allowed_origin_is_answered_with_the_bearer_header_allowed(anon_api):
    response = preflight(anon_api, "/api/v1/jobs", ALLOWED, "authorization,content-type,idempotency-key")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    allowed_headers = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "x-request-id"} <= allowed_headers
    allowed_methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= allowed_methods


def test_a_preflight_from_another_origin_gets_no_allow_origin(anon_api):
    response = preflight(anon_api, "/api/v1/jobs", OTHER)

    assert "Access-Control-Allow-Origin" not in response


def test_an_authenticated_get_from_an_allowed_origin_carries_allow_origin(owner_api, owner):
    response = owner_api.get("/api/v1/auth/me", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 200
    assert response.json()["id"] == owner.id
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    # Scripts on the other origin can read the request id, to quote it in bug reports.
    assert "x-request-id" in response["Access-Control-Expose-Headers"].lower()
    # Bearer tokens, not cookies: credentials are never allowed cross-origin.
    assert "Access-Control-Allow-Credentials" not in response


def test_a_get_from_another_origin_gets_no_allow_origin(owner_api):
    response = owner_api.get("/api/v1/auth/me", HTTP_ORIGIN=OTHER)

    assert "Access-Control-Allow-Origin" not in response


def test_error_responses_carry_allow_origin_so_the_client_can_read_them(anon_api):
    response = anon_api.get("/api/v1/auth/me", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_pages_outside_the_api_get_no_cors_headers(client, db):
    response = client.get("/login", HTTP_ORIGIN=ALLOWED)

    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_by_default(anon_api, settings):
    settings.CORS_ALLOWED_ORIGINS = []

    response = preflight(anon_api, "/api/v1/jobs", ALLOWED)

    assert "Access-Control-Allow-Origin" not in response

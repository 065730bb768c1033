"""Every API error has the shape {"error", "details"}; bad bodies are 4xx, never 500."""

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory

from videogen import error_views
from videogen.api.exceptions import exception_handler
from videogen.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound, TooManyRequests
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"


def post_raw(client, body, url=REGISTER, content_type="application/json"):
    return client.post(url, body, content_type=content_type)


def test_malformed_json_is_a_400_that_says_so(anon_api):
    response = post_raw(anon_api, '{"email": "user@example.com", "password": ')

    assert_api_error(response, 400, mentions="Malformed request body")


@pytest.mark.parametrize("body", ["[]", '[{"email": "user@example.com"}]', '"user@example.com"', "42", "null"])
def test_a_json_body_that_is_not_an_object_is_a_400(anon_api, body):
    response = post_raw(anon_api, body)

    assert_api_error(response, 400, mentions="Expected a JSON object")


def test_wrong_types_are_a_400_naming_each_field(anon_api):
    response = post_raw(anon_api, json.dumps({"email": ["user@example.com"], "password": {"value": "x"}}))

    body = assert_api_error(response, 400, mentions="Not a valid string")
    assert set(body["details"]) == {"email", "password"}
    assert "email" in body["error"] and "password" in body["error"]


def test_a_boolean_where_text_belongs_is_a_400(anon_api):
    response = post_raw(anon_api, json.dumps({"email": True, "password": "securePassword123"}))

    assert_api_error(response, 400, field="email")


@pytest.mark.parametrize("field", ["email", "password"])
def test_a_nul_character_in_a_field_is_a_400_naming_the_field(anon_api, field):
    body = {"email": "user@example.com", "password": "securePassword123"}
    body[field] = body[field][:4] + "\x00" + body[field][4:]

    response = post_raw(anon_api, json.dumps(body))

    assert_api_error(response, 400, mentions="Null characters are not allowed", field=field)


def test_a_nul_character_in_a_refresh_token_is_a_400(anon_api):
    response = post_raw(anon_api, json.dumps({"refresh_token": "abc\x00def"}), url="/api/v1/auth/refresh")

    assert_api_error(response, 400, field="refresh_token")


def test_a_raw_nul_byte_in_the_body_is_a_400(anon_api):
    response = post_raw(anon_api, b'{"email": "us\x00er@example.com", "password": "securePassword123"}')

    assert_api_error(response, 400, mentions="Malformed request body")


def test_a_body_that_is_not_utf8_is_a_400(anon_api):
    response = post_raw(anon_api, b'{"email": "\xff\xfe"}')

    assert_api_error(response, 400, mentions="Malformed request body")


def test_absurdly_nested_json_is_a_400_not_a_500(anon_api):
    response = post_raw(anon_api, "[" * 100_000)

    assert_api_error(response, 400, mentions="nested too deeply")


def test_nan_is_not_json(anon_api):
    response = post_raw(anon_api, '{"email": NaN, "password": "securePassword123"}')

    assert_api_error(response, 400, mentions="Malformed request body")


def test_a_body_over_the_upload_limit_is_a_413(anon_api):
    oversized = json.dumps({"email": "user@example.com", "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = post_raw(anon_api, oversized)

    assert_api_error(response, 413, mentions="too large")


def test_overlong_fields_are_a_400_naming_the_field(anon_api):
    response = post_raw(anon_api, json.dumps({"email": "a" * 300 + "@example.com", "password": "x" * 1001}))

    body = assert_api_error(response, 400)
    assert set(body["details"]) == {"email", "password"}


def test_a_form_encoded_body_is_a_415(anon_api):
    response = post_raw(anon_api, "email=user%40example.com", content_type="application/x-www-form-urlencoded")

    assert_api_error(response, 415, mentions="Unsupported media type")


def test_the_wrong_method_is_a_405(anon_api):
    response = anon_api.get("/api/v1/auth/login")

    assert_api_error(response, 405, mentions="not allowed")
    assert "POST" in response["Allow"]


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/auth/me/", "/api/v2/auth/login", "/api/v1/auth/me%00"])
def test_an_unknown_api_path_is_a_json_404(anon_api, path):
    response = anon_api.get(path)

    assert_api_error(response, 404, mentions="nothing here")


def test_an_unknown_page_is_an_html_404(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_api_is_json(rf: RequestFactory):
    response = error_views.server_error(rf.get("/api/v1/jobs"))

    assert response.status_code == 500
    assert json.loads(response.content) == {
        "error": "An unexpected error happened. It has been logged.",
        "details": {},
    }


@pytest.mark.parametrize(
    "exc, status",
    [
        (InvalidInput.for_field("prompt", "Too long."), 400),
        (NotAuthenticated("Who are you?"), 401),
        (Forbidden("Not yours."), 403),
        (NotFound("Gone."), 404),
        (Conflict("Taken."), 409),
        (TooManyRequests("Slow down.", retry_after=7), 429),
        (Http404("no row"), 404),
        (PermissionDenied(), 403),
        (DjangoValidationError("Bad value."), 400),
    ],
)
def test_the_handler_gives_each_error_its_status_and_the_one_shape(exc, status):
    response = exception_handler(exc, {})

    assert response.status_code == status
    assert set(response.data) == {"error", "details"}
    assert response.data["error"]


def test_the_handler_keeps_per_field_details_and_retry_after():
    invalid = exception_handler(InvalidInput.for_field("prompt", "Too long."), {})
    throttled = exception_handler(TooManyRequests("Slow down.", retry_after=7), {})

    assert invalid.data == {"error": "prompt: Too long.", "details": {"prompt": ["Too long."]}}
    assert throttled["Retry-After"] == "7"


def test_the_handler_leaves_unknown_exceptions_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None

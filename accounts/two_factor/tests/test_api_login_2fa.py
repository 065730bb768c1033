"""JSON login with two-factor on: a second-step token, exchanged with a code for the token pair."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.conf import settings

from accounts.two_factor.challenge import CHALLENGE_SECONDS
from accounts.two_factor.tests.conftest import next_code, spent_code, wrong_code
from conftest import PASSWORD
from videogen.testing.api import assert_api_error

LOGIN = "/api/v1/auth/login"
SECOND_STEP = "/api/v1/auth/login/2fa"

pytestmark = pytest.mark.django_db


def first_step(client, email="owner@example.com") -> dict:
    response = client.post(LOGIN, {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def second_step(client, token: str, code: str):
    return client.post(SECOND_STEP, {"token": token, "code": code}, format="json")


def test_login_answers_a_second_step_token_and_no_access_token(anon_api, owner_2fa):
    body = first_step(anon_api)

    assert body == {"two_factor_required": True, "token": body["token"], "expires_in": CHALLENGE_SECONDS}
    assert "access_token" not in body and "refresh_token" not in body
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert_api_error(anon_api.get("/api/v1/auth/me"), 401)


def test_a_code_from_the_librarys_generator_gets_the_usual_token_pair(anon_api, owner_2fa):
    user, device, _ = owner_2fa
    token = first_step(anon_api)["token"]

    response = second_step(anon_api, token, next_code(device))

    assert response.status_code == 200, response.content
    pair = response.json()
    assert set(pair) == {"access_token", "refresh_token", "token_type"} and pair["token_type"] == "bearer"
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access_token']}")
    assert anon_api.get("/api/v1/auth/me").json()["id"] == user.pk


def test_a_code_with_spaces_is_accepted(anon_api, owner_2fa):
    _, device, _ = owner_2fa
    code = next_code(device)

    response = second_step(anon_api, first_step(anon_api)["token"], f" {code[:3]} {code[3:]} ")

    assert response.status_code == 200, response.content


def test_a_reused_code_is_refused(anon_api, owner_2fa):
    _, device, _ = owner_2fa
    code = next_code(device)
    assert second_step(anon_api, first_step(anon_api)["token"], code).status_code == 200

    response = second_step(anon_api, first_step(anon_api)["token"], code)

    assert_api_error(response, 401, mentions="Invalid two-factor code", field="code")


def test_the_code_that_turned_two_factor_on_cannot_log_in(anon_api, owner_2fa):
    _, device, _ = owner_2fa

    response = second_step(anon_api, first_step(anon_api)["token"], spent_code(device))

    assert_api_error(response, 401, mentions="Invalid two-factor code")


def test_a_wrong_code_is_refused(anon_api, owner_2fa):
    _, device, _ = owner_2fa

    response = second_step(anon_api, first_step(anon_api)["token"], wrong_code(device))

    assert_api_error(response, 401, mentions="Invalid two-factor code", field="code")


def test_a_recovery_code_works_once(anon_api, owner_2fa):
    _, _, codes = owner_2fa

    first = second_step(anon_api, first_step(anon_api)["token"], codes[0].upper())
    again = second_step(anon_api, first_step(anon_api)["token"], codes[0])

    assert first.status_code == 200, first.content
    assert_api_error(again, 401, mentions="Invalid two-factor code")
    assert second_step(anon_api, first_step(anon_api)["token"], codes[1]).status_code == 200


def test_wrong_codes_are_throttled_like_passwords_with_retry_after(anon_api, owner_2fa):
    _, device, _ = owner_2fa
    token = first_step(anon_api)["token"]
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_EMAIL):
        assert_api_error(second_step(anon_api, token, wrong_code(device)), 401)

    throttled = second_step(anon_api, token, next_code(device))

    assert_api_error(throttled, 429, mentions="Too many")
    assert 0 < int(throttled["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS


def test_an_expired_second_step_token_is_refused(anon_api, owner_2fa):
    _, device, _ = owner_2fa
    issued_long_ago = time.time() - CHALLENGE_SECONDS - 5
    with mock.patch("django.core.signing.time.time", return_value=issued_long_ago):
        token = first_step(anon_api)["token"]

    response = second_step(anon_api, token, next_code(device))

    assert_api_error(response, 401, mentions="invalid or expired")


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoiYWJjIn0:1v2w3x:forged-signature", "a" * 1000])
def test_a_forged_or_garbled_second_step_token_is_refused(anon_api, owner_2fa, token):
    _, device, _ = owner_2fa

    response = second_step(anon_api, token, next_code(device))

    assert_api_error(response, 401, mentions="invalid or expired")


def test_an_access_token_is_not_a_second_step_token(anon_api, owner_2fa, owner_api):
    _, device, _ = owner_2fa
    access = owner_api._credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer ")

    response = second_step(anon_api, access, next_code(device))

    assert_api_error(response, 401, mentions="invalid or expired")


def test_a_second_step_token_is_spent_once_exchanged(anon_api, owner_2fa):
    _, device, _ = owner_2fa
    token = first_step(anon_api)["token"]
    assert second_step(anon_api, token, next_code(device)).status_code == 200

    response = second_step(anon_api, token, next_code(device))

    assert_api_error(response, 401, mentions="invalid or expired")


def test_a_password_change_voids_the_second_step_token(anon_api, owner_2fa):
    user, device, _ = owner_2fa
    token = first_step(anon_api)["token"]
    user.set_password("another long password 17")
    user.save(update_fields=["password"])

    response = second_step(anon_api, token, next_code(device))

    assert_api_error(response, 401, mentions="invalid or expired")


def test_an_account_without_two_factor_still_gets_its_pair_at_once(anon_api, owner):
    body = first_step(anon_api)

    assert set(body) == {"access_token", "refresh_token", "token_type"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "123456"}, "token"),
        ({"token": "x"}, "code"),
        ({"token": "x", "code": "1" * 65}, "code"),
        ({"token": "x", "code": "12\x0034"}, "code"),
        ({"token": ["x"], "code": "123456"}, "token"),
    ],
)
def test_malformed_bodies_answer_400_naming_the_field(anon_api, owner_2fa, body, field):
    response = anon_api.post(SECOND_STEP, body, format="json")

    assert_api_error(response, 400, field=field)

from datetime import timedelta
from unittest import mock

import bcrypt
import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.models import ThrottleBucket
from conftest import PASSWORD
from videogen.testing.api import assert_api_error

URL = "/api/v1/auth/login"
INVALID = "Invalid email or password."

pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post(URL, {"email": email, "password": password}, format="json", **extra)


def test_it_answers_200_with_a_bearer_token_pair(anon_api, owner):
    response = login(anon_api, "owner@example.com", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type"}
    assert body["token_type"] == "bearer"
    assert body["access_token"] != body["refresh_token"]
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert anon_api.get("/api/v1/auth/me").json()["id"] == owner.pk


def test_it_accepts_the_email_in_any_case(anon_api, owner):
    response = login(anon_api, "  OWNER@Example.com", PASSWORD)

    assert response.status_code == 200


def test_it_answers_401_for_a_wrong_password(anon_api, owner):
    response = login(anon_api, "owner@example.com", PASSWORD + "!")

    assert_api_error(response, 401, mentions=INVALID)


def test_it_answers_401_with_the_same_message_for_an_unknown_email(anon_api, owner):
    wrong_password = login(anon_api, "owner@example.com", "not the password").json()
    unknown_email = login(anon_api, "nobody@example.com", "not the password").json()

    assert unknown_email == wrong_password == {"error": INVALID, "details": {}}


def test_it_answers_401_for_a_deactivated_account(anon_api, owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    response = login(anon_api, "owner@example.com", PASSWORD)

    assert_api_error(response, 401, mentions=INVALID)


def test_it_hashes_once_for_an_unknown_email_as_for_a_wrong_password(anon_api, owner):
    with mock.patch("bcrypt.hashpw", wraps=bcrypt.hashpw) as hashpw:
        login(anon_api, "owner@example.com", "not the password")
        wrong_password_hashes = hashpw.call_count
        hashpw.reset_mock()
        login(anon_api, "nobody@example.com", "not the password")
        unknown_email_hashes = hashpw.call_count

    assert wrong_password_hashes == unknown_email_hashes == 1


def test_it_names_missing_fields(anon_api):
    response = anon_api.post(URL, {"email": "owner@example.com"}, format="json")

    assert_api_error(response, 400, mentions="required", field="password")


def test_it_answers_429_with_retry_after_after_repeated_failures_for_one_email(anon_api, owner):
    for _ in range(5):
        assert login(anon_api, "owner@example.com", "wrong guess").status_code == 401

    response = login(anon_api, "owner@example.com", "wrong guess")

    assert_api_error(response, 429, mentions="too many")
    assert 1 <= int(response["Retry-After"]) <= 900


def test_it_refuses_even_the_right_password_while_throttled(anon_api, owner):
    for _ in range(5):
        login(anon_api, "owner@example.com", "wrong guess")

    response = login(anon_api, "OWNER@example.com", PASSWORD)

    assert_api_error(response, 429)


def test_a_strangers_failures_do_not_lock_the_owner_out_from_another_address(anon_api, owner):
    for _ in range(5):
        login(anon_api, "owner@example.com", "wrong guess", REMOTE_ADDR="198.51.100.66")

    stranger = login(anon_api, "owner@example.com", PASSWORD, REMOTE_ADDR="198.51.100.66")
    owner_elsewhere = login(anon_api, "owner@example.com", PASSWORD, REMOTE_ADDR="198.51.100.99")

    assert_api_error(stranger, 429)
    assert owner_elsewhere.status_code == 200


@override_settings(LOGIN_FAILURE_LIMIT_PER_IP=3)
def test_it_answers_429_after_repeated_failures_from_one_address_across_emails(anon_api, owner):
    for number in range(3):
        login(anon_api, f"guess{number}@example.com", "wrong guess", REMOTE_ADDR="203.0.113.7")

    throttled = login(anon_api, "owner@example.com", PASSWORD, REMOTE_ADDR="203.0.113.7")
    elsewhere = login(anon_api, "owner@example.com", PASSWORD, REMOTE_ADDR="203.0.113.8")

    assert_api_error(throttled, 429)
    assert int(throttled["Retry-After"]) >= 1
    assert elsewhere.status_code == 200


def test_it_forgets_failures_older_than_the_window(anon_api, owner):
    for _ in range(5):
        login(anon_api, "owner@example.com", "wrong guess")
    ThrottleBucket.objects.update(window_started_at=timezone.now() - timedelta(seconds=901))

    response = login(anon_api, "owner@example.com", PASSWORD)

    assert response.status_code == 200


def test_a_successful_login_resets_the_count_for_that_email(anon_api, owner):
    for _ in range(4):
        login(anon_api, "owner@example.com", "wrong guess")
    assert login(anon_api, "owner@example.com", PASSWORD).status_code == 200

    for _ in range(4):
        assert login(anon_api, "owner@example.com", "wrong guess").status_code == 401


def test_behind_a_trusted_proxy_the_throttle_counts_the_forwarded_client(anon_api, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 2
    settings.LOGIN_FAILURE_LIMIT_PER_EMAIL = 100
    for n in range(2):
        anon_api.post("/api/v1/auth/login", {"email": f"nobody{n}@example.com", "password": "wrong-password"},
                      format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    blocked = anon_api.post("/api/v1/auth/login", {"email": "x@example.com", "password": "wrong-password"},
                            format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
    other_client = anon_api.post("/api/v1/auth/login", {"email": "y@example.com", "password": "wrong-password"},
                                 format="json", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert blocked.status_code == 429
    assert other_client.status_code == 401

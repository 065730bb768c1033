"""Auth events are logged with who, from where and the outcome; never a secret."""

import logging

import pytest

from accounts.tokens import token_pair_issue
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECRET_PASSWORD = "Tr0ub4dor&3-unmistakable"


@pytest.fixture
def auth_log(caplog):
    caplog.set_level(logging.INFO, logger="videogen.auth")
    return caplog


def auth_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "videogen.auth"]


def everything_logged(caplog) -> str:
    """The messages and every extra field, as one searchable string."""
    return "\n".join(f"{record.getMessage()} {vars(record)}" for record in auth_records(caplog))


def test_register_is_logged_with_who_and_where_but_not_the_password(anon_api, auth_log):
    anon_api.post("/api/v1/auth/register", {"email": "new@example.com", "password": SECRET_PASSWORD}, format="json")

    [record] = auth_records(auth_log)
    assert record.getMessage() == "register ok"
    assert record.email == "new@example.com"
    assert record.ip == "127.0.0.1"
    assert SECRET_PASSWORD not in everything_logged(auth_log)


def test_a_refused_register_is_logged_without_the_password(anon_api, owner, auth_log):
    anon_api.post("/api/v1/auth/register", {"email": "owner@example.com", "password": SECRET_PASSWORD}, format="json")

    assert [record.getMessage() for record in auth_records(auth_log)] == ["register refused: email taken"]
    assert SECRET_PASSWORD not in everything_logged(auth_log)


def test_a_failed_login_is_logged_with_email_and_address_but_not_the_password(anon_api, owner, auth_log):
    anon_api.post("/api/v1/auth/login", {"email": "owner@example.com", "password": SECRET_PASSWORD}, format="json")

    [record] = auth_records(auth_log)
    assert record.getMessage() == "login failed"
    assert (record.email, record.ip) == ("owner@example.com", "127.0.0.1")
    assert SECRET_PASSWORD not in everything_logged(auth_log)


def test_a_successful_login_is_logged_without_the_password_or_tokens(anon_api, owner, auth_log):
    credentials = {"email": "owner@example.com", "password": PASSWORD}
    tokens = anon_api.post("/api/v1/auth/login", credentials, format="json").json()

    [record] = auth_records(auth_log)
    assert record.getMessage() == "login ok"
    assert record.user_id == owner.pk
    logged = everything_logged(auth_log)
    assert PASSWORD not in logged
    assert tokens["access_token"] not in logged and tokens["refresh_token"] not in logged


def test_refresh_and_logout_are_logged_without_the_tokens(anon_api, owner, auth_log):
    first = token_pair_issue(user=owner).refresh_token
    second = anon_api.post("/api/v1/auth/refresh", {"refresh_token": first}, format="json").json()
    anon_api.post("/api/v1/auth/logout", {"refresh_token": second["refresh_token"]}, format="json")

    assert [record.getMessage() for record in auth_records(auth_log)] == ["token refreshed", "logout"]
    assert all(record.user_id == owner.pk for record in auth_records(auth_log))
    logged = everything_logged(auth_log)
    for token in (first, second["refresh_token"], second["access_token"]):
        assert token not in logged


def test_a_register_refused_as_invalid_is_logged_with_the_fields_but_not_the_password(anon_api, auth_log):
    anon_api.post("/api/v1/auth/register", {"email": "new@example.com", "password": "password123"}, format="json")

    [record] = auth_records(auth_log)
    assert record.getMessage() == "register refused: invalid input"
    assert (record.email, record.ip, record.fields) == ("new@example.com", "127.0.0.1", ["password"])
    assert "password123" not in everything_logged(auth_log)


def test_a_throttled_login_is_logged_as_a_warning_without_the_password(anon_api, owner, auth_log, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_EMAIL = 1
    anon_api.post("/api/v1/auth/login", {"email": "owner@example.com", "password": "first guess"}, format="json")

    anon_api.post("/api/v1/auth/login", {"email": "owner@example.com", "password": SECRET_PASSWORD}, format="json")

    throttled = auth_records(auth_log)[-1]
    assert (throttled.getMessage(), throttled.levelno) == ("login throttled", logging.WARNING)
    assert (throttled.email, throttled.ip) == ("owner@example.com", "127.0.0.1")
    assert SECRET_PASSWORD not in everything_logged(auth_log)

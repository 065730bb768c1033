"""Password reset by email: API and pages, mail through a real SMTP server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.mailbox import body_of, deliver_queued_mail, link_in
from accounts.tokens import token_pair_issue
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a fresh passphrase 1234"
RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"


@pytest.fixture
def request_reset(anon_api, django_capture_on_commit_callbacks, clean_redis):
    def request(email: str, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = anon_api.post(RESET, {"email": email}, format="json", **extra)
        deliver_queued_mail()
        return response

    return request


def reset_parts(inbox, address: str) -> tuple[str, str, str]:
    [message] = inbox.to(address)
    link = link_in(body_of(message))
    uid, token = re.search(r"/password-reset/([^/]+)/([^/\s]+)$", link).groups()
    return link, uid, token


def confirm(uid: str, token: str, password: str = NEW_PASSWORD):
    return APIClient().post(CONFIRM, {"uid": uid, "token": token, "password": password}, format="json")


def test_a_reset_mail_arrives_and_its_token_sets_a_new_password(request_reset, smtp_server, owner):
    assert request_reset(owner.email).status_code == 202

    smtp_server.wait_for(1)
    _, uid, token = reset_parts(smtp_server, owner.email)
    response = confirm(uid, token)

    assert response.status_code == 204
    login = APIClient().post("/api/v1/auth/login", {"email": owner.email, "password": NEW_PASSWORD}, format="json")
    assert login.status_code == 200


def test_an_unknown_email_gets_the_same_answer_and_no_mail(request_reset, smtp_server, owner):
    known = request_reset(owner.email)
    unknown = request_reset("nobody@example.com")

    assert (unknown.status_code, unknown.content) == (known.status_code, known.content) == (202, b"")
    smtp_server.wait_for(1)
    assert [m["To"] for m in smtp_server.messages] == [owner.email]


def test_the_link_works_only_once(request_reset, smtp_server, owner):
    request_reset(owner.email)
    smtp_server.wait_for(1)
    _, uid, token = reset_parts(smtp_server, owner.email)
    assert confirm(uid, token).status_code == 204

    second = confirm(uid, token, password="yet another passphrase 9")

    assert_api_error(second, 400, field="token", mentions="invalid, expired or already used")


def test_an_expired_link_is_refused(request_reset, smtp_server, owner, settings):
    request_reset(owner.email)
    smtp_server.wait_for(1)
    _, uid, token = reset_parts(smtp_server, owner.email)
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    an_hour_later = datetime.now() + timedelta(seconds=3601)  # the generator's clock is naive local time

    with mock.patch.object(type(default_token_generator), "_now", return_value=an_hour_later):
        response = confirm(uid, token)

    assert_api_error(response, 400, field="token")


def test_setting_the_new_password_ends_every_earlier_session_and_token(request_reset, smtp_server, owner):
    pair = token_pair_issue(user=owner)
    browser = Client()
    browser.force_login(owner)
    request_reset(owner.email)
    smtp_server.wait_for(1)
    _, uid, token = reset_parts(smtp_server, owner.email)

    assert confirm(uid, token).status_code == 204

    assert_api_error(APIClient().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {pair.access_token}"), 401)
    assert_api_error(APIClient().post("/api/v1/auth/refresh", {"refresh_token": pair.refresh_token}, format="json"), 401)
    assert browser.get("/jobs").status_code == 302


def test_a_weak_new_password_is_refused_naming_the_field(request_reset, smtp_server, owner):
    request_reset(owner.email)
    smtp_server.wait_for(1)
    _, uid, token = reset_parts(smtp_server, owner.email)

    assert_api_error(confirm(uid, token, password="short"), 400, field="password")


def test_requests_are_throttled_per_email_whatever_the_address(request_reset, smtp_server, owner, settings):
    settings.MAIL_REQUEST_LIMIT_PER_ACCOUNT = 2
    for n in range(2):
        assert request_reset(owner.email, REMOTE_ADDR=f"192.0.2.{n + 1}").status_code == 202

    refused = request_reset(owner.email, REMOTE_ADDR="192.0.2.9")
    unknown_refused = [request_reset("nobody@example.com", REMOTE_ADDR="192.0.2.20").status_code for _ in range(3)]

    assert_api_error(refused, 429, mentions="too many password reset")
    assert unknown_refused == [202, 202, 429]  # the same rule for an email without an account


def test_requests_are_throttled_per_client_address(request_reset, smtp_server, settings):
    settings.MAIL_REQUEST_LIMIT_PER_IP = 3
    statuses = [request_reset(f"guess{n}@example.com", REMOTE_ADDR="192.0.2.30").status_code for n in range(4)]

    assert statuses == [202, 202, 202, 429]


@pytest.mark.parametrize("body", [{}, {"email": 5}, {"email": "not an email"}, {"email": "a\x00@example.com"},
                                  {"email": "x" * 300 + "@example.com"}])
def test_bad_request_bodies_answer_400(anon_api, body):
    response = anon_api.post(RESET, body, format="json")

    assert_api_error(response, 400, field="email")


@pytest.mark.parametrize("body", [{}, {"uid": "x", "token": "y"}, {"uid": "\x00", "token": "y", "password": NEW_PASSWORD},
                                  {"uid": "@@@", "token": "1-2", "password": NEW_PASSWORD}])
def test_bad_confirm_bodies_answer_400(anon_api, body):
    assert anon_api.post(CONFIRM, body, format="json").status_code == 400


def test_the_pages_reset_a_password_from_the_mail(client, django_capture_on_commit_callbacks, smtp_server, owner, clean_redis):
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/password-reset", {"email": owner.email})
    deliver_queued_mail()
    smtp_server.wait_for(1)
    link, _, _ = reset_parts(smtp_server, owner.email)
    path = link.split("testserver", 1)[1]

    assert sent.status_code == 302 and sent["Location"] == "/password-reset/sent"
    assert client.get(path).status_code == 200
    done = client.post(path, {"password": NEW_PASSWORD}, follow=True)
    assert b"signed out" in done.content
    assert client.get(path).status_code == 400  # used: the page says so
    assert client.login(username=owner.email, password=NEW_PASSWORD)


def test_the_reset_page_shows_an_invalid_link_as_such(client):
    response = client.get("/password-reset/Zm9v/abc-def")

    assert response.status_code == 400
    assert b"Ask for a new link" in response.content

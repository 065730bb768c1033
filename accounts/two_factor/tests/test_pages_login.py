"""Page and admin login with two-factor on: the password, then the code, then a session."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.two_factor.tests.conftest import next_code, wrong_code
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def password_step(client: Client, email: str = "owner@example.com", next_url: str = ""):
    return client.post("/login", {"email": email, "password": PASSWORD, "next": next_url})


def signed_in(client: Client) -> bool:
    return client.get("/jobs").status_code == 200


def test_the_password_leads_to_the_code_step_without_signing_in(client, owner_2fa):
    response = password_step(client)

    assert response.status_code == 302 and response.url == "/login/two-factor"
    assert not signed_in(client)
    page = client.get("/login/two-factor")
    assert page.status_code == 200
    assert b'autocomplete="one-time-code"' in page.content


def test_a_code_from_the_librarys_generator_signs_in_and_honours_next(client, owner_2fa):
    _, device, _ = owner_2fa
    password_step(client, next_url="/projects")

    response = client.post("/login/two-factor", {"code": next_code(device)})

    assert response.status_code == 302 and response.url == "/projects"
    assert signed_in(client)


def test_a_wrong_code_is_a_form_error_and_no_session(client, owner_2fa):
    _, device, _ = owner_2fa
    password_step(client)

    response = client.post("/login/two-factor", {"code": wrong_code(device)})

    assert response.status_code == 400
    assert "Invalid two-factor code." in response.content.decode()
    assert not signed_in(client)


def test_a_reused_code_is_refused(client, owner_2fa):
    _, device, _ = owner_2fa
    code = next_code(device)
    password_step(client)
    assert client.post("/login/two-factor", {"code": code}).status_code == 302
    other = Client()
    password_step(other)

    response = other.post("/login/two-factor", {"code": code})

    assert response.status_code == 400 and "Invalid two-factor code." in response.content.decode()


def test_a_recovery_code_signs_in_once(client, owner_2fa):
    _, _, codes = owner_2fa
    password_step(client)
    assert client.post("/login/two-factor", {"code": codes[3]}).status_code == 302
    again = Client()
    password_step(again)

    response = again.post("/login/two-factor", {"code": codes[3]})

    assert response.status_code == 400
    assert not signed_in(again)


def test_wrong_codes_are_throttled_with_a_form_error(client, owner_2fa):
    _, device, _ = owner_2fa
    password_step(client)
    for _ in range(settings.LOGIN_FAILURE_LIMIT_PER_EMAIL):
        assert client.post("/login/two-factor", {"code": wrong_code(device)}).status_code == 400

    response = client.post("/login/two-factor", {"code": next_code(device)})

    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()
    assert not signed_in(client)


def test_the_code_step_without_a_password_first_goes_back_to_login(client, owner_2fa):
    _, device, _ = owner_2fa

    response = client.post("/login/two-factor", {"code": next_code(device)})

    assert response.status_code == 302 and response.url == "/login"
    assert not signed_in(client)


def test_the_code_step_expires(client, owner_2fa, monkeypatch):
    from accounts.two_factor import challenge

    _, device, _ = owner_2fa
    password_step(client)
    monkeypatch.setattr(challenge, "CHALLENGE_SECONDS", -1)

    response = client.post("/login/two-factor", {"code": next_code(device)})

    assert response.status_code == 302 and response.url == "/login"
    assert not signed_in(client)


def test_an_account_without_two_factor_signs_in_with_the_password_alone(client, owner):
    response = password_step(client)

    assert response.status_code == 302 and response.url == "/jobs"
    assert signed_in(client)


@pytest.mark.parametrize("code", ["", "1" * 65, "12\x0034", "ünïcødé"])
def test_junk_codes_are_form_errors_not_500s(client, owner_2fa, code):
    password_step(client)

    response = client.post("/login/two-factor", {"code": code})

    assert response.status_code == 400


# --- the admin --------------------------------------------------------------------------------

def test_the_admin_login_asks_for_the_code_after_the_password(client, staff_2fa):
    _, device, _ = staff_2fa
    to_login = client.get("/admin/", follow=True)
    assert to_login.redirect_chain[-1][0] == "/login?next=%2Fadmin%2F"

    password = password_step(client, email="staff@example.com", next_url="/admin/")
    assert password.url == "/login/two-factor"
    assert client.get("/admin/").status_code == 302  # not signed in yet

    code = client.post("/login/two-factor", {"code": next_code(device)})

    assert code.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_posting_credentials_to_the_admin_login_form_signs_nobody_in(client, staff_2fa):
    response = client.post("/admin/login/?next=/admin/", {"username": "staff@example.com", "password": PASSWORD})

    assert response.status_code == 302 and response.url.startswith("/login?")
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_refuses_a_signed_in_non_staff_user_instead_of_looping(client, owner):
    client.force_login(owner)

    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_admin_login_does_not_redirect_off_site(client):
    response = client.get("/admin/login/", {"next": "https://evil.example/"})

    assert response.url == "/login?next=%2Fadmin%2F"

"""Two-factor with the one limiter and the token rules (integration of mfa and accounts):
wrong codes are capped per account across addresses, and what ends sessions and tokens
also ends a pending second step."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.sessions import user_sign_out_everywhere
from accounts.two_factor.tests.conftest import next_code, wrong_code
from accounts.two_factor.tests.test_api_login_2fa import first_step, second_step
from conftest import PASSWORD
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db


def test_wrong_codes_from_many_addresses_are_capped_per_account(anon_api, owner_2fa, settings):
    """Whoever has the password and many addresses still gets few guesses at the code."""
    _, device, _ = owner_2fa
    settings.TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT = 6
    token = first_step(anon_api)["token"]
    for n in range(6):  # one or two guesses per address: under the per-address limit
        address = f"198.51.100.{n // 2 + 1}"
        wrong = anon_api.post("/api/v1/auth/login/2fa", {"token": token, "code": wrong_code(device)},
                              format="json", REMOTE_ADDR=address)
        assert_api_error(wrong, 401)

    fresh_address = anon_api.post("/api/v1/auth/login/2fa", {"token": token, "code": next_code(device)},
                                  format="json", REMOTE_ADDR="198.51.100.200")

    assert_api_error(fresh_address, 429, mentions="Too many wrong codes")
    assert 0 < int(fresh_address["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS


def test_the_per_account_cap_is_higher_than_the_per_address_one_by_default():
    assert settings.TWO_FACTOR_FAILURE_LIMIT_PER_ACCOUNT > settings.LOGIN_FAILURE_LIMIT_PER_EMAIL


def test_sign_out_everywhere_voids_a_pending_api_second_step(anon_api, owner_2fa):
    user, device, _ = owner_2fa
    token = first_step(anon_api)["token"]

    user_sign_out_everywhere(user=user, reason="signed out everywhere")

    assert_api_error(second_step(anon_api, token, next_code(device)), 401, mentions="Log in again")


def test_a_password_change_voids_a_pending_page_second_step(client, owner_2fa):
    user, device, _ = owner_2fa
    assert client.post("/login", {"email": user.email, "password": PASSWORD}).url == "/login/two-factor"

    user.set_password("another password 99 entirely")
    user.save()

    response = client.post("/login/two-factor", {"code": next_code(device)})
    assert response.status_code == 302 and response.url == "/login"
    assert "_auth_user_id" not in client.session


def test_the_second_step_starts_a_token_family_listed_with_its_address(anon_api, owner_2fa):
    user, device, _ = owner_2fa
    token = first_step(anon_api)["token"]

    pair = anon_api.post("/api/v1/auth/login/2fa", {"token": token, "code": next_code(device)}, format="json",
                         REMOTE_ADDR="198.51.100.77", HTTP_USER_AGENT="videogen-cli/1.0")

    assert pair.status_code == 200, pair.content
    family = user.token_families.get()
    assert (family.ip_address, family.user_agent) == ("198.51.100.77", "videogen-cli/1.0")

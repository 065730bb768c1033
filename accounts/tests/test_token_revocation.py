"""Issue 11 §7: what ends tokens and sessions ends them at once."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import TokenFamily
from accounts.tokens import INVALID_REFRESH, token_pair_issue
from conftest import PASSWORD
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 77"


def me(access: str):
    return APIClient().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}")


def refresh(token: str):
    return APIClient().post("/api/v1/auth/refresh", {"refresh_token": token}, format="json")


def signed_in_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    assert browser.get("/jobs").status_code == 200
    return browser


def assert_all_ended(pair, browser) -> None:
    assert_api_error(me(pair.access_token), 401)
    assert_api_error(refresh(pair.refresh_token), 401, mentions=INVALID_REFRESH)
    assert browser.get("/jobs").status_code == 302  # to the login page


def test_a_password_change_through_the_api_ends_every_earlier_token_and_session(owner):
    pair, browser = token_pair_issue(user=owner), signed_in_browser(owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=owner).access_token}")

    response = api.post(
        "/api/v1/auth/password-change", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert_all_ended(pair, browser)
    assert me(response.json()["access_token"]).status_code == 200
    assert refresh(response.json()["refresh_token"]).status_code == 200


def test_the_api_password_change_needs_the_current_password(owner_api):
    response = owner_api.post(
        "/api/v1/auth/password-change", {"currentPassword": "not it at all", "newPassword": NEW_PASSWORD}, format="json"
    )

    assert_api_error(response, 400, field="currentPassword")


def test_the_api_password_change_validates_the_new_password(owner_api):
    response = owner_api.post(
        "/api/v1/auth/password-change", {"currentPassword": PASSWORD, "newPassword": "short"}, format="json"
    )

    assert_api_error(response, 400, field="newPassword")


def test_wrong_current_passwords_are_throttled(owner_api, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_EMAIL = 2
    body = {"currentPassword": "not it at all", "newPassword": NEW_PASSWORD}
    for _ in range(2):
        owner_api.post("/api/v1/auth/password-change", body, format="json")

    response = owner_api.post(
        "/api/v1/auth/password-change", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, format="json"
    )

    assert_api_error(response, 429)


def test_a_password_change_in_the_admin_ends_every_earlier_token_and_session(owner, staff):
    pair, browser = token_pair_issue(user=owner), signed_in_browser(owner)
    admin = Client()
    admin.force_login(staff)

    response = admin.post(
        f"/admin/accounts/user/{owner.pk}/password/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302, response.content
    assert_all_ended(pair, browser)


def test_manage_py_changepassword_ends_every_earlier_token_and_session(owner):
    pair, browser = token_pair_issue(user=owner), signed_in_browser(owner)

    with mock.patch("getpass.getpass", return_value=NEW_PASSWORD):
        call_command("changepassword", owner.email)

    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    assert_all_ended(pair, browser)


def test_deactivating_an_account_ends_every_token_and_session(owner, staff):
    pair, browser = token_pair_issue(user=owner), signed_in_browser(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert_all_ended(pair, browser)


def test_reusing_a_rotated_refresh_token_revokes_its_whole_family(owner):
    first = token_pair_issue(user=owner)
    rotated = refresh(first.refresh_token).json()
    assert me(rotated["access_token"]).status_code == 200

    reuse = refresh(first.refresh_token)

    assert_api_error(reuse, 401, mentions=INVALID_REFRESH)
    assert_api_error(refresh(rotated["refresh_token"]), 401)
    assert_api_error(me(rotated["access_token"]), 401)
    assert TokenFamily.objects.get().revoked_reason == "reuse"


def test_reuse_leaves_the_users_other_logins_alone(owner):
    stolen, other_device = token_pair_issue(user=owner), token_pair_issue(user=owner)
    refresh(stolen.refresh_token)
    refresh(stolen.refresh_token)

    assert me(other_device.access_token).status_code == 200


def test_logout_ends_the_access_token_too(owner):
    pair = token_pair_issue(user=owner)
    assert me(pair.access_token).status_code == 200

    assert APIClient().post("/api/v1/auth/logout", {"refresh_token": pair.refresh_token}, format="json").status_code == 204

    assert_api_error(me(pair.access_token), 401, mentions="no longer valid")


def test_a_token_without_a_family_is_refused(owner):
    from rest_framework_simplejwt.tokens import AccessToken

    assert_api_error(me(str(AccessToken.for_user(owner))), 401)

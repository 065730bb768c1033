"""API keys beside the account features (integration of client and accounts): no key can
manage the account, and which account events end keys."""

from __future__ import annotations

import pytest
from rest_framework.permissions import IsAuthenticated
from rest_framework.test import APIClient

from accounts.deletion import user_delete
from accounts.key_services import api_key_create
from accounts.models import ApiKey, OutgoingMail
from accounts.sessions import user_sign_out_everywhere
from conftest import PASSWORD
from videogen.testing.api import assert_api_error
from videogen.urls import api_urlpatterns

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new password 77"
# Behind a login, but fine for a key: reading who you are is what `videogen login` checks.
KEYS_WELCOME = {"api-me"}


def key_client(user, scope: str = "write") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_create(user=user, name='script', scope=scope).key}")
    return client


@pytest.mark.parametrize("scope", ["read", "write"])
def test_no_key_can_change_the_password_or_ask_for_mail(owner, scope):
    client = key_client(owner, scope)
    mails = OutgoingMail.objects.count()

    changed = client.post("/api/v1/auth/password-change",
                          {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, format="json")
    resent = client.post("/api/v1/auth/verify-email/resend")

    assert_api_error(changed, 403, mentions="cannot manage")
    assert_api_error(resent, 403, mentions="cannot manage")
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert OutgoingMail.objects.count() == mails


def test_a_signed_in_token_still_changes_the_password(owner_api):
    response = owner_api.post("/api/v1/auth/password-change",
                              {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, format="json")

    assert response.status_code == 200, response.content


def _account_api_views():
    for pattern in api_urlpatterns:
        view = getattr(pattern.callback, "view_class", None)
        if view is not None and view.__module__.startswith("accounts."):
            yield pattern.name, view


def test_every_account_api_behind_a_login_refuses_keys():
    """New account endpoints are covered by this walk: a key may only read who it is."""
    behind_login = {name: view for name, view in _account_api_views()
                    if IsAuthenticated in view.permission_classes and name not in KEYS_WELCOME}

    assert {"api-password-change", "api-verify-email-resend", "api-keys", "api-key"} <= set(behind_login)
    assert [name for name, view in behind_login.items() if not getattr(view, "refuses_api_keys", False)] == []


def test_the_public_auth_endpoints_never_authenticate_a_key():
    """Login, the two-factor step, refresh, reset: credentials in the body, no bearer read at all."""
    public = {name: view for name, view in _account_api_views() if IsAuthenticated not in view.permission_classes}

    assert {"api-login", "api-login-2fa", "api-password-reset"} <= set(public)
    assert all(view.authentication_classes == [] for view in public.values())


def test_keys_survive_a_password_change_and_sign_out_everywhere_but_tokens_do_not(owner, owner_api):
    key = key_client(owner)
    owner_api.post("/api/v1/auth/password-change",
                   {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}, format="json")
    owner.refresh_from_db()
    user_sign_out_everywhere(user=owner, reason="signed out everywhere")

    assert_api_error(owner_api.get("/api/v1/auth/me"), 401)  # the token from before is over
    assert key.get("/api/v1/auth/me").status_code == 200  # the key is its own credential


def test_deleting_the_account_deletes_its_keys(owner):
    key = key_client(owner)

    user_delete(user=owner, password=PASSWORD, ip_address="127.0.0.1")

    assert not ApiKey.objects.exists()
    assert_api_error(key.get("/api/v1/auth/me"), 401)

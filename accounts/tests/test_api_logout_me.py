from datetime import datetime

import pytest

from accounts.tokens import INVALID_REFRESH, token_pair_issue
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db


def logout(client, token):
    return client.post("/api/v1/auth/logout", {"refresh_token": token}, format="json")


def test_logout_answers_204_and_revokes_the_refresh_token(anon_api, owner):
    token = token_pair_issue(user=owner).refresh_token

    response = logout(anon_api, token)

    assert response.status_code == 204
    assert response.content == b""
    refused = anon_api.post("/api/v1/auth/refresh", {"refresh_token": token}, format="json")
    assert_api_error(refused, 401, mentions=INVALID_REFRESH)


def test_logout_leaves_the_users_other_sessions_alone(anon_api, owner):
    this_device = token_pair_issue(user=owner).refresh_token
    other_device = token_pair_issue(user=owner).refresh_token

    logout(anon_api, this_device)

    assert anon_api.post("/api/v1/auth/refresh", {"refresh_token": other_device}, format="json").status_code == 200


def test_logout_refuses_a_token_already_revoked(anon_api, owner):
    token = token_pair_issue(user=owner).refresh_token
    logout(anon_api, token)

    assert_api_error(logout(anon_api, token), 401, mentions=INVALID_REFRESH)


def test_logout_refuses_an_access_token(anon_api, owner):
    response = logout(anon_api, token_pair_issue(user=owner).access_token)

    assert_api_error(response, 401, mentions=INVALID_REFRESH)


def test_logout_names_a_missing_refresh_token(anon_api):
    response = anon_api.post("/api/v1/auth/logout", {}, format="json")

    assert_api_error(response, 400, field="refresh_token")


def test_me_answers_200_with_the_signed_in_user(owner_api, owner):
    response = owner_api.get("/api/v1/auth/me")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": owner.pk,
        "email": "owner@example.com",
        "createdAt": body["createdAt"],
        "updatedAt": body["updatedAt"],
    }
    assert datetime.fromisoformat(body["createdAt"]) == owner.created_at


def test_me_answers_each_user_with_their_own_account(owner_api, other_api, other_user):
    assert other_api.get("/api/v1/auth/me").json()["id"] == other_user.pk
    assert owner_api.get("/api/v1/auth/me").json()["id"] != other_user.pk


def test_me_answers_401_without_a_token(anon_api):
    response = anon_api.get("/api/v1/auth/me")

    assert_api_error(response, 401, mentions="credentials were not provided")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_me_accepts_the_page_session(client, owner):
    client.force_login(owner)

    response = client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["id"] == owner.pk

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tokens import INVALID_REFRESH, token_pair_issue
from videogen.testing.api import assert_api_error

URL = "/api/v1/auth/refresh"


def refresh(client, token):
    return client.post(URL, {"refresh_token": token}, format="json")


@pytest.mark.django_db
def test_it_rotates_the_pair(anon_api, owner):
    old = token_pair_issue(user=owner)

    response = refresh(anon_api, old.refresh_token)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type"}
    assert body["token_type"] == "bearer"
    assert body["refresh_token"] != old.refresh_token
    assert body["access_token"] != old.access_token
    anon_api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert anon_api.get("/api/v1/auth/me").json()["id"] == owner.pk


@pytest.mark.django_db
def test_the_new_refresh_token_can_be_refreshed_in_turn(anon_api, owner):
    first = refresh(anon_api, token_pair_issue(user=owner).refresh_token).json()

    second = refresh(anon_api, first["refresh_token"])

    assert second.status_code == 200


@pytest.mark.django_db
def test_it_refuses_a_refresh_token_that_was_already_rotated(anon_api, owner):
    old = token_pair_issue(user=owner).refresh_token
    assert refresh(anon_api, old).status_code == 200

    response = refresh(anon_api, old)

    assert_api_error(response, 401, mentions=INVALID_REFRESH)


@pytest.mark.django_db
def test_it_refuses_an_expired_refresh_token(anon_api, owner):
    token = RefreshToken.for_user(owner)
    token.set_exp(from_time=timezone.now() - timedelta(days=8))

    response = refresh(anon_api, str(token))

    assert_api_error(response, 401, mentions=INVALID_REFRESH)


@pytest.mark.django_db
def test_it_refuses_an_access_token(anon_api, owner):
    response = refresh(anon_api, token_pair_issue(user=owner).access_token)

    assert_api_error(response, 401, mentions=INVALID_REFRESH)


@pytest.mark.django_db
def test_it_refuses_a_string_that_is_not_a_token(anon_api):
    response = refresh(anon_api, "not.a.token")

    assert_api_error(response, 401, mentions=INVALID_REFRESH)


@pytest.mark.django_db
def test_it_refuses_the_token_of_a_deactivated_user(anon_api, owner):
    token = token_pair_issue(user=owner).refresh_token
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    response = refresh(anon_api, token)

    assert_api_error(response, 401, mentions=INVALID_REFRESH)


@pytest.mark.django_db
def test_it_names_a_missing_refresh_token(anon_api):
    response = anon_api.post(URL, {}, format="json")

    assert_api_error(response, 400, mentions="required", field="refresh_token")


@pytest.mark.django_db(transaction=True)
def test_of_two_refreshes_racing_with_one_token_exactly_one_succeeds(owner):
    token = token_pair_issue(user=owner).refresh_token
    start = threading.Barrier(2, timeout=5)
    statuses: list[int] = []

    def attempt():
        try:
            start.wait()
            statuses.append(refresh(APIClient(), token).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 401]

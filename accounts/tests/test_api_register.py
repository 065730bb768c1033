from datetime import datetime
from unittest import mock

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from videogen.testing.api import assert_api_error

URL = "/api/v1/auth/register"
GOOD_PASSWORD = "securePassword123"

pytestmark = pytest.mark.django_db


def register(client, **body):
    return client.post(URL, body, format="json")


def test_it_creates_an_account_and_answers_201_with_the_user(anon_api):
    response = register(anon_api, email="user@example.com", password=GOOD_PASSWORD)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "createdAt", "updatedAt"}
    assert body["email"] == "user@example.com"
    datetime.fromisoformat(body["createdAt"])
    datetime.fromisoformat(body["updatedAt"])
    user = User.objects.get(pk=body["id"])
    assert user.check_password(GOOD_PASSWORD)
    assert GOOD_PASSWORD not in user.password


def test_it_gives_an_opaque_string_id_not_an_integer(anon_api):
    first = register(anon_api, email="one@example.com", password=GOOD_PASSWORD).json()["id"]
    second = register(anon_api, email="two@example.com", password=GOOD_PASSWORD).json()["id"]

    for user_id in (first, second):
        assert isinstance(user_id, str)
        assert not user_id.isdigit()
        assert len(user_id) >= 20
    assert first != second


def test_it_accepts_the_original_specs_curl_example_verbatim(anon_api):
    response = anon_api.post(
        URL, '{"email": "user@example.com", "password": "securePassword123"}', content_type="application/json"
    )

    assert response.status_code == 201


def test_it_stores_the_email_trimmed_and_lower_cased(anon_api):
    response = register(anon_api, email="  Mixed.Case@Example.COM ", password=GOOD_PASSWORD)

    assert response.status_code == 201
    assert response.json()["email"] == "mixed.case@example.com"
    assert User.objects.filter(email="mixed.case@example.com").exists()


def test_it_rejects_an_invalid_email(anon_api):
    response = register(anon_api, email="not-an-email", password=GOOD_PASSWORD)

    body = assert_api_error(response, 400, mentions="valid email", field="email")
    assert body["details"]["email"] == ["Enter a valid email address."]
    assert not User.objects.exists()


def test_it_rejects_a_password_under_8_characters(anon_api):
    response = register(anon_api, email="user@example.com", password="Xy7#kq2")

    body = assert_api_error(response, 400, mentions="at least 8 characters", field="password")
    assert body["details"]["password"] == ["Password must be at least 8 characters."]


def test_it_rejects_a_password_over_100_characters(anon_api):
    response = register(anon_api, email="user@example.com", password="Xy7#kq2Lm" * 11 + "zz")

    assert_api_error(response, 400, mentions="at most 100 characters", field="password")


@pytest.mark.parametrize("length", [8, 100])
def test_it_accepts_passwords_of_8_and_of_100_characters(anon_api, length):
    password = ("Xy7#kq2Lm" * 12)[:length]

    response = register(anon_api, email=f"len{length}@example.com", password=password)

    assert response.status_code == 201, response.content


def test_it_rejects_a_common_password(anon_api):
    response = register(anon_api, email="user@example.com", password="password123")

    assert_api_error(response, 400, mentions="too common", field="password")


def test_it_rejects_a_password_too_similar_to_the_email(anon_api):
    response = register(anon_api, email="marguerite.oswald@example.com", password="marguerite.oswald")

    assert_api_error(response, 400, mentions="too similar", field="password")


def test_it_names_every_missing_field(anon_api):
    response = register(anon_api)

    body = assert_api_error(response, 400, mentions="required")
    assert set(body["details"]) == {"email", "password"}
    assert "email" in body["error"] and "password" in body["error"]


def test_it_answers_409_for_an_email_taken_in_another_case(anon_api):
    register(anon_api, email="taken@example.com", password=GOOD_PASSWORD)

    response = register(anon_api, email="TAKEN@Example.com", password=GOOD_PASSWORD)

    body = assert_api_error(response, 409, mentions="already exists")
    assert "email" in body["details"]
    assert User.objects.count() == 1


def test_it_answers_409_when_the_existing_row_was_stored_in_another_case(anon_api):
    # A row written before normalisation (or by hand) still blocks the address.
    User.objects.create(email="Legacy@Example.com")

    response = register(anon_api, email="legacy@example.com", password=GOOD_PASSWORD)

    assert_api_error(response, 409, mentions="already exists")


def test_it_ignores_a_page_session_so_needs_no_csrf_token(owner):
    # Credentials travel in the body; a browser session on the same client plays no part.
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = register(client, email="user@example.com", password=GOOD_PASSWORD)

    assert response.status_code == 201


def test_it_answers_409_when_a_parallel_register_wins_between_check_and_insert(anon_api):
    User.objects.create_user(email="race@example.com", password=GOOD_PASSWORD)

    # Simulate losing the race: the existence check saw no row, the insert hits the constraint.
    with mock.patch("django.db.models.query.QuerySet.exists", return_value=False):
        response = register(anon_api, email="race@example.com", password=GOOD_PASSWORD)

    assert_api_error(response, 409, mentions="already exists")
    assert User.objects.filter(email="race@example.com").count() == 1

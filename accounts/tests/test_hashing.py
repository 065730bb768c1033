import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings

from accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "securePassword123"


def register(client, email, password):
    return client.post("/api/v1/auth/register", {"email": email, "password": password}, format="json")


def login(client, email, password):
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")


@override_settings(PASSWORD_HASH_ROUNDS=5)
def test_it_stores_bcrypt_sha256_at_the_configured_rounds(anon_api):
    register(anon_api, "user@example.com", PASSWORD)

    stored = User.objects.get(email="user@example.com").password
    assert stored.startswith("bcrypt_sha256$$2b$05$")
    assert identify_hasher(stored).algorithm == "bcrypt_sha256"


def test_login_rehashes_the_password_when_the_configured_rounds_change(anon_api, make_user):
    with override_settings(PASSWORD_HASH_ROUNDS=4):
        assert make_user("user@example.com", password=PASSWORD).password.startswith("bcrypt_sha256$$2b$04$")

    with override_settings(PASSWORD_HASH_ROUNDS=5):
        assert login(anon_api, "user@example.com", PASSWORD).status_code == 200

    stored = User.objects.get(email="user@example.com").password
    assert stored.startswith("bcrypt_sha256$$2b$05$")
    assert login(anon_api, "user@example.com", PASSWORD).status_code == 200


def test_a_failed_login_does_not_rehash(anon_api, make_user):
    with override_settings(PASSWORD_HASH_ROUNDS=4):
        before = make_user("user@example.com", password=PASSWORD).password

    with override_settings(PASSWORD_HASH_ROUNDS=5):
        login(anon_api, "user@example.com", "wrong guess")

    assert User.objects.get(email="user@example.com").password == before


def test_a_password_over_72_bytes_works_and_every_byte_counts(anon_api):
    # 90 bytes: plain bcrypt would ignore (or refuse) everything past byte 72.
    password = "pässwörd-" * 9
    assert len(password.encode()) > 72 and len(password) <= 100
    assert register(anon_api, "long@example.com", password).status_code == 201

    assert login(anon_api, "long@example.com", password).status_code == 200
    assert login(anon_api, "long@example.com", password[:-1] + "X").status_code == 401

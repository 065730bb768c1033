import pytest
from django.db import IntegrityError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_create_user_stores_the_email_normalised_and_an_opaque_id():
    user = User.objects.create_user(email="  Someone@Example.COM", password="securePassword123")

    assert user.email == "someone@example.com"
    assert isinstance(user.pk, str) and not user.pk.isdigit() and len(user.pk) >= 20
    assert user.check_password("securePassword123")
    assert not user.is_staff and not user.is_superuser


def test_the_database_refuses_the_same_email_in_another_case():
    User.objects.create(email="someone@example.com")

    with pytest.raises(IntegrityError):
        User.objects.create(email="SOMEONE@example.com")


def test_create_superuser_makes_a_staff_superuser():
    admin = User.objects.create_superuser(email="admin@example.com", password="securePassword123")

    assert admin.is_staff and admin.is_superuser


def test_the_natural_key_lookup_ignores_case(owner):
    assert User.objects.get_by_natural_key("OWNER@Example.com") == owner


def test_a_user_has_no_username_and_prints_as_the_email(owner):
    assert not hasattr(owner, "username")
    assert str(owner) == "owner@example.com"

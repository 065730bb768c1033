"""Standing personas and clients shared by every app's tests."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tokens import token_pair_issue

pytest_plugins = ["jobs.tests.live_workers", "videogen.tests.browser"]

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_user(db, django_user_model):
    def make(email: str, *, is_staff: bool = False, password: str = PASSWORD):
        return django_user_model.objects.create_user(email=email, password=password, is_staff=is_staff)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def other_user(make_user):
    return make_user("other@example.com")


@pytest.fixture
def staff(make_user):
    return make_user("staff@example.com", is_staff=True)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user).access_token}")
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    """A browser-like client signed in as the owner (session cookie)."""
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other_user) -> Client:
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def other_api(other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def staff_api(staff) -> APIClient:
    return client_for(staff)

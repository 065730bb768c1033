"""Settings → API keys (the page) and the admin's view of keys."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.key_services import api_key_create
from accounts.models import ApiKey

pytestmark = pytest.mark.django_db

PAGE = "/settings/keys"


def works(key: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/auth/me").status_code == 200


def test_the_page_needs_a_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_creating_a_key_shows_it_once(owner_client, owner):
    posted = owner_client.post(PAGE, {"name": "laptop", "scope": "write", "expires_in_days": "30"})
    assert posted.status_code == 302 and posted["Location"] == PAGE  # a reload cannot create a second key

    response = owner_client.get(PAGE)
    key = response.context["created"]["key"]
    assert key.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert works(key)
    row = ApiKey.objects.get(user=owner)
    assert (row.name, row.scope) == ("laptop", "write") and row.expires_at is not None

    again = owner_client.get(PAGE)
    assert key.encode() not in again.content
    assert row.display_prefix.encode() in again.content and b"laptop" in again.content


def test_a_bad_form_is_shown_again_with_the_field_error(owner_client):
    response = owner_client.post(PAGE, {"name": "", "scope": "root"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scope"}
    assert not ApiKey.objects.exists()


def test_revoking_from_the_page_ends_the_key(owner_client, owner):
    created = api_key_create(user=owner, name="ci", scope="read")

    response = owner_client.post(f"{PAGE}/{created.api_key.pk}/revoke")

    assert response.status_code == 302 and response["Location"] == PAGE
    assert not works(created.key)
    assert owner_client.get(PAGE).context["keys"] == []


def test_another_users_key_cannot_be_revoked_from_the_page(other_client, owner):
    created = api_key_create(user=owner, name="ci", scope="read")

    assert other_client.post(f"{PAGE}/{created.api_key.pk}/revoke").status_code == 403
    assert other_client.post(f"{PAGE}/missing/revoke").status_code == 404
    assert works(created.key)
    assert other_client.get(PAGE).context["keys"] == []


@pytest.fixture
def staff_admin(client, staff):
    client.force_login(staff)
    return client


def test_staff_see_every_key_but_never_its_secret_or_hash(staff_admin, owner, other_user):
    mine = api_key_create(user=owner, name="owner laptop", scope="write")
    theirs = api_key_create(user=other_user, name="other ci", scope="read")

    listing = staff_admin.get("/admin/accounts/apikey/")
    detail = staff_admin.get(f"/admin/accounts/apikey/{mine.api_key.pk}/change/")

    assert listing.status_code == 200 and detail.status_code == 200
    for page in (listing, detail):
        assert mine.key.encode() not in page.content and mine.api_key.secret_hash.encode() not in page.content
    assert b"owner laptop" in listing.content and b"other ci" in listing.content
    assert theirs.key.encode() not in listing.content
    assert staff_admin.get("/admin/accounts/apikey/add/").status_code == 403


def test_staff_revoke_any_key_from_the_admin(staff_admin, owner):
    created = api_key_create(user=owner, name="leaked", scope="write")

    response = staff_admin.post("/admin/accounts/apikey/", {
        "action": "revoke_keys", "_selected_action": [created.api_key.pk],
    })

    assert response.status_code == 302
    assert ApiKey.objects.get(pk=created.api_key.pk).revoked_at is not None
    assert not works(created.key)


def test_non_staff_cannot_open_the_keys_admin(owner_client):
    assert owner_client.get("/admin/accounts/apikey/").status_code == 302

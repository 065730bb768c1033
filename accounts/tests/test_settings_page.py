"""The account settings page: password, sessions and tokens, deleting the account."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_pair_issue
from conftest import PASSWORD
from jobs.models import Job
from projects.models import Project

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 5"


def me(access: str) -> int:
    return APIClient().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def second_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_it_needs_a_signed_in_user(client):
    response = client.get("/settings")

    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_it_shows_the_sections_and_where_the_user_is_signed_in(owner_client, owner):
    token_pair_issue(user=owner, ip_address="192.0.2.44", user_agent="videogen-cli/1.0")

    page = owner_client.get("/settings")

    assert page.status_code == 200
    for marker in (b"settings-email", b"settings-password", b"settings-sessions", b"settings-delete",
                   b'data-settings-slot="api-keys"', b'data-settings-slot="two-factor"', b"videogen-cli/1.0", b"(this browser)"):
        assert marker in page.content
    assert b"cannot be undone" in page.content


def test_it_links_the_api_keys_and_two_factor_pages_with_their_state(owner_client, owner):
    from accounts.key_services import api_key_create
    from accounts.two_factor.tests.conftest import enable_two_factor

    page = owner_client.get("/settings").content.decode()
    assert 'href="/settings/keys"' in page and 'href="/settings/two-factor"' in page
    assert 'data-testid="two-factor-off"' in page and 'data-testid="api-key-count">0<' in page

    api_key_create(user=owner, name="laptop", scope="read")
    enable_two_factor(owner)
    page = owner_client.get("/settings").content.decode()

    assert 'data-testid="two-factor-on"' in page and "10 recovery codes left" in page
    assert 'data-testid="api-key-count">1<' in page
    assert owner_client.get("/settings/keys").status_code == 200
    assert owner_client.get("/settings/two-factor").status_code == 200


def test_changing_the_password_keeps_this_browser_and_ends_the_rest(owner_client, owner):
    other, pair = second_browser(owner), token_pair_issue(user=owner)

    response = owner_client.post("/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 302
    assert owner_client.get("/settings").status_code == 200
    assert other.get("/settings").status_code == 302
    assert me(pair.access_token) == 401


def test_changing_the_password_needs_the_current_one(owner_client, owner):
    response = owner_client.post("/settings/password", {"current_password": "nope nope nope", "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert b"This is not your current password" in response.content
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_a_weak_new_password_is_shown_on_its_field(owner_client):
    response = owner_client.post("/settings/password", {"current_password": PASSWORD, "new_password": "short"})

    assert response.status_code == 400
    assert b'data-testid="error-new_password"' in response.content


def test_sign_out_everywhere_ends_other_sessions_and_every_token(owner_client, owner):
    other, pair = second_browser(owner), token_pair_issue(user=owner)

    assert owner_client.post("/settings/sign-out-everywhere").status_code == 302

    assert owner_client.get("/settings").status_code == 200
    assert other.get("/settings").status_code == 302
    assert me(pair.access_token) == 401
    refused = APIClient().post("/api/v1/auth/refresh", {"refresh_token": pair.refresh_token}, format="json")
    assert refused.status_code == 401


def test_one_api_login_can_be_signed_out_from_the_list(owner_client, owner):
    kept, ended = token_pair_issue(user=owner), token_pair_issue(user=owner)
    family = owner.token_families.order_by("-created_at").first()

    assert owner_client.post(f"/settings/tokens/{family.pk}/revoke").status_code == 302

    assert me(ended.access_token) == 401 and me(kept.access_token) == 200


def test_one_browser_session_can_be_signed_out_from_the_list(owner_client, owner):
    other = second_browser(owner)
    key = other.session.session_key

    assert owner_client.post(f"/settings/sessions/{key}/end").status_code == 302

    assert other.get("/settings").status_code == 302


def test_another_users_session_or_token_cannot_be_ended(owner_client, other_user):
    other = second_browser(other_user)
    token_pair_issue(user=other_user)
    family = other_user.token_families.get()

    assert owner_client.post(f"/settings/sessions/{other.session.session_key}/end").status_code == 404
    assert owner_client.post(f"/settings/tokens/{family.pk}/revoke").status_code == 404
    assert other.get("/settings").status_code == 200


# --- deleting the account -------------------------------------------------------------------------


@pytest.fixture
def owned_things(owner, other_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    paths = {}
    for user in (owner, other_user):
        job = Job.objects.create(user=user, prompt="a fox", model="videogen-procedural-1", resolution="480p",
                                 quality="low", duration=1, queue="cpu", queued_at=timezone.now())
        Project.objects.create(user=user, name="Film")
        folder = f"videos/{user.pk}/{job.pk}/1"
        paths[user.pk] = [default_storage.save(f"{folder}/video.mp4", ContentFile(b"\x00" * 100)),
                          default_storage.save(f"{folder}/poster.jpg", ContentFile(b"\xff\xd8"))]
    return paths


def test_deleting_the_account_removes_jobs_projects_tokens_and_every_file(
    owner_client, owner, other_user, owned_things, django_capture_on_commit_callbacks, tmp_path
):
    pair = token_pair_issue(user=owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/settings/delete", {"password": PASSWORD, "confirm": "delete my account"})

    assert response.status_code == 302 and response["Location"] == "/"
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not Job.objects.filter(user_id=owner.pk).exists() and not Project.objects.filter(user_id=owner.pk).exists()
    assert not (tmp_path / "media" / "videos" / owner.pk).exists()
    assert all(not default_storage.exists(path) for path in owned_things[owner.pk])
    assert all(default_storage.exists(path) for path in owned_things[other_user.pk])
    assert me(pair.access_token) == 401
    assert owner_client.get("/settings").status_code == 302


def test_deleting_needs_the_password_and_the_confirmation(owner_client, owner, owned_things):
    wrong = owner_client.post("/settings/delete", {"password": "not it at all", "confirm": "delete my account"})
    unconfirmed = owner_client.post("/settings/delete", {"password": PASSWORD, "confirm": "yes"})

    assert wrong.status_code == unconfirmed.status_code == 400
    assert b"This is not your current password" in wrong.content
    assert User.objects.filter(pk=owner.pk).exists()
    assert all(default_storage.exists(path) for path in owned_things[owner.pk])


@pytest.mark.parametrize("path", ["/settings/password", "/settings/email", "/settings/delete"])
def test_junk_input_answers_400_not_500(owner_client, path):
    response = owner_client.post(path, {"current_password": "\x00" * 5, "new_password": "x" * 5000,
                                        "email": "\x00@x", "password": ["a", "b"], "confirm": "\x00"})

    assert response.status_code == 400

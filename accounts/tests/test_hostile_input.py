"""The new account routes answer 4xx, never 5xx, to junk (run it on PostgreSQL too: NUL bytes)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

JUNK = ["%00", "a%00b", "x" * 3000, "%E2%28%A1", "..%2F..%2Fetc"]


@pytest.mark.parametrize("junk", JUNK)
def test_link_pages_refuse_junk_tokens(client, junk):
    for path in (f"/password-reset/{junk}/{junk}", f"/verify-email/{junk}", f"/email-change/{junk}",
                 f"/password-reset/MTIz/{junk}"):
        assert 400 <= client.get(path).status_code < 500, path


@pytest.mark.parametrize("junk", JUNK)
def test_settings_actions_answer_404_for_junk_ids(owner_client, junk):
    assert 400 <= owner_client.post(f"/settings/sessions/{junk}/end").status_code < 500
    assert 400 <= owner_client.post(f"/settings/tokens/{junk}/revoke").status_code < 500


@pytest.mark.parametrize("body", [
    {"uid": "AA", "token": "x", "password": "a long passphrase 12"},  # base64 of a NUL byte
    {"uid": "x" * 64, "token": "y" * 128, "password": "a long passphrase 12"},
    {"uid": ["a"], "token": {"b": 1}, "password": 5},
])
def test_the_reset_confirm_api_answers_400_to_junk(anon_api, body):
    response = anon_api.post("/api/v1/auth/password-reset/confirm", body, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("token", ["\x00", "x" * 2000, "a:b:c", 5])
def test_the_verify_api_answers_400_to_junk(anon_api, token):
    assert anon_api.post("/api/v1/auth/verify-email", {"token": token}, format="json").status_code == 400


def test_the_reset_page_answers_400_to_a_nul_email(client):
    assert client.post("/password-reset", {"email": "a\x00@example.com"}).status_code == 400

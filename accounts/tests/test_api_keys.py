"""Personal API keys through the API: format, storage, scope, revoke, expiry,
malformed keys, ownership, deactivation, last-used bookkeeping, throttles, schema."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import key_format
from accounts.key_services import api_key_create
from accounts.models import ApiKey, ThrottleBucket
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

JOB = {"prompt": "a lighthouse in fog", "resolution": "480p", "quality": "low", "duration": 1}


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def job_of(api: APIClient) -> dict:
    response = api.post("/api/v1/jobs", JOB, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def make_key():
    def make(user, *, scope="write", **kwargs) -> str:
        return api_key_create(user=user, name=kwargs.pop("name", "script"), scope=scope, **kwargs).key

    return make


# --- create, list, revoke through the API ----------------------------------------------------

def test_creating_a_key_answers_it_once_and_stores_only_its_hash(owner_api, owner):
    response = owner_api.post("/api/v1/keys", {"name": "laptop", "scope": "write"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    key = body["key"]
    assert key_format.parse_key(key) is not None
    assert key.startswith(body["prefix"] + "_") and body["prefix"].startswith("vg_")
    assert (body["name"], body["scope"], body["lastUsedAt"], body["expiresAt"]) == ("laptop", "write", None, None)
    row = ApiKey.objects.get(pk=body["id"])
    assert row.secret_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in vars(row).values()}

    listed = owner_api.get("/api/v1/keys").json()["keys"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "key" not in listed[0] and key not in str(listed)


def test_a_new_key_is_read_only_unless_asked_otherwise(owner_api):
    assert owner_api.post("/api/v1/keys", {"name": "dashboard"}, format="json").json()["scope"] == "read"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"name": "ok", "scope": "admin"}, "scope"),
    ({"name": "ok", "expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"), ({"name": "ok", "expiresAt": "soon"}, "expiresAt"),
    ({"name": ["a"]}, "name"),
])
def test_a_bad_create_answers_400_naming_the_field(owner_api, body, field):
    assert_api_error(owner_api.post("/api/v1/keys", body, format="json"), 400, field=field)


def test_a_revoked_key_is_refused_at_once(owner_api, owner, make_key):
    key = make_key(owner)
    api_key = ApiKey.objects.get(user=owner)
    assert key_client(key).get("/api/v1/auth/me").status_code == 200

    assert owner_api.delete(f"/api/v1/keys/{api_key.pk}").status_code == 204

    assert_api_error(key_client(key).get("/api/v1/auth/me"), 401, mentions="revoked")
    assert owner_api.get("/api/v1/keys").json()["keys"] == []
    assert_api_error(owner_api.delete(f"/api/v1/keys/{api_key.pk}"), 404)


def test_another_users_key_cannot_be_listed_or_revoked(other_api, owner, make_key):
    key = make_key(owner)
    api_key = ApiKey.objects.get(user=owner)

    assert other_api.get("/api/v1/keys").json()["keys"] == []
    assert_api_error(other_api.delete(f"/api/v1/keys/{api_key.pk}"), 403)
    assert key_client(key).get("/api/v1/auth/me").status_code == 200
    assert_api_error(other_api.delete("/api/v1/keys/nosuchkey"), 404)


# --- what a key may do ---------------------------------------------------------------------------

def test_a_key_authenticates_as_its_user(owner, make_key):
    response = key_client(make_key(owner, scope="read")).get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["email"] == "owner@example.com"


def test_a_read_key_may_get_but_not_write(owner, owner_api, make_key):
    client = key_client(make_key(owner, scope="read"))
    job = job_of(owner_api)

    assert client.get("/api/v1/jobs").status_code == 200
    assert client.head(f"/api/v1/jobs/{job['id']}").status_code == 200
    assert client.options("/api/v1/jobs").status_code == 200
    assert_api_error(client.post("/api/v1/jobs", JOB, format="json"), 403, mentions="read-only")
    assert_api_error(client.post(f"/api/v1/jobs/{job['id']}/cancel"), 403, mentions="read-only")
    assert_api_error(client.delete(f"/api/v1/jobs/{job['id']}"), 403, mentions="read-only")
    assert_api_error(client.post("/api/v1/projects", {"name": "x"}, format="json"), 403)


def test_a_write_key_does_what_its_user_can(owner, make_key):
    client = key_client(make_key(owner, scope="write"))

    project = client.post("/api/v1/projects", {"name": "Trailer"}, format="json")
    assert project.status_code == 201
    job = client.post("/api/v1/jobs", {**JOB, "projectId": project.json()["id"]}, format="json")
    assert job.status_code == 201, job.content
    assert job.json()["userId"] == owner.pk
    assert client.post(f"/api/v1/jobs/{job.json()['id']}/cancel").status_code == 200


@pytest.mark.parametrize("scope", ["read", "write"])
def test_no_key_can_manage_keys(owner, make_key, scope):
    client = key_client(make_key(owner, scope=scope))
    api_key = ApiKey.objects.get(user=owner)

    assert_api_error(client.get("/api/v1/keys"), 403, mentions="cannot manage")
    assert_api_error(client.post("/api/v1/keys", {"name": "more", "scope": "write"}, format="json"), 403)
    assert_api_error(client.delete(f"/api/v1/keys/{api_key.pk}"), 403)
    assert ApiKey.objects.filter(user=owner, revoked_at__isnull=True).count() == 1


def test_a_key_sees_only_its_users_objects(owner, other_api, make_key):
    theirs = job_of(other_api)
    client = key_client(make_key(owner, scope="write"))

    assert_api_error(client.get(f"/api/v1/jobs/{theirs['id']}"), 403)
    assert_api_error(client.post(f"/api/v1/jobs/{theirs['id']}/cancel"), 403)
    assert client.get("/api/v1/jobs").json()["total"] == 0


# --- refusals --------------------------------------------------------------------------------------

def test_an_expired_key_is_refused(owner, make_key):
    key = make_key(owner, expires_at=timezone.now() + timedelta(days=1))
    ApiKey.objects.filter(user=owner).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_api_error(key_client(key).get("/api/v1/auth/me"), 401, mentions="expired")


def test_a_key_not_yet_expired_works(owner, make_key):
    key = make_key(owner, expires_at=timezone.now() + timedelta(minutes=5))

    assert key_client(key).get("/api/v1/auth/me").status_code == 200


def test_deactivating_the_user_ends_their_keys_at_once(owner, make_key):
    key = make_key(owner)
    assert key_client(key).get("/api/v1/auth/me").status_code == 200

    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert_api_error(key_client(key).get("/api/v1/auth/me"), 401)


def _broken_checksum(key: str) -> str:
    last = key[-1]
    return key[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize("token", [
    "vg_", "vg_short", "vg_abcdefgh_" + "x" * 38 + "y", "vg_abc\u00e9defg_" + "x" * 38,
    "vg_abcdefgh_" + "x" * 37 + "!",
])
def test_a_malformed_key_is_401_without_touching_the_database(owner, token):
    client = key_client(token) if token.isascii() else APIClient(HTTP_AUTHORIZATION=f"Bearer {token}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/auth/me")

    assert response.status_code == 401
    if token.isascii():
        assert_api_error(response, 401, mentions="malformed")
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_a_key_with_a_broken_checksum_is_refused_without_a_lookup(owner, make_key):
    key = make_key(owner)
    with CaptureQueriesContext(connection) as queries:
        response = key_client(_broken_checksum(key)).get("/api/v1/auth/me")

    assert_api_error(response, 401, mentions="malformed")
    assert len(queries) == 0


def test_a_wrong_secret_counts_against_the_login_limiter_per_address(owner, make_key, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 3
    settings.LOGIN_FAILURE_LIMIT_PER_EMAIL = 3
    real = make_key(owner)
    key_id = key_format.parse_key(real).key_id
    forged = key_format.new_key(key_id)  # well formed, right id, wrong secret

    for _ in range(3):
        assert_api_error(key_client(forged).get("/api/v1/auth/me", REMOTE_ADDR="203.0.113.9"), 401)
    assert ThrottleBucket.objects.get(kind="api_key", scope="ip").count == 3
    assert ThrottleBucket.objects.get(kind="api_key", scope="account_ip").count == 3

    throttled = key_client(forged).get("/api/v1/auth/me", REMOTE_ADDR="203.0.113.9")
    assert_api_error(throttled, 429)
    assert int(throttled["Retry-After"]) >= 1
    # Another address is not affected, and the real key still works.
    assert_api_error(key_client(forged).get("/api/v1/auth/me", REMOTE_ADDR="203.0.113.10"), 401)
    assert key_client(real).get("/api/v1/auth/me").status_code == 200


def test_an_unknown_key_id_is_401(owner):
    assert_api_error(key_client(key_format.new_key("Zz000000")).get("/api/v1/auth/me"), 401, mentions="invalid")


def test_jwts_still_work_beside_keys(owner_api):
    assert owner_api.get("/api/v1/auth/me").status_code == 200


# --- last used ------------------------------------------------------------------------------------

def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_last_used_is_written_at_most_once_a_minute_not_per_request(owner, make_key):
    client = key_client(make_key(owner))
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/auth/me").status_code == 200
    used = ApiKey.objects.get(user=owner).last_used_at
    assert used is not None and len(_updates(first)) == 1

    with CaptureQueriesContext(connection) as later:
        for _ in range(5):
            assert client.get("/api/v1/auth/me").status_code == 200
    assert _updates(later) == []
    assert len(later) == 5  # one lookup each, nothing else
    assert ApiKey.objects.get(user=owner).last_used_at == used

    ApiKey.objects.filter(user=owner).update(last_used_at=used - timedelta(seconds=61))
    with CaptureQueriesContext(connection) as after_a_minute:
        assert client.get("/api/v1/auth/me").status_code == 200
    assert len(_updates(after_a_minute)) == 1
    assert ApiKey.objects.get(user=owner).last_used_at > used


def test_last_used_is_listed(owner_api, owner, make_key):
    key_client(make_key(owner)).get("/api/v1/auth/me")

    assert owner_api.get("/api/v1/keys").json()["keys"][0]["lastUsedAt"] is not None


# --- throttles and the schema ---------------------------------------------------------------------

def test_each_key_is_throttled_as_a_user_is(owner, make_key, owner_api, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    cache.clear()
    first, second = key_client(make_key(owner)), key_client(make_key(owner))
    try:
        for _ in range(3):
            assert first.get("/api/v1/auth/me").status_code == 200
        limited = first.get("/api/v1/auth/me")
        assert_api_error(limited, 429)
        assert int(limited["Retry-After"]) >= 1
        assert second.get("/api/v1/auth/me").status_code == 200  # its own bucket
        for _ in range(3):
            assert owner_api.get("/api/v1/auth/me").status_code == 200
        assert_api_error(owner_api.get("/api/v1/auth/me"), 429)  # the same rule for the user
    finally:
        cache.clear()


def test_the_openapi_schema_documents_both_bearer_schemes(anon_api):
    schema = anon_api.get("/api/v1/schema/", {"format": "json"}).json()

    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiKeyAuth"]["scheme"] == "bearer" and "vg_" in schemes["apiKeyAuth"]["bearerFormat"]
    assert schemes["jwtAuth"]["scheme"] == "bearer"
    me = schema["paths"]["/api/v1/auth/me"]["get"]["security"]
    assert {"apiKeyAuth": []} in me and {"jwtAuth": []} in me
    assert "/api/v1/keys" in schema["paths"] and "/api/v1/keys/{key_id}" in schema["paths"]


@pytest.mark.parametrize("name", ["bad\x00name", "   "])
def test_junk_names_are_400_not_500(owner_api, name):
    assert_api_error(owner_api.post("/api/v1/keys", {"name": name}, format="json"), 400, field="name")


@pytest.mark.parametrize("key_id", ["x" * 300, "bad%00id"])
def test_junk_key_ids_are_404(owner_api, key_id):
    assert_api_error(owner_api.delete(f"/api/v1/keys/{key_id}"), 404)


def test_an_overlong_bearer_key_is_401(anon_api):
    anon_api.credentials(HTTP_AUTHORIZATION="Bearer vg_" + "a" * 10_000)
    assert_api_error(anon_api.get("/api/v1/auth/me"), 401, mentions="malformed")

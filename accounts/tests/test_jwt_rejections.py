"""Access tokens the API must refuse: every case answers 401 and authenticates no one."""

import base64
import json
import time
import uuid

import jwt
import pytest
from django.conf import settings

from accounts.tokens import token_pair_issue
from videogen.testing.api import assert_api_error

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me"


def claims_for(user, **overrides) -> dict:
    now = int(time.time())
    family = jwt.decode(token_pair_issue(user=user).access_token, options={"verify_signature": False})["fam"]
    claims = {
        "token_type": "access", "exp": now + 600, "iat": now, "jti": uuid.uuid4().hex, "user_id": user.pk, "fam": family,
    }
    claims.update(overrides)
    return claims


def signed(claims: dict, *, key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or settings.SIMPLE_JWT["SIGNING_KEY"], algorithm=algorithm)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def me_with(anon_api, token: str):
    return anon_api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_hand_signed_token_with_the_right_key_is_accepted(anon_api, owner):
    # The control for every case below: the forging helpers make valid tokens.
    assert me_with(anon_api, signed(claims_for(owner))).status_code == 200


def test_it_refuses_an_expired_access_token(anon_api, owner):
    now = int(time.time())
    token = signed(claims_for(owner, iat=now - 3600, exp=now - 60))

    assert_api_error(me_with(anon_api, token), 401, mentions="token")


def test_it_refuses_a_token_whose_payload_was_changed_after_signing(anon_api, owner, other_user):
    header, _, signature = token_pair_issue(user=owner).access_token.split(".")
    forged_payload = b64(claims_for(other_user))

    response = me_with(anon_api, f"{header}.{forged_payload}.{signature}")

    assert_api_error(response, 401, mentions="token")


def test_it_refuses_a_token_with_a_damaged_signature(anon_api, owner):
    token = token_pair_issue(user=owner).access_token
    damaged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    assert_api_error(me_with(anon_api, damaged), 401, mentions="token")


def test_it_refuses_a_token_signed_with_another_key(anon_api, owner):
    token = signed(claims_for(owner), key="not-the-server-key-" + "x" * 32)

    assert_api_error(me_with(anon_api, token), 401, mentions="token")


def test_it_refuses_an_unsigned_alg_none_token(anon_api, owner):
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_for(owner))}."

    assert_api_error(me_with(anon_api, token), 401, mentions="token")


def test_it_refuses_a_token_signed_with_another_algorithm(anon_api, owner):
    token = signed(claims_for(owner), algorithm="HS512")

    assert_api_error(me_with(anon_api, token), 401, mentions="token")


def test_it_refuses_a_refresh_token_sent_as_an_access_token(anon_api, owner):
    token = token_pair_issue(user=owner).refresh_token

    assert_api_error(me_with(anon_api, token), 401, mentions="token")


def test_it_refuses_a_token_without_a_type(anon_api, owner):
    claims = claims_for(owner)
    del claims["token_type"]

    assert_api_error(me_with(anon_api, signed(claims)), 401, mentions="token")


def test_it_refuses_a_token_for_a_deleted_user(anon_api, owner):
    token = token_pair_issue(user=owner).access_token
    owner.delete()

    assert_api_error(me_with(anon_api, token), 401)


def test_it_refuses_a_token_for_a_deactivated_user(anon_api, owner):
    token = token_pair_issue(user=owner).access_token
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert_api_error(me_with(anon_api, token), 401)


def test_it_refuses_garbage_in_the_bearer_header(anon_api):
    response = anon_api.get(ME, HTTP_AUTHORIZATION="Bearer not-a-jwt")

    assert_api_error(response, 401, mentions="token")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_ignores_a_token_under_another_scheme(anon_api, owner):
    token = token_pair_issue(user=owner).access_token

    response = anon_api.get(ME, HTTP_AUTHORIZATION=f"Token {token}")

    assert_api_error(response, 401, mentions="credentials were not provided")

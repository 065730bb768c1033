"""The second login step: who proved their password and now owes a code.

Pages keep it in the (not yet logged-in) session; the JSON API hands out a signed,
short-lived token instead. Neither is a login: only a code turns either into a session
or a token pair. Both are bound to the user's auth stamp (accounts.sessions: password
hash and sign-out epoch), so a password change by any path, a reset or "sign out
everywhere" voids them, and to ``is_active``, so deactivation does; the API token also
to the last login, so it is spent once exchanged.
"""

from __future__ import annotations

import time

from django.contrib.auth.models import update_last_login
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from accounts.sessions import user_auth_stamp
from videogen.errors import NotAuthenticated

CHALLENGE_SECONDS = 300
SESSION_KEY = "two_factor_login"
TOKEN_SALT = "videogen.two_factor.login-token"
INVALID_TOKEN = "Two-factor login token is invalid or expired. Log in again."


def _fingerprint(user: User, *, with_last_login: bool) -> str:
    value = user_auth_stamp(user)
    if with_last_login:
        value += "|" + (user.last_login.isoformat() if user.last_login else "")
    return salted_hmac(TOKEN_SALT, value, algorithm="sha256").hexdigest()[:32]


# --- pages ---------------------------------------------------------------------------------

def page_challenge_start(request: HttpRequest, *, user: User, next_url: str) -> None:
    request.session[SESSION_KEY] = {
        "user": user.pk,
        "fingerprint": _fingerprint(user, with_last_login=False),
        "next": next_url,
        "started": int(time.time()),
    }


def page_challenge_user(request: HttpRequest) -> tuple[User, str] | None:
    """The user owing a code in this session, and where to go after; None if none or expired."""
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    user_id, started, fingerprint = pending.get("user"), pending.get("started"), pending.get("fingerprint")
    if not (isinstance(user_id, str) and isinstance(started, int) and isinstance(fingerprint, str)):
        return None
    if time.time() - started > CHALLENGE_SECONDS:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(fingerprint, _fingerprint(user, with_last_login=False)):
        return None
    return user, str(pending.get("next") or "")


def page_challenge_end(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


# --- API -----------------------------------------------------------------------------------

def api_challenge_issue(*, user: User) -> dict:
    """The login answer for an account with two-factor on: a second-step token, no access."""
    token = signing.dumps({"u": user.pk, "f": _fingerprint(user, with_last_login=True)}, salt=TOKEN_SALT)
    return {"two_factor_required": True, "token": token, "expires_in": CHALLENGE_SECONDS}


def api_challenge_user(*, token: str) -> User:
    """The user a second-step token was issued to; NotAuthenticated if forged, expired or spent."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=CHALLENGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired included
        raise NotAuthenticated(INVALID_TOKEN) from None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first() if isinstance(payload, dict) else None
    if user is None or not constant_time_compare(str(payload.get("f")), _fingerprint(user, with_last_login=True)):
        raise NotAuthenticated(INVALID_TOKEN)
    return user


def api_challenge_spend(*, user: User) -> None:
    """Record the login; this also voids the token it came with."""
    update_last_login(None, user)

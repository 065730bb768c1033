"""What ends a user's sessions and tokens, in one place.

A user's *auth stamp* is an HMAC over their password hash and `auth_epoch`. Token
families record the stamp they began with and Django's session check hashes the
same two values, so any password change (page, API, admin, `manage.py
changepassword`, a reset) or a raised epoch ("sign out everywhere") ends every
session, refresh token and access token issued before, with no hook in any of those
paths. Deactivation ends them through `is_active`, which both checks read.
"""

from __future__ import annotations

import logging

from django.contrib.auth import update_session_auth_hash
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import BrowserSession, TokenFamily, User

logger = logging.getLogger("videogen.auth")

USER_AGENT_MAX = 200


def user_auth_stamp(user: User) -> str:
    return salted_hmac("accounts.sessions.user_auth_stamp", f"{user.password}:{user.auth_epoch}").hexdigest()[:32]


def token_families_revoke(*, user: User, reason: str) -> int:
    return TokenFamily.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def user_sign_out_everywhere(*, user: User, reason: str, keep_request=None) -> None:
    """End every session and token of the user now; `keep_request`'s own session stays signed in."""
    keep = keep_request.session.session_key if keep_request is not None else None
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
        user.refresh_from_db(fields=["auth_epoch"])
        token_families_revoke(user=user, reason=reason)
        ended = BrowserSession.objects.filter(user=user).exclude(session_key=keep)
        Session.objects.filter(session_key__in=ended.values("session_key")).delete()
        ended.delete()
    if keep_request is not None:
        update_session_auth_hash(keep_request, user)
    logger.info("signed out everywhere", extra={"user_id": user.pk, "reason": reason})


def browser_session_record(*, request, user: User) -> None:
    """Remember a new signed-in session so its owner can list and end it."""
    from videogen.client_ip import client_ip

    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    BrowserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX],
        },
    )


def is_plain_id(value) -> bool:
    """A string that can be looked up safely (PostgreSQL refuses NUL in text)."""
    return isinstance(value, str) and 0 < len(value) <= 64 and "\x00" not in value


def browser_session_end(*, user: User, session_key: str) -> bool:
    if not is_plain_id(session_key):
        return False
    with transaction.atomic():
        deleted, _ = BrowserSession.objects.filter(user=user, session_key=session_key).delete()
        if deleted:
            Session.objects.filter(session_key=session_key).delete()
    return bool(deleted)


def token_family_revoke(*, user: User, family_id: str) -> bool:
    if not is_plain_id(family_id):
        return False
    return bool(
        TokenFamily.objects.filter(user=user, pk=family_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="signed out"
        )
    )

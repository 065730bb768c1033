"""JWT pairs: issue, rotate (single use, race-safe, reuse revokes the family) and revoke.

Every pair belongs to a token family (one per login): both tokens carry the
family's id in the `fam` claim. The family ends on logout, on reuse of a rotated
refresh token (the standard reuse-detection rule: whoever holds the stolen copy and
the rightful owner both lose the family), on "sign out everywhere", and when the
user's auth stamp changes (password change, see accounts.sessions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import TokenFamily, User
from accounts.sessions import USER_AGENT_MAX, user_auth_stamp
from videogen.errors import NotAuthenticated

logger = logging.getLogger("videogen.auth")

INVALID_REFRESH = "Refresh token is invalid, expired or already used."
FAMILY_CLAIM = "fam"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def as_response(self) -> dict[str, str]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "token_type": "bearer"}


def _family_expiry():
    return timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]


def _pair(*, user: User, family: TokenFamily) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = family.pk
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def token_pair_issue(*, user: User, ip_address: str | None = None, user_agent: str = "") -> TokenPair:
    """A new pair in a new family (a login)."""
    family = TokenFamily.objects.create(
        user=user, stamp=user_auth_stamp(user), expires_at=_family_expiry(),
        ip_address=ip_address, user_agent=user_agent[:USER_AGENT_MAX],
    )
    return _pair(user=user, family=family)


def family_is_live(family: TokenFamily) -> bool:
    """Not revoked, its user active, and no password change or sign-out since it began."""
    return family.revoked_at is None and family.user.is_active and family.stamp == user_auth_stamp(family.user)


def _consume(raw_token: str) -> TokenFamily:
    """Blacklist the refresh token exactly once and return its live family.

    The family row is locked while the token is spent, so two racing requests with
    one token are serialised: the second finds it spent. A spent token presented
    again revokes its family.
    """
    try:
        payload = token_backend.decode(raw_token, verify=True)  # signature and expiry
    except TokenBackendError:
        raise NotAuthenticated(INVALID_REFRESH) from None
    jti, family_id = payload.get("jti"), payload.get(FAMILY_CLAIM)
    if payload.get("token_type") != "refresh" or not isinstance(jti, str) or not isinstance(family_id, str):
        raise NotAuthenticated(INVALID_REFRESH)
    reused = False
    with transaction.atomic():
        family = TokenFamily.objects.select_for_update().select_related("user").filter(pk=family_id).first()
        outstanding = OutstandingToken.objects.filter(jti=jti).first()
        if family is None or outstanding is None or family.user_id != payload.get("user_id"):
            raise NotAuthenticated(INVALID_REFRESH)
        if not family_is_live(family):
            raise NotAuthenticated(INVALID_REFRESH)
        _, spent_now = BlacklistedToken.objects.get_or_create(token=outstanding)
        if spent_now:
            family.last_used_at = timezone.now()
            family.expires_at = _family_expiry()
            family.save(update_fields=["last_used_at", "expires_at"])
        else:
            reused = True
            family.revoked_at = timezone.now()
            family.revoked_reason = "reuse"
            family.save(update_fields=["revoked_at", "revoked_reason"])
    if reused:
        logger.warning("refresh token reused: family revoked", extra={"user_id": family.user_id, "family": family.pk})
        raise NotAuthenticated(INVALID_REFRESH)
    return family


def token_pair_rotate(*, refresh_token: str) -> tuple[User, TokenPair]:
    family = _consume(refresh_token)
    return family.user, _pair(user=family.user, family=family)


def refresh_token_revoke(*, refresh_token: str) -> User:
    """Logout: spend the refresh token and end its family, access tokens included."""
    family = _consume(refresh_token)
    TokenFamily.objects.filter(pk=family.pk).update(revoked_at=timezone.now(), revoked_reason="logout")
    return family.user

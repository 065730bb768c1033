"""JWT pairs: issue, rotate (single use, race-safe) and revoke refresh tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from videogen.errors import NotAuthenticated

INVALID_REFRESH = "Refresh token is invalid, expired or already used."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def as_response(self) -> dict[str, str]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "token_type": "bearer"}


def token_pair_issue(*, user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access_token=str(refresh.access_token), refresh_token=str(refresh))


def _consume(raw_token: str) -> User:
    """Blacklist the refresh token exactly once and return its user.

    The blacklist row is a unique insert, so of two racing requests with the same
    token only one can succeed; the other gets 401.
    """
    try:
        token = RefreshToken(raw_token)  # checks signature, expiry, type and blacklist
    except TokenError:
        raise NotAuthenticated(INVALID_REFRESH) from None
    jti = token.get("jti")
    user_id = token.get("user_id")
    try:
        with transaction.atomic():
            outstanding = OutstandingToken.objects.get(jti=jti)
            BlacklistedToken.objects.create(token=outstanding)
    except (OutstandingToken.DoesNotExist, IntegrityError):
        raise NotAuthenticated(INVALID_REFRESH) from None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotAuthenticated(INVALID_REFRESH)
    return user


def token_pair_rotate(*, refresh_token: str) -> tuple[User, TokenPair]:
    user = _consume(refresh_token)
    return user, token_pair_issue(user=user)


def refresh_token_revoke(*, refresh_token: str) -> User:
    return _consume(refresh_token)

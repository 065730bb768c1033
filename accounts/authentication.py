"""JWT bearer authentication that honours token families (see accounts.tokens).

simplejwt checks the signature, expiry and type; this also refuses a token whose
family was revoked (logout, refresh-token reuse, sign out everywhere) or began
before the user's last password change, and an inactive user's. One query, as
simplejwt's own user lookup.
"""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from accounts.models import TokenFamily
from accounts.tokens import FAMILY_CLAIM, family_is_live

REVOKED = "Token is no longer valid: signed out, or the password changed."


class JWTAuthentication(SimpleJWTAuthentication):
    def get_user(self, validated_token):
        family_id = validated_token.get(FAMILY_CLAIM)
        if not isinstance(family_id, str):
            raise InvalidToken("Token contained no recognizable token family")
        family = TokenFamily.objects.select_related("user").filter(pk=family_id).first()
        if family is None or family.user_id != validated_token.get("user_id") or not family_is_live(family):
            raise AuthenticationFailed(REVOKED, code="token_revoked")
        return family.user


class JWTAuthenticationScheme(SimpleJWTScheme):
    """The OpenAPI description of this class: simplejwt's bearer scheme (drf-spectacular)."""

    target_class = "accounts.authentication.JWTAuthentication"

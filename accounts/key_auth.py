"""API-key authentication for DRF, beside JWT: both are ``Authorization: Bearer``,
told apart by the key's fixed ``vg_`` prefix.

- malformed (bad shape or checksum): 401 without a database query;
- unknown id, wrong secret, revoked, expired, or the user deactivated: 401;
- a ``read`` key on anything but GET / HEAD / OPTIONS: 403;
- any key on a view marked ``refuses_api_keys`` (managing keys, the account): 403.

Failed secret checks count against the one credential limiter (``accounts.throttle``,
kind ``api_key``) per key id and address and per address, through ``_guard_failed_attempt``.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from accounts import key_format, throttle
from accounts.key_services import api_key_note_use
from accounts.models import ApiKey, ApiKeyScope
from videogen.client_ip import client_ip
from videogen.errors import TooManyRequests

logger = logging.getLogger("videogen.auth")

INVALID_KEY = "API key is invalid, expired or revoked."
MALFORMED_KEY = "API key is malformed."
READ_ONLY_KEY = "This API key is read-only: it can only make GET requests."
KEYS_REFUSED = "API keys cannot manage API keys or the account: sign in with your password."


def _guard_failed_attempt(request, key_id: str) -> None:
    """The one place key failures meet the limiter (kind "api_key": per key id and
    address, and per address), counted after a well-formed key failed its check.

    A good key costs no limiter query, and guessing a ~190-bit secret is hopeless
    anyway; what the limiter bounds is the noise: over the limit the answer is 429.
    """
    ip = client_ip(request)
    try:
        throttle.hit("api_key", account=key_id, ip=ip)
    except TooManyRequests as exc:
        logger.warning("api key throttled", extra={"ip": ip})
        raise exceptions.Throttled(wait=exc.retry_after, detail=exc.message) from None


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            return None
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            return None
        if not key_format.looks_like_key(token):
            return None  # a JWT: the next authenticator's
        parsed = key_format.parse_key(token)
        if parsed is None:
            raise exceptions.AuthenticationFailed(MALFORMED_KEY)
        try:  # one query; prefix is unique (get() needs no ORDER BY, unlike first())
            api_key = ApiKey.objects.select_related("user").get(prefix=parsed.key_id)
        except ApiKey.DoesNotExist:
            api_key = None
        if api_key is None or not key_format.hashes_match(api_key.secret_hash, parsed):
            logger.info("api key refused: unknown id or wrong secret",
                        extra={"key_prefix": f"vg_{parsed.key_id}", "ip": client_ip(request)})
            _guard_failed_attempt(request, parsed.key_id)
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        if (api_key.revoked_at is not None or not api_key.user.is_active
                or (api_key.expires_at is not None and api_key.expires_at <= timezone.now())):
            logger.info("api key refused: revoked, expired or user inactive",
                        extra={"key_prefix": api_key.display_prefix, "user_id": api_key.user_id})
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        self._check_allowed(request, api_key)
        api_key_note_use(api_key=api_key)
        return api_key.user, api_key

    def _check_allowed(self, request, api_key: ApiKey) -> None:
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if getattr(view, "refuses_api_keys", False):
            raise exceptions.PermissionDenied(KEYS_REFUSED)
        if api_key.scope == ApiKeyScope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY_KEY)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.key_auth.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "vg_<id>_<secret>",
            "description": "A personal API key (Settings → API keys, or POST /api/v1/keys), sent as "
                           "`Authorization: Bearer vg_…`. `read` keys may only GET.",
        }

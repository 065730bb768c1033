"""Personal API keys: create, revoke, load for a user, and note their use.

The key itself leaves the server once, in ``api_key_create``'s answer; the row keeps
its public id (``prefix``) and a SHA-256 of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import key_format
from accounts.models import ApiKey, ApiKeyScope, User
from videogen.errors import InvalidInput

logger = logging.getLogger("videogen.auth")

NAME_MAX_LENGTH = 100
MAX_LIFETIME = timedelta(days=3650)
# last_used_at is rewritten at most this often per key (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    key: str  # shown once


def api_key_create(*, user: User, name: str, scope: str = ApiKeyScope.READ,
                   expires_at: datetime | None = None) -> CreatedKey:
    """Make a key for ``user``; raises InvalidInput per field."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput.for_field("name", "This field may not be blank.")
    if len(name) > NAME_MAX_LENGTH or "\x00" in name:
        raise InvalidInput.for_field("name", f"Use at most {NAME_MAX_LENGTH} printable characters.")
    if scope not in ApiKeyScope.values:
        raise InvalidInput.for_field("scope", f"Must be one of: {', '.join(ApiKeyScope.values)}.")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise InvalidInput.for_field("expiresAt", "Must be in the future.")
    if expires_at is not None and expires_at > now + MAX_LIFETIME:
        raise InvalidInput.for_field("expiresAt", "Must be within ten years.")
    for _ in range(5):  # 62^8 ids: a collision is rare, not impossible
        key_id = key_format.new_key_id()
        key = key_format.new_key(key_id)
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    user=user, name=name, scope=scope, expires_at=expires_at,
                    prefix=key_id, secret_hash=key_format.hash_key(key),
                )
        except IntegrityError:
            continue
        logger.info("api key created", extra={"user_id": user.pk, "key_prefix": api_key.display_prefix})
        return CreatedKey(api_key=api_key, key=key)
    raise RuntimeError("could not find a free API key id")


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        logger.info("api key revoked", extra={"user_id": api_key.user_id, "key_prefix": api_key.display_prefix})
    return api_key


def api_key_note_use(*, api_key: ApiKey) -> None:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION.

    The conditional UPDATE makes this hold across processes too: of many requests
    in the same minute, only the first matches the filter and writes.
    """
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    api_key.last_used_at = now

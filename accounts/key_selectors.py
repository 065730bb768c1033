"""Reads of personal API keys: a user's live keys, and one key loaded for its owner."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiKey, User
from videogen.errors import Forbidden, NotFound
from videogen.ids import valid_id

KEY_NOT_FOUND = "API key not found."
KEY_FORBIDDEN = "This API key belongs to another account."


def live_keys_for(user: User) -> QuerySet[ApiKey]:
    """The user's keys that are not revoked (expired ones included, marked by date), newest first."""
    return ApiKey.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def get_api_key_for_user(*, user: User, key_id: str) -> ApiKey:
    """A live key of ``user``: NotFound when missing or revoked, Forbidden when another user's."""
    if not valid_id(key_id):
        raise NotFound(KEY_NOT_FOUND)
    api_key = ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).first()
    if api_key is None:
        raise NotFound(KEY_NOT_FOUND)
    if api_key.user_id != user.pk:
        raise Forbidden(KEY_FORBIDDEN)
    return api_key

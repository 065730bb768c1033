"""Reads about a user's sign-ins that span rows (for the settings page)."""

from __future__ import annotations

from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.models import BrowserSession, TokenFamily, User
from accounts.sessions import user_auth_stamp


def active_browser_sessions(*, user: User) -> list[BrowserSession]:
    """The user's sessions that still sign them in (not expired, not ended by a password change)."""
    rows = list(BrowserSession.objects.filter(user=user).order_by("-created_at"))
    live = {
        session.session_key: session.get_decoded()
        for session in Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        )
    }
    current_hash = user.get_session_auth_hash()
    return [row for row in rows if live.get(row.session_key, {}).get(HASH_SESSION_KEY) == current_hash]


def active_token_families(*, user: User) -> list[TokenFamily]:
    return list(
        TokenFamily.objects.filter(
            user=user, revoked_at__isnull=True, expires_at__gt=timezone.now(), stamp=user_auth_stamp(user)
        ).order_by("-created_at")
    )

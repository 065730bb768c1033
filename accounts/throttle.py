"""Slows repeated failed logins per email and per client address.

Failures are rows in the database, so every web process sees the same counts.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from accounts.models import LoginFailure
from videogen.errors import TooManyRequests


def check_login_allowed(*, email: str, ip_address: str | None) -> None:
    """Raise TooManyRequests (with the seconds to wait) when either limit is reached."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    since = timezone.now() - window
    checks = [(LoginFailure.objects.filter(email=email), settings.LOGIN_FAILURE_LIMIT_PER_EMAIL)]
    if ip_address:
        checks.append((LoginFailure.objects.filter(ip_address=ip_address), settings.LOGIN_FAILURE_LIMIT_PER_IP))
    for failures, limit in checks:
        recent = failures.filter(created_at__gte=since)
        if recent.count() >= limit:
            oldest = recent.aggregate(oldest=Min("created_at"))["oldest"]
            retry_after = max(1, int((oldest + window - timezone.now()).total_seconds()) + 1)
            raise TooManyRequests(
                "Too many failed login attempts. Try again later.", retry_after=retry_after
            )


def record_login_failure(*, email: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(email=email, ip_address=ip_address)


def clear_login_failures(*, email: str) -> None:
    LoginFailure.objects.filter(email=email).delete()


def prune_login_failures() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    deleted, _ = LoginFailure.objects.filter(created_at__lt=cutoff).delete()
    return deleted

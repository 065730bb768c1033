"""Reads about a user's second factor."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def two_factor_enabled(user: User) -> bool:
    """True once the user has confirmed an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_device_pending(user: User) -> TOTPDevice | None:
    """The authenticator being set up (shown as a QR code, not yet confirmed by a code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()

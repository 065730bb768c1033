"""Two-factor writes: set up, confirm, check a code, turn off, new recovery codes.

Every code check goes through the one limiter (accounts/throttle.py, kind
"second_factor"): wrong codes count per (account, address) like wrong passwords, and
also per account from every address together, so someone who has the password and
many addresses still gets few guesses. Checking a code
is a write: django-otp remembers the last accepted TOTP step (a code is never accepted
twice) and deletes a recovery code once it is used.
"""

from __future__ import annotations

import logging
import re

import django_otp
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts import throttle
from accounts.services import user_check_password
from accounts.two_factor.selectors import totp_device_pending, two_factor_enabled
from videogen.errors import Conflict, InvalidInput, NotAuthenticated, TooManyRequests

logger = logging.getLogger("videogen.auth")

RECOVERY_CODE_COUNT = 10
INVALID_CODE = "Invalid two-factor code."
ALREADY_ON = "Two-factor authentication is already on."
NOT_ON = "Two-factor authentication is not on."
NO_SETUP = "Start the setup again: no authenticator is waiting for confirmation."

_TOTP_CODE = re.compile(r"\d{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


def normalize_code(code: str) -> str:
    """Codes are typed with spaces or dashes, recovery codes in any case."""
    return re.sub(r"[\s-]", "", code).lower()


def _verify(*, user: User, code: str, ip_address: str | None, devices: list[Device]) -> Device:
    """Check a code against the given devices under the limiter; the device that took it."""
    try:
        guess = throttle.attempt("second_factor", account=user.pk, ip=ip_address).reserve()
    except TooManyRequests:
        logger.warning("two-factor throttled", extra={"user_id": user.pk, "ip": ip_address})
        raise
    code = normalize_code(code)
    with guess:
        for device in devices:
            shape = _TOTP_CODE if isinstance(device, TOTPDevice) else _RECOVERY_CODE
            # verify_token locks the device row, so two requests cannot both spend one code.
            if shape.fullmatch(code) and django_otp.verify_token(user, device.persistent_id, code):
                guess.succeeded()
                return device
        logger.info("two-factor code refused", extra={"user_id": user.pk, "ip": ip_address})
        raise NotAuthenticated(INVALID_CODE, details={"code": [INVALID_CODE]})


def two_factor_verify(*, user: User, code: str, ip_address: str | None) -> Device:
    """Accept an authenticator code or an unused recovery code (which is then spent).

    Raises NotAuthenticated for a wrong, reused or spent code, TooManyRequests when throttled.
    """
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    device = _verify(user=user, code=code, ip_address=ip_address, devices=devices)
    if isinstance(device, StaticDevice):
        logger.info("recovery code used", extra={"user_id": user.pk, "ip": ip_address})
    return device


def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator with a fresh secret (replacing any unfinished one)."""
    if two_factor_enabled(user):
        raise Conflict(ALREADY_ON)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, user: User, code: str, ip_address: str | None) -> list[str]:
    """Turn two-factor on with a first code from the app; returns the recovery codes (shown once)."""
    if two_factor_enabled(user):
        raise Conflict(ALREADY_ON)
    device = totp_device_pending(user)
    if device is None:
        raise InvalidInput(NO_SETUP, details={"code": [NO_SETUP]})
    try:
        _verify(user=user, code=code, ip_address=ip_address, devices=[device])
    except NotAuthenticated:
        raise InvalidInput(INVALID_CODE, details={"code": [INVALID_CODE]}) from None
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = _recovery_codes_replace(user=user)
    logger.info("two-factor on", extra={"user_id": user.pk, "ip": ip_address})
    return codes


def two_factor_disable(*, user: User, password: str, code: str, ip_address: str | None) -> None:
    """Turn two-factor off: the password and a current code (or a recovery code) are both required."""
    if not two_factor_enabled(user):
        raise Conflict(NOT_ON)
    _check_password(user=user, password=password, ip_address=ip_address)
    try:
        two_factor_verify(user=user, code=code, ip_address=ip_address)
    except NotAuthenticated:
        raise InvalidInput(INVALID_CODE, details={"code": [INVALID_CODE]}) from None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    logger.info("two-factor off", extra={"user_id": user.pk, "ip": ip_address})


def recovery_codes_regenerate(*, user: User, password: str, ip_address: str | None) -> list[str]:
    """New recovery codes (the old ones stop working); the password is required."""
    if not two_factor_enabled(user):
        raise Conflict(NOT_ON)
    _check_password(user=user, password=password, ip_address=ip_address)
    with transaction.atomic():
        codes = _recovery_codes_replace(user=user)
    logger.info("recovery codes replaced", extra={"user_id": user.pk, "ip": ip_address})
    return codes


def _check_password(*, user: User, password: str, ip_address: str | None) -> None:
    """The account's password, checked under the limiter (InvalidInput on the password field)."""
    user_check_password(user=user, password=password, ip_address=ip_address, field="password")


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = _distinct_codes(RECOVERY_CODE_COUNT)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _distinct_codes(count: int) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    return codes

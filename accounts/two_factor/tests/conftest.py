"""Accounts with two-factor on, and codes made by django-otp's own TOTP generator."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor.services import totp_device_confirm, totp_device_start


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows for this device now (the phone's clock: no drift)."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"


def spent_code(device: TOTPDevice) -> str:
    """The last code the server accepted (it remembers the step, never the code)."""
    device.refresh_from_db()
    return f"{hotp(device.bin_key, device.last_t, digits=device.digits):0{device.digits}d}"


def next_code(device: TOTPDevice) -> str:
    """A code the server takes now: the app's current one, or, if that step was just spent,
    the next step's (the server accepts one step either side of its clock, drift included).

    Made by django-otp's own generator; no waiting for the clock to move on.
    """
    device.refresh_from_db()
    server = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = server.t()
    step = max(now, device.last_t + 1)
    assert step <= now + device.tolerance, "no unspent step in the window: the test spent codes too fast"
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed 6-digit code that no step the server would accept produces."""
    now = TOTP(device.bin_key, device.step, device.t0, device.digits).t()
    valid = {f"{hotp(device.bin_key, step):06d}" for step in range(now - 3, now + 4)}
    return next(f"{n:06d}" for n in range(123456, 1_000_000) if f"{n:06d}" not in valid)


def enable_two_factor(user) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor on the way the settings page does; the device and the recovery codes."""
    device = totp_device_start(user=user)
    codes = totp_device_confirm(user=user, code=totp_code(device), ip_address="127.0.0.9")
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def owner_2fa(owner):
    """The owner persona with two-factor on: (user, TOTP device, recovery codes)."""
    device, codes = enable_two_factor(owner)
    return owner, device, codes


@pytest.fixture
def staff_2fa(staff):
    device, codes = enable_two_factor(staff)
    return staff, device, codes

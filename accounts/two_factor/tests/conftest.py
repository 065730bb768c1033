"""Accounts with two-factor on, and codes made by django-otp's own TOTP generator."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor.services import totp_device_confirm, totp_device_start


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for this device now (or ``steps_ahead`` steps later).

    The server accepts one step either side of now (following the drift it learns), so
    the next step's code is a fresh, valid code right after the current one was spent,
    without waiting for the clock.
    """
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)  # the phone's clock: no drift
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed 6-digit code that no step the server would accept produces."""
    valid = {totp_code(device, steps_ahead=step) for step in range(-2, 3)}
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

"""Typed readers for environment variables.

Every deployment value comes from the environment through these helpers; a value
that cannot be read raises ImproperlyConfigured naming the variable, so a bad
deployment fails at start instead of at the first request.

A variable that is set but empty (``FOO=``) counts as unset and takes the default:
docker compose passes settings through as ``${FOO:-}``, and .env files leave
defaults empty, so "empty" must never mean something else.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, or None when it is unset or blank."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    return raw


def env_str(name: str, default: str | None = None) -> str | None:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env_str(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_json(name: str, default):
    import json

    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be valid JSON: {exc}") from None
    if not isinstance(value, type(default)):
        raise ImproperlyConfigured(f"{name} must be a JSON {type(default).__name__}")
    return value


_RATE_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
                 "d": 86400, "day": 86400}


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate such as ``60/min`` as (count, period in seconds); units s, min, hour, day."""
    raw = (env_str(name) or default).strip().lower()
    count, _, unit = raw.partition("/")
    try:
        number = int(count)
    except ValueError:
        number = 0
    period = _RATE_PERIODS.get(unit.strip())
    if number < 1 or period is None:
        raise ImproperlyConfigured(f"{name} must look like 60/min (a count of at least 1 per s, min, hour or day), got {raw!r}")
    return number, period

"""`manage.py check --deploy` is clean in a production environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from videogen.tests.envvars import ROOT

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "JWT_SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "videogen.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://videogen.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "USE_X_FORWARDED_PROTO": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "LOG_FORMAT": "json",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The settings of this test process (test database names, DEBUG) must not leak in.
    # A production process starts from a clean environment: nothing a test set leaks in.
    leaked = set(PRODUCTION) | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {key: value for key, value in os.environ.items() if key not in leaked}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_a_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_production_refuses_to_start_without_its_secrets():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_bad_value_stops_the_start_naming_the_variable():
    result = manage("check", env={**PRODUCTION, "SECURE_HSTS_SECONDS": "a year"})

    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS must be an integer" in result.stderr

"""pytest plugin (loaded with -p from pytest.ini) that prepares the environment
before Django's settings are read: test-friendly defaults, and an embedded Redis
when REDIS_URL is not set (the path `make test` takes on a fresh machine)."""

from __future__ import annotations

import os
import secrets

import pytest

_embedded = None


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _embedded
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "videogen.settings")
    # bcrypt at its minimum cost keeps the suite fast; hashing tests set their own.
    os.environ.setdefault("PASSWORD_HASH_ROUNDS", "4")
    os.environ.setdefault("VIDEOGEN_RETRY_BASE_SECONDS", "0")
    os.environ.setdefault("VIDEOGEN_RETRY_MAX_SECONDS", "0")
    # The suite runs with production's DEBUG (off), so it brings its own secrets; the
    # processes tests start inherit them.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("JWT_SECRET_KEY", secrets.token_urlsafe(50))
    if not os.environ.get("REDIS_URL"):
        from videogen.embedded_redis import EmbeddedRedis

        _embedded = EmbeddedRedis().start()
        os.environ["REDIS_URL"] = _embedded.url
        os.environ["VIDEOGEN_EMBEDDED_REDIS_FOR_TESTS"] = "1"
    return (yield)


def pytest_configure(config):
    """Static files from the source folders: the manifest storage needs `collectstatic`,
    which `make web` and `make run` run (tested there, with the real storage)."""
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


def pytest_unconfigure(config):
    global _embedded
    if _embedded is not None:
        _embedded.stop()
        _embedded = None

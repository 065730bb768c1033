"""`.env.example` documents every setting the code reads, and nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from videogen.tests.envvars import COMPOSE_ONLY, ENV_EXAMPLE, ROOT, env_example_entries, settings_env_vars

SECRETS = {"SECRET_KEY", "JWT_SECRET_KEY", "POSTGRES_PASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"}


def test_it_lists_every_setting_that_settings_reads():
    documented = {name for name, _, _ in env_example_entries()}
    missing = settings_env_vars() - documented
    assert not missing, f"read by videogen/settings.py but missing from .env.example: {sorted(missing)}"


def test_it_lists_nothing_that_no_one_reads():
    documented = {name for name, _, _ in env_example_entries()}
    unknown = documented - settings_env_vars() - COMPOSE_ONLY
    assert not unknown, f"in .env.example but read by neither settings.py nor compose: {sorted(unknown)}"


def test_it_lists_each_variable_once():
    names = [name for name, _, _ in env_example_entries()]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def test_each_variable_has_a_one_line_comment_above_it():
    uncommented = [name for name, _, comment in env_example_entries() if not comment.startswith("# ")]
    assert not uncommented, f"no comment line right above: {uncommented}"


def test_it_ships_no_secret_values():
    filled = [name for name, value, _ in env_example_entries() if name in SECRETS and value]
    assert not filled, f"secrets must be left empty in the example: {filled}"


def _settings_loaded_with(env: dict[str, str]) -> dict:
    """Import the settings in a fresh interpreter under exactly ``env``; return a few values."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'DEBUG': settings.DEBUG, 'LOG_FORMAT': settings.LOG_FORMAT, "
        "'VIDEOGEN_DEFAULT_MODEL': settings.VIDEOGEN_DEFAULT_MODEL, "
        "'SESSION_COOKIE_SECURE': settings.SESSION_COOKIE_SECURE, 'MEDIA_ROOT': str(settings.MEDIA_ROOT), "
        "'PASSWORD_HASH_ROUNDS': settings.PASSWORD_HASH_ROUNDS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _base_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "videogen.settings"}


def test_its_values_load_as_they_stand():
    env = {**_base_env(), **{name: value for name, value, _ in env_example_entries()}}
    # DEBUG is empty, so off; `make run` sets LOCAL_SECRETS, so secrets come from .secrets.local.json.
    env["LOCAL_SECRETS"] = "1"
    loaded = _settings_loaded_with(env)
    assert loaded["DEBUG"] is False
    assert loaded["VIDEOGEN_DEFAULT_MODEL"] == "videogen-procedural-1"
    assert loaded["PASSWORD_HASH_ROUNDS"] == 12
    assert loaded["MEDIA_ROOT"] == str(ROOT / "media")


def test_its_values_load_in_production_once_the_secrets_are_filled_in():
    env = {**_base_env(), **{name: value for name, value, _ in env_example_entries()}}
    env.update(DEBUG="0", SECRET_KEY="s" * 60, JWT_SECRET_KEY="j" * 60, ALLOWED_HOSTS="videogen.example.com")
    loaded = _settings_loaded_with(env)
    assert loaded["DEBUG"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True  # the empty value takes the DEBUG-off default


def test_the_example_file_is_where_the_settings_docstring_says():
    assert ENV_EXAMPLE.exists()
    assert ".env.example" in (ROOT / "videogen" / "settings.py").read_text()

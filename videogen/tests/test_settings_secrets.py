"""Settings come from the environment; production refuses to start without its secrets."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from videogen.secrets import secret_from_env

REPO = Path(__file__).resolve().parents[2]
SECRETS = ("SECRET_KEY", "JWT_SECRET_KEY")


def load_settings(env: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter and print the named values as JSON."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: str(getattr(settings, name)) for name in {list(names)!r}}}))"
    )
    base = {key: value for key, value in os.environ.items() if key not in (*SECRETS, "DEBUG", "LOCAL_SECRETS", "PASSWORD_HASH_ROUNDS")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**base, "DJANGO_SETTINGS_MODULE": "videogen.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env, missing",
    [
        ({}, "SECRET_KEY"),  # DEBUG unset is DEBUG off
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "s" * 50}, "JWT_SECRET_KEY"),
        ({"DEBUG": "0", "JWT_SECRET_KEY": "j" * 50}, "SECRET_KEY"),
    ],
)
def test_with_debug_off_a_missing_secret_refuses_to_start_naming_the_variable(env, missing):
    result = load_settings(env, "SECRET_KEY")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} is not set" in result.stderr


def test_with_debug_off_and_both_secrets_set_it_starts_with_the_documented_defaults():
    env = {"DEBUG": "0", "SECRET_KEY": "s" * 50, "JWT_SECRET_KEY": "j" * 50}

    result = load_settings(env, "SECRET_KEY", "JWT_SECRET_KEY", "PASSWORD_HASH_ROUNDS", "SIMPLE_JWT", "DEBUG")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECRET_KEY"] == "s" * 50
    assert values["JWT_SECRET_KEY"] == "j" * 50
    assert values["PASSWORD_HASH_ROUNDS"] == "12"
    assert values["DEBUG"] == "False"
    assert "'ACCESS_TOKEN_LIFETIME': datetime.timedelta(seconds=1800)" in values["SIMPLE_JWT"]
    assert "'REFRESH_TOKEN_LIFETIME': datetime.timedelta(days=7)" in values["SIMPLE_JWT"]
    assert "'SIGNING_KEY': '" + "j" * 50 + "'" in values["SIMPLE_JWT"]


def test_a_nonsense_value_refuses_to_start_naming_the_variable():
    env = {"DEBUG": "0", "SECRET_KEY": "s" * 50, "JWT_SECRET_KEY": "j" * 50, "PASSWORD_HASH_ROUNDS": "lots"}

    result = load_settings(env, "PASSWORD_HASH_ROUNDS")

    assert result.returncode != 0
    assert "PASSWORD_HASH_ROUNDS must be an integer" in result.stderr


def test_the_session_and_jwt_keys_are_different_secrets():
    from django.conf import settings

    assert settings.SECRET_KEY != settings.JWT_SECRET_KEY
    assert settings.SIMPLE_JWT["SIGNING_KEY"] == settings.JWT_SECRET_KEY


def test_debug_is_off_unless_set_and_local_secrets_do_not_turn_it_on():
    result = load_settings({"LOCAL_SECRETS": "1"}, "DEBUG", "ALLOWED_HOSTS")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"DEBUG": "False", "ALLOWED_HOSTS": "[]"}


def test_with_debug_on_a_missing_secret_is_generated_once_into_the_local_file(tmp_path, monkeypatch):
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    local_file = tmp_path / ".secrets.local.json"

    first = secret_from_env("SECRET_KEY", generate=True, local_file=local_file)
    again = secret_from_env("SECRET_KEY", generate=True, local_file=local_file)
    jwt_key = secret_from_env("JWT_SECRET_KEY", generate=True, local_file=local_file)

    assert first == again
    assert len(first) >= 50
    assert jwt_key != first
    assert json.loads(local_file.read_text()) == {"SECRET_KEY": first, "JWT_SECRET_KEY": jwt_key}
    assert stat.S_IMODE(local_file.stat().st_mode) == 0o600


def test_with_debug_on_an_existing_local_key_is_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    local_file = tmp_path / ".secrets.local.json"
    local_file.write_text(json.dumps({"SECRET_KEY": "kept-from-last-run"}))

    assert secret_from_env("SECRET_KEY", generate=True, local_file=local_file) == "kept-from-last-run"


def test_a_secret_in_the_environment_wins_over_the_local_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    local_file = tmp_path / ".secrets.local.json"

    assert secret_from_env("SECRET_KEY", generate=True, local_file=local_file) == "from-the-environment"
    assert not local_file.exists()


def test_with_debug_off_nothing_is_written_and_the_error_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    local_file = tmp_path / ".secrets.local.json"

    with pytest.raises(ImproperlyConfigured, match="JWT_SECRET_KEY is not set"):
        secret_from_env("JWT_SECRET_KEY", generate=False, local_file=local_file)
    assert not local_file.exists()


def test_the_local_secrets_file_is_ignored_by_git():
    assert ".secrets.local.json" in (REPO / ".gitignore").read_text().splitlines()
